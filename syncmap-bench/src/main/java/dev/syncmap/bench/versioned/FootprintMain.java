package dev.syncmap.bench.versioned;

import dev.syncmap.VersionedMap;
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
            Integer[] keys = Subject.keys(n);
            Integer[] values = new Integer[n];
            for (int i = 0; i < n; i++) {
                values[i] = Integer.valueOf(n + i);
            }
            double chm = perEntry(fill(Subject.create(Subject.CHM), keys, values).map(), n);
            print("ConcurrentHashMap", n, chm, chm);
            print("TrieMap", n, perEntry(fill(Subject.create(Subject.TRIE), keys, values).map(), n), chm);
            print("VersionedMap (puts)", n, perEntry(fill(Subject.create(Subject.VERSIONED), keys, values).map(), n),
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
            fill(new Subject.Versioned(noHistory), keys, values);
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

    private static Subject fill(Subject s, Integer[] keys, Integer[] values) {
        for (int i = 0; i < keys.length; i++) {
            s.put(keys[i], values[i]);
        }
        return s;
    }

    private static double perEntry(Object map, int n) {
        return (double) GraphLayout.parseInstance(map).totalSize() / n;
    }

    private static void print(String name, int n, double perEntry, double chm) {
        System.out.printf(Locale.ROOT, "%-28s %10d %14.1f %9.2fx %14.1f%n", name, n, perEntry, perEntry / chm,
            perEntry - 32);
    }
}
