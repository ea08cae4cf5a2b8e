package dev.syncmap.replicate;

import java.util.HashMap;
import java.util.Map;

/**
 * A deterministic write sequence: op {@code i} is a pure function of a seed and {@code i}, so replaying ops
 * {@code 1..n} on a fresh single-writer map rebuilds the same content at the same revisions (revision r always
 * means the same write). That is what lets a source "survive" a {@code kill -9}: the restarted process replays
 * the ops and has the same history as the killed one.
 *
 * <p>The mix: puts and removes of a thousand hot keys (rewritten again and again), {@code putAll} batches (one
 * revision, many keys), puts of a key unique to the op (never written again: a lost change to it stays visible
 * in the final state) and removes of such unique keys (absent ones commit no revision).
 */
final class DeterministicOps {

    static final int HOT_KEYS = 1_000;
    static final int UNIQUE_BASE = 1_000_000;

    private final long seed;

    DeterministicOps(long seed) {
        this.seed = seed;
    }

    /** SplitMix64's finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int below(long bits, int n) {
        return (int) Long.remainderUnsigned(bits, n);
    }

    /**
     * Applies op {@code i} (1-based) to a map.
     *
     * @param map the map (single writer)
     * @param i the op's index
     */
    void apply(Map<Integer, String> map, int i) {
        long r = mix(seed ^ mix(i));
        int kind = below(r, 100);
        int hot = below(r >>> 7, HOT_KEYS);
        if (kind < 35) {
            map.put(hot, "p" + i);
        } else if (kind < 50) {
            map.remove(hot);
        } else if (kind < 62) {
            int n = 1 + below(r >>> 20, 16);
            Map<Integer, String> batch = new HashMap<>();
            for (int j = 0; j < n; j++) {
                batch.put((hot + j * 37) % HOT_KEYS, "b" + i + "." + j);
            }
            if (below(r >>> 40, 4) == 0) {
                batch.put(UNIQUE_BASE + i, "ub" + i);
            }
            map.putAll(batch);
        } else if (kind < 88) {
            map.put(UNIQUE_BASE + i, "u" + i);
        } else {
            map.remove(UNIQUE_BASE + i - 1 - below(r >>> 24, 10_000));
        }
    }

    /**
     * The content after ops {@code 1..n}.
     *
     * @param n the number of ops
     * @return a fresh map
     */
    Map<Integer, String> expectedAfter(int n) {
        Map<Integer, String> m = new HashMap<>();
        for (int i = 1; i <= n; i++) {
            apply(m, i);
        }
        return m;
    }
}
