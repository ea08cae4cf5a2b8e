package dev.syncmap.bench.versioned;

import dev.syncmap.bench.Contender;
import dev.syncmap.bench.Keys;
import dev.syncmap.VersionedMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import scala.collection.concurrent.TrieMap;

/**
 * The cost of a point-in-time copy at 1k and 1M keys, for the target "{@code snapshot()} under 1 &micro;s at 1M
 * keys". Score: nanoseconds per operation.
 *
 * <ul>
 *   <li>{@code versionedSnapshotIdle}: {@code snapshot()} of a map nothing was written to since the previous
 *       snapshot (it hands the same immutable snapshot out again);</li>
 *   <li>{@code versionedPutThenSnapshot} minus {@code versionedPut}: a fresh snapshot after each write
 *       (registration, revision cut; the write after it then keeps one old version);</li>
 *   <li>{@code trieSnapshot}, {@code trieReadOnlySnapshot}: Scala {@code TrieMap}'s O(1) snapshots of an idle map;
 *       {@code trieUpdateThenReadOnlySnapshot} minus {@code trieUpdate}: after each write (the first write after a
 *       snapshot copies a path of the trie);</li>
 *   <li>{@code chmCopy}: {@code new HashMap<>(chm)}, the usual way to "snapshot" a {@code ConcurrentHashMap}
 *       (O(n), and not point-in-time under writers).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SnapshotTargetBenchmark extends TargetSettings {

    VersionedMap<Integer, Integer> versioned;
    TrieMap<Integer, Integer> trie;
    ConcurrentHashMap<Integer, Integer> chm;
    Integer hotKey;
    Integer valueA;
    Integer valueB;

    /** Fills the three maps with the same content. */
    @Setup(Level.Trial)
    public void fill() {
        versioned = new VersionedMap<>();
        trie = new TrieMap<>();
        chm = new ConcurrentHashMap<>();
        Integer[] k = Keys.boxed(keys);
        for (int i = 0; i < keys; i++) {
            Integer v = Integer.valueOf(keys + i);
            versioned.put(k[i], v);
            trie.update(k[i], v);
            chm.put(k[i], v);
        }
        hotKey = k[keys / 2];
        valueA = Integer.valueOf(-1_000_000);
        valueB = Integer.valueOf(-2_000_000);
        Contender.settleHeap();
    }

    /** One thread's alternating value, so consecutive puts differ. */
    @State(Scope.Thread)
    public static class Flip {
        boolean flip;
    }

    /** {@code snapshot()} of an idle map. */
    @Benchmark
    public Map<Integer, Integer> versionedSnapshotIdle() {
        return versioned.snapshot();
    }

    /** A put, then a fresh snapshot. */
    @Benchmark
    public Map<Integer, Integer> versionedPutThenSnapshot(Flip f) {
        versioned.put(hotKey, (f.flip = !f.flip) ? valueA : valueB);
        return versioned.snapshot();
    }

    /** The put alone (baseline for the above). */
    @Benchmark
    public void versionedPut(Flip f) {
        versioned.put(hotKey, (f.flip = !f.flip) ? valueA : valueB);
    }

    /** {@code TrieMap.snapshot()} (a mutable O(1) snapshot) of an idle map. */
    @Benchmark
    public Object trieSnapshot() {
        return trie.snapshot();
    }

    /** {@code TrieMap.readOnlySnapshot()} of an idle map. */
    @Benchmark
    public Object trieReadOnlySnapshot() {
        return trie.readOnlySnapshot();
    }

    /** An update, then a read-only snapshot. */
    @Benchmark
    public Object trieUpdateThenReadOnlySnapshot(Flip f) {
        trie.update(hotKey, (f.flip = !f.flip) ? valueA : valueB);
        return trie.readOnlySnapshot();
    }

    /** The update alone (baseline for the above). */
    @Benchmark
    public void trieUpdate(Flip f) {
        trie.update(hotKey, (f.flip = !f.flip) ? valueA : valueB);
    }

    /** Copying a {@code ConcurrentHashMap} into a {@code HashMap}. */
    @Benchmark
    public Map<Integer, Integer> chmCopy() {
        return new HashMap<>(chm);
    }

    /** Reading one key through a snapshot taken after a write (snapshot lookups walk a version chain). */
    @Benchmark
    public void versionedSnapshotGet(Flip f, Blackhole bh) {
        versioned.put(hotKey, (f.flip = !f.flip) ? valueA : valueB);
        bh.consume(versioned.snapshot().get(hotKey));
    }
}
