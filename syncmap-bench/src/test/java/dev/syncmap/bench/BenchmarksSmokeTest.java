package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark method once, briefly, in this JVM (no fork), for one contender: proves that the generated
 * JMH code, the parameters and the state wiring work, and that each method produces a positive score. Not a
 * measurement.
 */
class BenchmarksSmokeTest {

    private static Collection<RunResult> run(String include, String... params) throws RunnerException {
        OptionsBuilder builder = new OptionsBuilder();
        builder.include(include)
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .threads(2)
                .param("map", "ConcurrentHashMap", "SynchronizedMap")
                .param("keys", "1000")
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true);
        for (int i = 0; i < params.length; i += 2) {
            builder.param(params[i], params[i + 1]);
        }
        Options options = builder.build();
        return new Runner(options).run();
    }

    @Test
    void mixBenchmarkRunsEveryContenderShape() throws RunnerException {
        Collection<RunResult> results = run("MixBenchmark", "mix", "97:3", "dist", "zipf");
        assertEquals(2, results.size());
        for (RunResult result : results) {
            assertTrue(result.getPrimaryResult().getScore() > 0);
            assertEquals("ops/us", result.getPrimaryResult().getScoreUnit());
        }
    }

    @Test
    void theOtherMapBenchmarksRun() throws RunnerException {
        Collection<RunResult> results = run(
                "ComputeIfAbsentBenchmark|IterationBenchmark|SnapshotCopyBenchmark|SizeBenchmark");
        // 2 maps x (hotKey, spreadKeys, iterate, snapshot, copy, size)
        assertEquals(12, results.size());
        for (RunResult result : results) {
            assertTrue(result.getPrimaryResult().getScore() > 0, result.getParams().getBenchmark());
        }
    }

    @Test
    void theVersionedMapTargetBenchmarksRun() throws RunnerException {
        Options options = new OptionsBuilder()
                .include("versioned\\.(GetTarget|WriteTarget)Benchmark")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .threads(2)
                .param("map", "VersionedMap", "TrieMap")
                .param("keys", "1000")
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        // 2 maps x (operation at 2 read shares, write)
        assertEquals(6, results.size());
        for (RunResult result : results) {
            assertTrue(result.getPrimaryResult().getScore() > 0, result.getParams().getBenchmark());
        }
    }

    @Test
    void openLoopLatencyExportsItsPercentilesAsSecondaryResults() throws RunnerException {
        Options options = new OptionsBuilder()
                .include("OpenLoopLatencyBenchmark")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(2)
                .param("map", "ConcurrentHashMap")
                .param("keys", "1000")
                .param("rate", "2000")
                .param("workers", "1")
                .param("seconds", "0.3")
                .timeUnit(TimeUnit.MILLISECONDS)
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true)
                .build();
        RunResult result = new Runner(options).runSingle();
        assertTrue(result.getPrimaryResult().getScore() >= 300, "a schedule lasts its duration");
        double achieved = result.getSecondaryResults().get("achievedOpsPerSecond").getScore();
        assertEquals(2000, achieved, 400, "the mean over iterations, not their sum");
        double p50 = result.getSecondaryResults().get("p50Ns").getScore();
        double p999 = result.getSecondaryResults().get("p999Ns").getScore();
        assertTrue(p50 > 0 && p50 <= p999, p50 + " " + p999);
    }
}
