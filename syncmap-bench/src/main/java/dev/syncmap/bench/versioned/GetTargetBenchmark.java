package dev.syncmap.bench.versioned;

import dev.syncmap.bench.Contender;
import dev.syncmap.bench.OpStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@code get} throughput at 100:0 and 97:3 read:write, for the target "get &ge; 1.0&times; ConcurrentHashMap".
 * Score: operations per microsecond (all operations, reads and writes, of all threads).
 *
 * <p>The map holds every key; a write removes a key and the thread's next write puts it back (see
 * {@link FilledSubjectState#write}). Keys are chosen uniformly from a
 * precomputed per-thread stream. Run with {@code -t 1} and {@code -t 2}.
 */
public class GetTargetBenchmark extends FilledSubjectState {

    /** The map under test. */
    @Param({Subject.VERSIONED, Subject.CHM, Subject.TRIE})
    public String map;

    /** Share of reads, percent. */
    @Param({"100", "97"})
    public int readPercent;

    /** Fills the map with every key. */
    @Setup(Level.Trial)
    public void fill() {
        fill(map);
        Contender.settleHeap();
    }

    /** One thread's operation stream and position. */
    @State(Scope.Thread)
    public static class Cursor extends FilledSubjectState.Cursor {
        /**
         * Builds the stream, seeded by the thread's index.
         *
         * @param b the benchmark state
         * @param thread JMH's thread parameters
         */
        @Setup(Level.Trial)
        public void setUp(GetTargetBenchmark b, ThreadParams thread) {
            build(b, b.readPercent / 100.0, 42 + thread.getThreadIndex());
        }
    }

    /**
     * One operation of the mix.
     *
     * @param c the thread's cursor
     * @return the value read (consumed by JMH), or null for a write
     */
    @Benchmark
    public Integer operation(Cursor c) {
        int p = c.position++ & c.mask;
        Integer key = c.keys[p];
        if (c.kinds[p] == OpStream.GET) {
            return subject.get(key);
        }
        write(c, key);
        return null;
    }
}
