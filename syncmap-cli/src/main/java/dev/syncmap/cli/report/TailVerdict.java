package dev.syncmap.cli.report;

import java.util.List;

/**
 * How the measured maps' latency tails compare under one open-loop load (same key count, distribution, thread
 * count and arrival rate). Immutable; a part of {@code results.json}.
 *
 * <p>Latency runs are single runs (no confidence interval), so a tail is called long only when its p99 is at
 * least {@link Recommender#LONG_TAIL} times the lowest: a factor that run-to-run noise on a busy machine does not
 * produce on its own.
 *
 * @param keys the key count
 * @param dist the key distribution
 * @param threads the load threads
 * @param targetOpsPerSecond the arrival rate asked for
 * @param lowest the map with the lowest p99 among those that kept up (dropped no request), or null if none did
 * @param lowestP99Ns its p99, nanoseconds (0 when {@code lowest} is null)
 * @param longTails the maps that kept up but whose p99 is at least {@link Recommender#LONG_TAIL} times the lowest
 * @param fellBehind the maps that could not keep up with the arrival rate (dropped requests)
 * @param text the comparison in one sentence
 */
public record TailVerdict(int keys, String dist, int threads, double targetOpsPerSecond, String lowest,
                          long lowestP99Ns, List<String> longTails, List<String> fellBehind, String text) {
    /**
     * Copies the lists.
     *
     * @throws NullPointerException if a list is null
     */
    public TailVerdict {
        longTails = List.copyOf(longTails);
        fellBehind = List.copyOf(fellBehind);
    }
}
