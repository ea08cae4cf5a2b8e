package dev.syncmap.bench.versioned;

import dev.syncmap.bench.Contenders;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@code get} throughput at 100:0 and 97:3 read:write, for the target "get &ge; 1.0&times; ConcurrentHashMap".
 * Score: operations per microsecond (all operations, reads and writes, of all threads).
 *
 * <p>The map holds every key; a write removes a key and the thread's next write puts it back (so the size stays
 * stable and half the writes allocate a node, as in a steady-state cache). Keys are chosen uniformly from a
 * precomputed per-thread stream. Run with {@code -t 1} and {@code -t 2}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Threads(1)
@State(Scope.Benchmark)
public class GetTargetBenchmark {

    /** The map under test. */
    @Param({Subject.VERSIONED, Subject.CHM, Subject.TRIE})
    public String map;

    /** Number of keys. */
    @Param({"1000", "1000000"})
    public int keys;

    /** Share of reads, percent. */
    @Param({"100", "97"})
    public int readPercent;

    Subject subject;
    Integer[] keyObjects;
    Integer[] values;

    /** Fills the map with every key. */
    @Setup(Level.Trial)
    public void fill() {
        subject = Subject.create(map);
        keyObjects = Subject.keys(keys);
        values = new Integer[keys];
        for (int i = 0; i < keys; i++) {
            values[i] = Integer.valueOf(keys + i);
            subject.put(keyObjects[i], values[i]);
        }
        Contenders.settleHeap();
    }

    /** One thread's operation stream and position. */
    @State(Scope.Thread)
    public static class Cursor {
        OpStream ops;
        int position;
        int removedIndex = -1;

        /** Builds the stream, seeded by the thread's index. */
        @Setup(Level.Trial)
        public void setUp(GetTargetBenchmark b, ThreadParams thread) {
            ops = new OpStream(b.keys, 100 - b.readPercent, 42 + thread.getThreadIndex());
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
        int p = c.position++ & OpStream.MASK;
        int k = c.ops.keyIndex[p];
        if (!c.ops.write[p]) {
            return subject.get(keyObjects[k]);
        }
        if (c.removedIndex < 0) {
            subject.remove(keyObjects[k]);
            c.removedIndex = k;
        } else {
            subject.put(keyObjects[c.removedIndex], values[c.removedIndex]);
            c.removedIndex = -1;
        }
        return null;
    }
}
