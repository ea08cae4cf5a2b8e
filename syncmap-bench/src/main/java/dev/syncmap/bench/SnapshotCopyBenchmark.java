package dev.syncmap.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * The cost of a copy of a map while a background writer runs (see {@link WrittenMapState}). Score:
 * <b>microseconds per copy</b> (JMH {@code AverageTime}).
 *
 * <ul>
 *   <li>{@link #snapshot()}: the cheapest copy a contender offers. For contenders that
 *       {@linkplain Contender#offersSnapshots() offer snapshots} it is their point-in-time snapshot
 *       ({@code VersionedMap.snapshot()}, {@code TrieMap.readOnlySnapshot()}), consistent and usually O(1); for
 *       the others it is {@code new HashMap<>(map)}, which is O(n) and, for the concurrent maps under a writer, not
 *       a point-in-time copy (each entry is read at a different moment); {@code SynchronizedMap} copies under its
 *       monitor, which is consistent but stops writers for the whole copy.</li>
 *   <li>{@link #copy()}: a materialised {@code HashMap} copy of that snapshot (or of the map itself): what it costs
 *       to end up with an independent, fully built copy.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SnapshotCopyBenchmark extends WrittenMapState {

    /**
     * The contender's cheapest copy: its snapshot if it has one, else a {@code HashMap} copy.
     *
     * @return the copy (consumed by JMH)
     */
    @Benchmark
    public Map<Integer, Integer> snapshot() {
        return snapshots ? map.snapshot(target) : copyOf(target);
    }

    /**
     * A fully materialised, independent {@code HashMap} copy, taken from the snapshot where there is one.
     *
     * @return the copy (consumed by JMH)
     */
    @Benchmark
    public Map<Integer, Integer> copy() {
        return copyOf(snapshots ? map.snapshot(target) : target);
    }
}
