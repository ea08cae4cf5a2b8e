package dev.syncmap.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@code computeIfAbsent} on keys that are present, the path a cache-style caller takes almost every time:
 * all threads on one hot key ({@link #hotKey}) versus each thread on uniformly spread keys ({@link #spreadKeys}).
 * A map that locks (or CASes) on the hit path serialises the hot-key case; one that reads first does not.
 *
 * <p>Every key is present from the start, so the mapping function never runs and the map never changes.
 * Score: <b>operations per microsecond</b>, summed over threads ({@code -t}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ComputeIfAbsentBenchmark extends ContenderState {

    /** Never runs (every key is present); a constant, so no lambda is allocated per call. */
    private static final Function<Integer, Integer> IDENTITY = key -> key;

    Integer hot;

    /** Puts every key. */
    @Override
    void fill() {
        OpStream.populateAll(target, boxed);
        hot = boxed[Keys.zipfKeyOfRank(keys, 0)];
    }

    /** One thread's uniformly spread keys. */
    @State(Scope.Thread)
    public static class SpreadKeys {
        Integer[] keys;
        int mask;
        int cursor;

        /**
         * Builds the thread's key stream.
         *
         * @param bench the benchmark state
         * @param thread JMH's thread parameters
         */
        @Setup(Level.Trial)
        public void buildStream(ComputeIfAbsentBenchmark bench, ThreadParams thread) {
            OpStream stream = OpStream.generate(1.0, Keys.UNIFORM, bench.boxed, OpStream.STREAM_LENGTH,
                    OpStream.threadSeed(thread.getThreadIndex()));
            keys = stream.keys();
            mask = stream.mask();
        }
    }

    /**
     * {@code computeIfAbsent} on the same present key from every thread.
     *
     * @return the mapped value
     */
    @Benchmark
    public Integer hotKey() {
        return target.computeIfAbsent(hot, IDENTITY);
    }

    /**
     * {@code computeIfAbsent} on the thread's next spread key (present).
     *
     * @param spread the thread's key stream
     * @return the mapped value
     */
    @Benchmark
    public Integer spreadKeys(SpreadKeys spread) {
        return target.computeIfAbsent(spread.keys[spread.cursor++ & spread.mask], IDENTITY);
    }
}
