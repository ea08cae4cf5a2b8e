package dev.syncmap.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JMH shape of the open-loop benchmarks ({@link OpenLoopLatencyBenchmark}, {@link ReplicationLagBenchmark}):
 * one invocation runs one whole schedule ({@code SingleShotTime}), paced by one JMH thread (do not pass
 * {@code -t}; the workers are the benchmark's own), one warm-up and three measured schedules in one fork with a
 * fixed 2 GB heap, so that heap sizing does not move the tail. JMH's annotations are inherited; a subclass or the
 * command line overrides any of them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public abstract class OpenLoopSchedule {

    /** For subclasses. */
    protected OpenLoopSchedule() {}
}
