package dev.syncmap.replicate;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A share of the key space, for a gray release: the keys a candidate resolver is tried on. Either keys whose
 * string form starts with one of some prefixes, or a fixed percentage of keys chosen by hash (the same keys on
 * every node and every run, since {@code hashCode} of strings and boxed numbers is specified).
 */
public final class KeyShare implements Predicate<Object> {

    private final List<String> prefixes;
    private final int percent;

    private KeyShare(List<String> prefixes, int percent) {
        this.prefixes = prefixes;
        this.percent = percent;
    }

    /**
     * The keys whose {@code toString()} starts with one of the prefixes.
     *
     * @param prefixes the prefixes, at least one
     * @return the share
     */
    public static KeyShare prefixes(List<String> prefixes) {
        if (prefixes.isEmpty()) {
            throw new IllegalArgumentException("a prefix share needs at least one prefix");
        }
        return new KeyShare(List.copyOf(prefixes), -1);
    }

    /**
     * A percentage of keys, by hash.
     *
     * @param percent 0 to 100
     * @return the share
     */
    public static KeyShare hashPercent(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be 0 to 100, got " + percent);
        }
        return new KeyShare(List.of(), percent);
    }

    @Override
    public boolean test(Object key) {
        Objects.requireNonNull(key, "key");
        if (percent >= 0) {
            int h = key.hashCode() * 0x9E3779B9;
            return Integer.remainderUnsigned(h ^ (h >>> 16), 100) < percent;
        }
        String s = key.toString();
        for (String p : prefixes) {
            if (s.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return percent >= 0 ? percent + "% of keys by hash" : "keys starting with " + prefixes;
    }
}
