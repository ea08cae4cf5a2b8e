package dev.syncmap.replicate;

/**
 * Counts a sink's successful and failed write attempts over a sliding time window of ten buckets, for
 * self-healing. Writer thread only, except the volatile rate.
 */
final class SuccessRateWindow {

    private static final int BUCKETS = 10;

    private final long bucketNanos;
    private final long[] start = new long[BUCKETS];
    private final long[] ok = new long[BUCKETS];
    private final long[] failed = new long[BUCKETS];
    private volatile double rate = 1.0;
    private long total;

    SuccessRateWindow(long windowNanos) {
        this.bucketNanos = Math.max(1, windowNanos / BUCKETS);
    }

    void record(long nowNanos, boolean success) {
        int i = bucket(nowNanos);
        if (success) {
            ok[i]++;
        } else {
            failed[i]++;
        }
        recompute(nowNanos);
    }

    private int bucket(long nowNanos) {
        long b = Math.floorDiv(nowNanos, bucketNanos);
        int i = (int) Math.floorMod(b, (long) BUCKETS);
        if (start[i] != b) {
            start[i] = b;
            ok[i] = 0;
            failed[i] = 0;
        }
        return i;
    }

    /** Recomputes the rate over the buckets still in the window. */
    void recompute(long nowNanos) {
        long b = Math.floorDiv(nowNanos, bucketNanos);
        long s = 0;
        long f = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (b - start[i] < BUCKETS) {
                s += ok[i];
                f += failed[i];
            }
        }
        total = s + f;
        rate = total == 0 ? 1.0 : (double) s / total;
    }

    long total() {
        return total;
    }

    double rate() {
        return rate;
    }

    void reset() {
        for (int i = 0; i < BUCKETS; i++) {
            ok[i] = 0;
            failed[i] = 0;
        }
        total = 0;
        rate = 1.0;
    }
}
