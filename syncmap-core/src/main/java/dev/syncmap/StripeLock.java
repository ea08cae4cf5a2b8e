package dev.syncmap;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The lock of one {@link VersionedMap} writer stripe: a non-reentrant mutex on the JDK's queued synchronizer.
 *
 * <h2>Implementation notes</h2>
 * The state is 0 (free) or 1 (held). {@code lock()} tries one CAS and, if the stripe is held, watches it for a
 * bounded moment (a few microseconds, so that a holder that is running costs the waiter no park and unpark), then
 * waits in the synchronizer's queue: it retries while it enqueues, then parks, and {@code unlock()} (a volatile
 * write of 0, then a read of the queue's head) unparks the first waiter. A waiter for a writer descheduled while it
 * holds the stripe therefore gives its core away after that watch and wakes when that writer is done, rather than
 * spinning on a machine whose cores are all busy, or sleeping out a back-off after the stripe was freed. Not fair,
 * like a default {@code ReentrantLock}: an arriving writer takes a free stripe even if others are queued, since a
 * hand-off to a parked thread costs microseconds and a stripe is held for well under one (mapping functions aside);
 * a barged waiter is unparked again at the next unlock.
 *
 * <p>Not reentrant: a writer never takes its stripe twice (a mapping function cannot write to its map, see
 * {@code FunctionGuard}), and a reentrant count would cost a thread read on every lock. Padded so that two
 * stripes' locks, allocated one after the other, never share a cache line.
 */
@SuppressWarnings("unused")
final class StripeLock extends AbstractQueuedSynchronizer {
    private static final long serialVersionUID = 1L;

    long p00, p01, p02, p03, p04, p05, p06, p07;

    /** Takes the stripe, waiting (parked) while another writer holds it. */
    void lock() {
        if (!compareAndSetState(0, 1) && !spinToTake()) {
            acquire(1);
        }
    }

    /** Watches the stripe for a bounded moment before queueing (see {@code Sequencer.spinToTake}). */
    private boolean spinToTake() {
        for (int i = 0; i < Sequencer.SPINS; i++) {
            Thread.onSpinWait();
            if (getState() == 0 && tryAcquire(1)) {
                return true;
            }
        }
        return false;
    }

    /** Frees the stripe and wakes the first waiter, if any. Call only while holding it. */
    void unlock() {
        release(1);
    }

    @Override
    protected boolean tryAcquire(int ignored) {
        return compareAndSetState(0, 1);
    }

    @Override
    protected boolean tryRelease(int ignored) {
        setState(0);
        return true;
    }
}
