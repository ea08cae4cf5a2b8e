package dev.syncmap.replicate;

import java.util.Arrays;

/**
 * Grades a sink's overload from the p99 of its write latency over a sliding time window: level 0 (normal) below
 * the first threshold, 1, 2 and 3 from each threshold up. With no sample in the window the level is 0. At
 * level 1 the batch size shrinks from its maximum toward its minimum as the p99 moves from the first threshold
 * to the second; from level 2 it is the minimum. Writer thread only, except the volatile getters.
 */
final class OverloadMonitor {

    private static final int CAPACITY = 512;

    private final long windowNanos;
    private final long t1;
    private final long t2;
    private final long t3;
    private final int minBatch;
    private final int maxBatch;
    private final long[] at = new long[CAPACITY];
    private final long[] latency = new long[CAPACITY];
    private final long[] scratch = new long[CAPACITY];
    private int size;
    private int next;
    private volatile int level;
    private volatile long p99;
    private volatile int batchSize;

    OverloadMonitor(long windowNanos, long t1, long t2, long t3, int minBatch, int maxBatch) {
        this.windowNanos = windowNanos;
        this.t1 = t1;
        this.t2 = t2;
        this.t3 = t3;
        this.minBatch = Math.min(minBatch, maxBatch);
        this.maxBatch = maxBatch;
        this.batchSize = maxBatch;
    }

    /** Records one write's latency and re-grades. */
    void record(long nowNanos, long nanos) {
        at[next] = nowNanos;
        latency[next] = nanos;
        next = (next + 1) % CAPACITY;
        size = Math.min(size + 1, CAPACITY);
        refresh(nowNanos);
    }

    /** Re-grades (samples older than the window leave it). */
    void refresh(long nowNanos) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (nowNanos - at[i] <= windowNanos) {
                scratch[n++] = latency[i];
            }
        }
        long p;
        if (n == 0) {
            p = 0;
        } else {
            Arrays.sort(scratch, 0, n);
            p = scratch[Math.max(0, (int) Math.ceil(0.99 * n) - 1)];
        }
        p99 = p;
        int lv = p >= t3 ? 3 : p >= t2 ? 2 : p >= t1 ? 1 : 0;
        level = lv;
        if (lv == 0) {
            batchSize = maxBatch;
        } else if (lv == 1) {
            double f = (double) (p - t1) / Math.max(1, t2 - t1);
            batchSize = (int) Math.max(minBatch, Math.round(maxBatch - f * (maxBatch - minBatch)));
        } else {
            batchSize = minBatch;
        }
    }

    /** Forgets every sample (a new target). */
    void reset() {
        size = 0;
        next = 0;
        level = 0;
        p99 = 0;
        batchSize = maxBatch;
    }

    int level() {
        return level;
    }

    long p99Nanos() {
        return p99;
    }

    int batchSize() {
        return batchSize;
    }
}
