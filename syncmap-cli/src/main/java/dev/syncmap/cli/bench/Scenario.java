package dev.syncmap.cli.bench;

import dev.syncmap.bench.Mix;
import java.util.Comparator;
import java.util.Objects;

/**
 * One workload point that every contender is measured on: a mix, a key count, a key distribution and a
 * thread count. Immutable.
 *
 * @param mix the read:write mix
 * @param keys the number of distinct keys, positive
 * @param dist the key distribution
 * @param threads the number of benchmark threads, positive
 */
public record Scenario(Mix mix, int keys, Dist dist, int threads) {

    /** Orders by mix (most reads first), then keys, distribution and threads. */
    public static final Comparator<Scenario> ORDER = Comparator
            .comparingInt((Scenario s) -> -s.mix().reads())
            .thenComparingInt(Scenario::keys)
            .thenComparing(Scenario::dist)
            .thenComparingInt(Scenario::threads);

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if mix or dist is null
     * @throws IllegalArgumentException if keys or threads is below 1
     */
    public Scenario {
        Objects.requireNonNull(mix, "mix");
        Objects.requireNonNull(dist, "dist");
        Bounds.atLeast(1, keys, "keys");
        Bounds.atLeast(1, threads, "threads");
    }

    /** Returns a short label, {@code "97:3 · 100k keys · uniform · 2 threads"}. */
    public String label() {
        return mix + " · " + KeyCount.format(keys) + " keys · " + dist + " · " + threads
                + (threads == 1 ? " thread" : " threads");
    }
}
