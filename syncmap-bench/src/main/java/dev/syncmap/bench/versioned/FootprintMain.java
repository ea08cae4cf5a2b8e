package dev.syncmap.bench.versioned;

import dev.syncmap.VersionedMap;
import dev.syncmap.bench.Keys;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jol.info.GraphLayout;

/**
 * Memory per entry with JOL, for the target "VersionedMap &le; 1.25&times; ConcurrentHashMap": the retained graph
 * of each map ({@code GraphLayout.parseInstance(map).totalSize()}) divided by the number of entries, boxed keys and
 * values included (distinct {@code Integer} objects). {@code VersionedMap} is filled two ways: one {@code put} per
 * key (its history then holds the last {@value VersionedMap#DEFAULT_HISTORY_COUNT} single-change revisions), and one
 * {@code putAll} (its history then holds that whole batch: one revision of n changes, 12 bytes per change). The
 * last column removes the boxes (32 bytes per entry) to compare the structures alone.
 *
 * <p>Run: {@code java -Djdk.attach.allowAttachSelf=true -cp syncmap-bench/target/benchmarks.jar
 * dev.syncmap.bench.versioned.FootprintMain} (JOL needs to attach to its own JVM).
 */
public final class FootprintMain {

    private FootprintMain() {
    }

    /**
     * Prints the table.
     *
     * @param args optional key counts (default 1000 and 1000000)
     */
    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {1_000, 1_000_000} : parse(args);
        System.out.printf(Locale.ROOT, "%-28s %10s %14s %10s %14s%n", "map", "keys", "bytes/entry", "vs CHM",
            "w/o boxes");
        for (int n : sizes) {
            Integer[] keys = Keys.boxed(n);
            Integer[] values = Subject.values(n);
            double chm = perEntry(Subject.create(Subject.CHM).fill(keys, values).map(), n);
            print("ConcurrentHashMap", n, chm, chm);
            print("TrieMap", n, perEntry(Subject.create(Subject.TRIE).fill(keys, values).map(), n), chm);
            print("VersionedMap (puts)", n, perEntry(Subject.create(Subject.VERSIONED).fill(keys, values).map(), n),
                chm);
            VersionedMap<Integer, Integer> batch = new VersionedMap<>();
            Map<Integer, Integer> all = new HashMap<>();
            for (int i = 0; i < n; i++) {
                all.put(keys[i], values[i]);
            }
            batch.putAll(all);
            all = null;
            print("VersionedMap (one putAll)", n, perEntry(batch, n), chm);
            VersionedMap<Integer, Integer> noHistory = VersionedMap.<Integer, Integer>builder().historyCount(0).build();
            new Subject(noHistory).fill(keys, values);
            print("VersionedMap (no history)", n, perEntry(noHistory, n), chm);
        }
    }

    private static int[] parse(String[] args) {
        int[] r = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            r[i] = Integer.parseInt(args[i]);
        }
        return r;
    }

    private static double perEntry(Object map, int n) {
        return (double) GraphLayout.parseInstance(map).totalSize() / n;
    }

    private static void print(String name, int n, double perEntry, double chm) {
        System.out.printf(Locale.ROOT, "%-28s %10d %14.1f %9.2fx %14.1f%n", name, n, perEntry, perEntry / chm,
            perEntry - 32);
    }
}
