package dev.syncmap.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jol.info.GraphLayout;

/**
 * Memory per entry of every contender, measured with JOL: the retained size of the whole object graph reachable
 * from a map holding {@code keys} entries, divided by {@code keys}.
 *
 * <p>What is counted: everything the map references: its tables, nodes, locks, stripes, snapshots or change
 * history it retains, <em>and the boxed keys and values</em>, because the map holds them (a {@code Map<Integer,
 * Integer>} cannot exist without them). Keys and values are distinct {@code Integer} objects (values are not the
 * key objects), so a 64-bit JVM with compressed references counts 2 × 16 bytes of boxes per entry;
 * {@link #boxBytesPerEntry(String, int)} reports that share so that a reader can subtract it. The map is filled
 * through one {@code putAll} from a {@code HashMap}, the way the benchmarks fill it.
 *
 * <p>Sizes depend on the JVM (compressed references and object alignment); the numbers are for the JVM that
 * runs this class. JOL may print a warning about attaching to the VM; the sizes do not depend on it.
 */
public final class Footprint {

    private Footprint() {
    }

    /**
     * Bytes per entry of the named contender holding {@code keys} entries, boxed keys and values included.
     *
     * @param map a {@link Contenders} name
     * @param keys the number of entries, at least 1
     * @return retained bytes / keys
     * @throws IllegalArgumentException for an unknown map or {@code keys < 1}
     */
    public static double bytesPerEntry(String map, int keys) {
        return (double) GraphLayout.parseInstance(filled(map, keys)).totalSize() / keys;
    }

    /**
     * The part of {@link #bytesPerEntry(String, int)} taken by the boxed keys and values ({@code Integer}
     * objects reachable from the map), per entry.
     *
     * @param map a {@link Contenders} name
     * @param keys the number of entries, at least 1
     * @return bytes of {@code Integer} objects / keys
     */
    public static double boxBytesPerEntry(String map, int keys) {
        return (double) GraphLayout.parseInstance(filled(map, keys)).getClassSizes().count(Integer.class) / keys;
    }

    /** A new contender holding keys 0..keys-1, each mapped to a distinct Integer equal to its bitwise complement. */
    static Map<Integer, Integer> filled(String map, int keys) {
        Integer[] boxed = Keys.boxed(keys);
        Map<Integer, Integer> source = new java.util.HashMap<>(keys * 2);
        for (int i = 0; i < keys; i++) {
            source.put(boxed[i], Integer.valueOf(~i)); // ~i: never an Integer-cache instance shared with a key
        }
        Map<Integer, Integer> target = Contenders.create(map);
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
        System.out.println(header + "   (boxed Integer keys and values included)");
        for (String name : Contenders.names()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-20s", name));
            for (int count : counts) {
                GraphLayout layout = GraphLayout.parseInstance(filled(name, count));
                row.append(String.format(Locale.ROOT, "%14.1f", (double) layout.totalSize() / count));
            }
            System.out.println(row);
        }
        System.out.println("of which boxes: "
                + String.format(Locale.ROOT, "%.1f", boxBytesPerEntry(Contenders.BASELINE, counts.get(0)))
                + " bytes/entry (two Integer objects)");
    }
}
