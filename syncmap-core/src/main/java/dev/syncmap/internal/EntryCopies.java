package dev.syncmap.internal;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Copies the mappings of a caller's map into a flat array before a map takes its locks.
 *
 * <p>Used by {@code putAll}: copying first means no foreign map is iterated while one of ours is locked (two maps
 * each {@code putAll}-ing the other could otherwise deadlock), and every null is found before the first mapping is
 * written, so a {@code putAll} that throws {@link NullPointerException} changes nothing.
 */
public final class EntryCopies {

    private EntryCopies() {}

    /**
     * Copies {@code source}'s mappings as {@code [k0, v0, k1, v1, ...]}.
     *
     * @param source the map to copy; may be concurrent (the copy then shows what its iterator shows)
     * @return a new array of even length, twice the number of mappings copied
     * @throws NullPointerException naming {@code "key"} or {@code "value"} if a mapping holds a null,
     *     or naming {@code "m"} if {@code source} is null
     */
    public static Object[] keysAndValues(Map<?, ?> source) {
        Objects.requireNonNull(source, "m");
        Object[] kv = new Object[Math.max(2, 2 * source.size())];
        int n = 0;
        for (Map.Entry<?, ?> e : source.entrySet()) {
            if (n == kv.length) {
                kv = Arrays.copyOf(kv, 2 * kv.length); // a concurrent source grew while we copied
            }
            kv[n++] = Objects.requireNonNull(e.getKey(), "key");
            kv[n++] = Objects.requireNonNull(e.getValue(), "value");
        }
        return n == kv.length ? kv : Arrays.copyOf(kv, n);
    }
}
