package dev.syncmap;

import java.util.concurrent.locks.LockSupport;

/**
 * The wait policy of {@link VersionedMap}'s short spin locks: busy-spin briefly, then yield, then park with a
 * growing pause, so that a waiter for a long holder (a batch, a resize, a slow {@code compute} function) stops
 * burning a core, and a preempted holder gets the CPU back on an oversubscribed machine.
 */
final class Spin {

    private static final int SPIN_LIMIT = 64;
    private static final int YIELD_LIMIT = 128;
    private static final long MAX_PARK_NANOS = 100_000L;

    private Spin() {}

    /**
     * Waits a little; call it in a retry loop with the number of failed tries so far.
     *
     * @param tries how many times the caller has already waited
     */
    static void pause(int tries) {
        if (tries < SPIN_LIMIT) {
            Thread.onSpinWait();
        } else if (tries < YIELD_LIMIT) {
            Thread.yield();
        } else {
            int shift = Math.min(tries - YIELD_LIMIT, 7);
            LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, 1_000L << shift));
        }
    }
}
