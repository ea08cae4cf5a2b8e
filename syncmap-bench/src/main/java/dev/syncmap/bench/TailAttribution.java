package dev.syncmap.bench;

import java.util.List;

/**
 * Which share of a latency tail overlapped a garbage-collection pause: of the requests at or above the 99th (and
 * 99.9th) percentile, how many were in flight, or waiting to start, while the collector had stopped the JVM. The
 * rest of the tail is the map's own waiting (a lock, a descheduled writer, a resize) or the machine's.
 *
 * <p>A request's interval runs from its intended start to its completion, so a request that could not start
 * because the JVM was paused counts as overlapping the pause, as it should. The pause positions are known to
 * about a millisecond ({@link GcPauses#ALIGNMENT_NS}), so a slow request just before or after a pause may be
 * counted as the collector's: the shares are upper bounds of the collector's part.
 *
 * @param p99Slow requests at or above the 99th percentile
 * @param p99SlowInGc of those, the ones that overlapped a pause
 * @param p999Slow requests at or above the 99.9th percentile
 * @param p999SlowInGc of those, the ones that overlapped a pause
 * @param pauses pauses that overlapped the measured window
 * @param pauseNs their total length, in nanoseconds
 */
public record TailAttribution(long p99Slow, long p99SlowInGc, long p999Slow, long p999SlowInGc, int pauses,
                              long pauseNs) {

    /** Nothing was slow and nothing paused. */
    public static final TailAttribution NONE = new TailAttribution(0, 0, 0, 0, 0, 0);

    /**
     * Attributes the slow requests of a run.
     *
     * @param doneNs each request's completion time ({@link System#nanoTime()})
     * @param latencyNs each request's latency from its intended start, index for index with {@code doneNs}
     * @param count how many entries of the arrays are requests
     * @param p99Ns the smallest latency counted as at or above the 99th percentile
     * @param p999Ns the smallest latency counted as at or above the 99.9th percentile
     * @param pauses the pauses recorded during the run
     * @param fromNs the start of the measured window
     * @param toNs its end
     * @return the attribution
     */
    public static TailAttribution of(long[] doneNs, long[] latencyNs, int count, long p99Ns, long p999Ns,
                                     List<GcPauses.Pause> pauses, long fromNs, long toNs) {
        List<GcPauses.Pause> inWindow = pauses.stream().filter(p -> p.overlaps(fromNs, toNs)).toList();
        long p99Slow = 0;
        long p99InGc = 0;
        long p999Slow = 0;
        long p999InGc = 0;
        for (int i = 0; i < count; i++) {
            long latency = latencyNs[i];
            if (latency < p99Ns) {
                continue;
            }
            boolean inGc = overlapsAny(inWindow, doneNs[i] - latency, doneNs[i]);
            p99Slow++;
            p99InGc += inGc ? 1 : 0;
            if (latency >= p999Ns) {
                p999Slow++;
                p999InGc += inGc ? 1 : 0;
            }
        }
        long pauseNs = inWindow.stream().mapToLong(GcPauses.Pause::lengthNs).sum();
        return new TailAttribution(p99Slow, p99InGc, p999Slow, p999InGc, inWindow.size(), pauseNs);
    }

    private static boolean overlapsAny(List<GcPauses.Pause> pauses, long fromNs, long toNs) {
        for (GcPauses.Pause p : pauses) {
            if (p.overlaps(fromNs, toNs)) {
                return true;
            }
        }
        return false;
    }

    /** @return the share of the requests at or above the 99th percentile that overlapped a pause, 0 to 1 */
    public double p99GcShare() {
        return p99Slow == 0 ? 0 : (double) p99SlowInGc / p99Slow;
    }

    /** @return the share of the requests at or above the 99.9th percentile that overlapped a pause, 0 to 1 */
    public double p999GcShare() {
        return p999Slow == 0 ? 0 : (double) p999SlowInGc / p999Slow;
    }
}
