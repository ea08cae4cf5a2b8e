package dev.syncmap.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Throughput of a read:write operation mix: the benchmark behind the "which map for which workload" question.
 *
 * <p>Each call of {@link #ops} performs exactly one map operation, the next one of the calling thread's
 * precomputed stream: a {@code get}, a {@code put} or a {@code remove}. Writes are half puts, half removes,
 * which keeps the map near {@code keys / 2} entries with about half of the reads hitting, from the first
 * operation on (see {@link OpStream}). The score is <b>operations per microsecond</b>, summed over threads
 * (JMH's {@code Throughput} mode); thread count comes from the runner ({@code -t}).
 *
 * <p>Parameters: {@code map} (a {@link Contender}), {@code mix} ({@code "R:W"}, see {@link Mix}),
 * {@code keys} (key count) and {@code dist} ({@code uniform} or {@code zipf}, see {@link Keys}). The defaults
 * are the full matrix of the benchmark plan; narrow it with {@code -p}.
 *
 * <p>What is not measured: random number generation, boxing (keys are pre-boxed and shared with the map's
 * entries) and value allocation (a put stores its key object). What is: the map call, the cursor increment and
 * one array load of the kind and the key, the same for every contender.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MixBenchmark extends ContenderState {

    /** The read:write mix, {@code "R:W"}. */
    @Param({"100:0", "99:1", "97:3", "90:10", "75:25", "50:50", "0:100"})
    public String mix;

    /** The key distribution: {@code uniform} or {@code zipf} (scrambled Zipfian, theta 0.99). */
    @Param({"uniform", "zipf"})
    public String dist;

    double readFraction;

    /** Pre-populates the map once per trial (fork). */
    @Override
    void fill() {
        readFraction = Mix.parse(mix).readFraction();
        dist = Keys.normalizeDistribution(dist);
        OpStream.populate(target, boxed);
    }

    /** One thread's operation stream and cursor. */
    @State(Scope.Thread)
    public static class ThreadOps {
        byte[] kinds;
        Integer[] keys;
        int mask;
        int cursor;

        /**
         * Builds this thread's stream, seeded by the thread index.
         *
         * @param bench the benchmark state (the map is created first)
         * @param thread JMH's thread parameters
         */
        @Setup(Level.Trial)
        public void buildStream(MixBenchmark bench, ThreadParams thread) {
            OpStream stream = OpStream.generate(bench.readFraction, bench.dist, bench.boxed,
                    OpStream.STREAM_LENGTH, OpStream.threadSeed(thread.getThreadIndex()));
            kinds = stream.kinds();
            keys = stream.keys();
            mask = stream.mask();
        }
    }

    /**
     * One operation from the thread's stream.
     *
     * @param ops the thread's stream
     * @return the operation's result (consumed by JMH so it cannot be optimised away)
     */
    @Benchmark
    public Integer ops(ThreadOps ops) {
        int slot = ops.cursor++ & ops.mask;
        Integer key = ops.keys[slot];
        switch (ops.kinds[slot]) {
            case OpStream.GET:
                return target.get(key);
            case OpStream.PUT:
                return target.put(key, key);
            default:
                return target.remove(key);
        }
    }
}
