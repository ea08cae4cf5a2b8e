package dev.syncmap.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jol.info.GraphLayout;

/**
 * Memory per entry of every contender, measured with JOL: how much the object graph reachable from a map grows
 * when it holds {@code keys} entries instead of none, divided by {@code keys}.
 *
 * <p>What is counted: everything the entries cost: tables, nodes, tries, stripes' tables, snapshots or change
 * history the map retains, <em>and the boxed keys and values</em>, because the map holds them (a {@code Map<Integer,
 * Integer>} cannot exist without them). Keys and values are distinct {@code Integer} objects (values are not the
 * key objects), so a 64-bit JVM with compressed references counts 2 × 16 bytes of boxes per entry;
 * {@link #boxBytesPerEntry(String, int)} reports that share so that a reader can subtract it. The map is filled
 * through one {@code putAll} from a {@code HashMap}, the way the benchmarks fill it.
 *
 * <p>Why the growth rather than the plain {@code totalSize() / keys}: JOL walks every reference, and some maps
 * reach JVM-wide objects (Scala's {@code TrieMap} references shared hashing and equivalence singletons whose graph
 * leads into {@code java.lang.Class} metadata and reflection caches, several kilobytes that even change with JOL's
 * own mode of operation). Subtracting the graph of an empty map of the same contender, walked after a warm-up walk
 * so that JOL's reflection caches are settled, removes that shared part and the map's fixed header, leaving the
 * cost that scales with the entries. For large maps the two definitions agree to a fraction of a byte.
 *
 * <p>Sizes depend on the JVM (compressed references and object alignment); the numbers are for the JVM that
 * runs this class. JOL may print a warning about attaching to the VM; the sizes do not depend on it.
 */
public final class Footprint {

    static {
        // Without an instrumentation agent JOL reads field offsets through Unsafe, which refuses hidden classes
        // (lambdas a map may reference); this JOL switch computes those offsets another way. It is read when JOL
        // initialises, so it must be set before the first GraphLayout call; an explicit -D setting wins.
        if (System.getProperty("jol.magicFieldOffset") == null) {
            System.setProperty("jol.magicFieldOffset", "true");
        }
    }

    private Footprint() {
    }

    /**
     * Bytes per entry of the named contender holding {@code keys} entries, boxed keys and values included: the
     * growth of its retained graph over an empty map of the same contender, divided by {@code keys}.
     *
     * @param map the contender
     * @param keys the number of entries, at least 1
     * @return (retained bytes with {@code keys} entries - retained bytes empty) / keys
     * @throws IllegalArgumentException for an unknown map or {@code keys < 1}
     */
    public static double bytesPerEntry(Contender map, int keys) {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be at least 1, was " + keys);
        }
        Map<Integer, Integer> filled = filled(map, keys);
        Map<Integer, Integer> empty = map.create();
        GraphLayout.parseInstance(filled, empty); // warm-up walk: settles JOL's reflective caches
        long emptyBytes = GraphLayout.parseInstance(empty).totalSize();
        long filledBytes = GraphLayout.parseInstance(filled).totalSize();
        return (double) (filledBytes - emptyBytes) / keys;
    }

    /**
     * The part of {@link #bytesPerEntry(Contender, int)} taken by the boxed keys and values ({@code Integer}
     * objects reachable from the map), per entry.
     *
     * @param map the contender
     * @param keys the number of entries, at least 1
     * @return bytes of {@code Integer} objects / keys
     */
    public static double boxBytesPerEntry(Contender map, int keys) {
        return (double) GraphLayout.parseInstance(filled(map, keys)).getClassSizes().count(Integer.class) / keys;
    }

    /** A new contender holding keys 0..keys-1, each mapped to a distinct Integer equal to its bitwise complement. */
    static Map<Integer, Integer> filled(Contender map, int keys) {
        Integer[] boxed = Keys.boxed(keys);
        Map<Integer, Integer> source = new HashMap<>(keys * 2);
        for (int i = 0; i < keys; i++) {
            source.put(boxed[i], Integer.valueOf(~i)); // ~i: never an Integer-cache instance shared with a key
        }
        Map<Integer, Integer> target = map.create();
        target.putAll(source);
        if (target.size() != keys) {
            throw new IllegalStateException(map + " holds " + target.size() + " entries after putAll of " + keys);
        }
        return target;
    }

    /**
     * Prints a table of bytes per entry for every contender (boxes included, and the boxes' share).
     *
     * @param args key counts to measure, default {@code 1000 100000}; large counts take seconds and memory
     */
    public static void main(String[] args) {
        List<Integer> counts = new ArrayList<>();
        for (String arg : args) {
            counts.add(Integer.parseInt(arg.replace("_", "")));
        }
        if (counts.isEmpty()) {
            counts.add(1_000);
            counts.add(100_000);
        }
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-20s", "bytes/entry"));
        for (int count : counts) {
            header.append(String.format(Locale.ROOT, "%14s", count + " keys"));
        }
        System.out.println(header + "   (growth over an empty map; boxed Integer keys and values included)");
        for (Contender contender : Contender.values()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-20s", contender));
            for (int count : counts) {
                row.append(String.format(Locale.ROOT, "%14.1f", bytesPerEntry(contender, count)));
            }
            System.out.println(row);
        }
        System.out.println("of which boxes: "
                + String.format(Locale.ROOT, "%.1f", boxBytesPerEntry(Contender.BASELINE, counts.get(0)))
                + " bytes/entry (two Integer objects)");
    }
}
