package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the replication benchmarks once, briefly and small, in this JVM: the pipeline and the bare watch start,
 * the fence and lag bookkeeping work, and each produces a score. Not a measurement.
 */
class ReplicationBenchmarksSmokeTest {

    @Test
    void throughputAndLagRunForBothPaths() throws RunnerException {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include("ReplicationThroughputBenchmark|ReplicationLagBenchmark")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .param("keys", "1000")
                .param("batch", "1", "100")
                .param("rate", "20000")
                .param("seconds", "0.3")
                .verbosity(VerboseMode.SILENT)
                .shouldFailOnError(true)
                .build()).run();
        // throughput: 2 paths x 2 batches; lag: 2 paths
        assertEquals(6, results.size());
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark());
        }
    }
}
