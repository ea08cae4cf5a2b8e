package dev.syncmap;

import dev.syncmap.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/** Padding before the hot fields, so that no other object shares their cache line. */
@SuppressWarnings("unused")
abstract class SequencerPadBefore {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** The hot fields: written by every commit, read by snapshots, {@code revision()} and {@code size()}. */
abstract class SequencerFields extends SequencerPadBefore {
    /**
     * {@code revision << 1 | busy}: the last committed revision, and whether a commit is in progress. Accessed
     * only through {@code STATE}, each access in the mode its accessor is named after.
     */
    long state;
    /** The number of mappings after the last committed revision; written (release) only by the commit holder,
     * read plainly by it and with acquire inside a seqlock window by everyone else. */
    long size;
    /** The oldest revision the history retains ({@link ChangeLog}): written (release) only by the commit holder,
     * read plainly by it and with acquire by readers; here so that a commit writes one line. */
    long historyOldest;
    /** The estimated bytes the history retains; read and written only by the commit holder. */
    long historyBytes;
}

/**
 * The commit sequencer of a {@link VersionedMap}: a tiny lock whose word also holds the revision counter.
 *
 * <h2>Implementation notes</h2>
 * The word is {@code revision << 1 | busy}. A commit CASes an even word {@code 2r} to {@code 2r + 1} (taking the
 * lock and allocating revision {@code r + 1} in one atomic step), publishes its changes (node values, version
 * chains, the history slot, the size), and releases with a release store of {@code 2(r + 1)}. Hence:
 * <ul>
 *   <li>revisions are allocated only by commits that will complete: no gaps; and in the order their changes
 *       become visible, so readers can never observe revision {@code r + 1} before {@code r};</li>
 *   <li>an even word read with acquire, {@code 2r}, means every change of every revision up to {@code r} is
 *       visible and none of a later one has begun: that read is a linearizable <em>cut</em>, which is all a
 *       snapshot needs (see {@link #awaitIdle()}); the size is read in the same seqlock window.</li>
 * </ul>
 * The critical section contains no user code (mapping functions run before it, under the key's stripe lock)
 * and no allocation in the common case, so it is a few dozen nanoseconds. Only multi-key batches hold it for
 * long. Padded on both sides: every writer writes this line, which also carries the size and the history's
 * bookkeeping ({@code historyOldest}, {@code historyBytes}), so a commit owns one shared line, not three.
 *
 * <p><b>Waiting.</b> A commit tries one CAS; a cut one read. If the word is busy, the thread watches it for a
 * bounded moment ({@link #SPINS} reads, a few microseconds), then waits in the JDK's
 * queue ({@link Waiters}, an {@link AbstractQueuedSynchronizer} whose acquire is this word's CAS): it retries a
 * few times while it enqueues, then parks, and the holder's release unparks the first waiter. So a waiter for a
 * holder that was descheduled inside the section gives its core away after that short watch (on a machine with
 * as many busy threads as cores, the holder needs that core to finish) and is woken as soon as the holder
 * releases, instead of sleeping out a fixed back-off. The queue is not fair: a commit arriving while the word is free takes it even if
 * others are queued (as a non-fair {@code ReentrantLock} does), because a hand-off to a parked thread costs
 * microseconds and the section costs nanoseconds; a barged waiter is unparked again at the next release, and with
 * sections this short it is not starved in practice. Cuts wait in shared mode and pass the wake-up on, so one
 * release wakes every cut queued behind it and the commit queued after them.
 *
 * <p>The release is a volatile write of the word followed by a read of the queue's head (Dekker style against the
 * waiter's volatile enqueue, then re-check of the word, then park): either the releaser sees the queued waiter and
 * unparks it, or the waiter's re-check sees the released word. No wake-up is lost.
 *
 * <p><b>When a commit fails.</b> A holder whose section throws before it published anything calls
 * {@link #rollback}: the word returns to {@code 2r}, the revision is allocated again by the next commit, and no
 * reader could have seen it (a cut only reads even words). A holder that throws after it began to publish calls
 * {@link #poison}: the word stays odd for good, and every waiter (commits, cuts, {@link #awaitIdle()}), on seeing
 * an odd word, reads {@code brokenBy} and throws {@link IllegalStateException} instead of waiting. That read is
 * on the waiting path only; the uncontended paths read nothing more than before. Threads already parked are woken
 * by the poisoning: a broken map lets every queued waiter through the queue (each wakes the next) to throw.
 */
@SuppressWarnings("unused")
final class Sequencer extends SequencerFields implements SnapshotRegistry.Cutter {
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    /** The Error that escaped a commit after it began to publish; set once, read only by waiters (cold). */
    private volatile Throwable brokenBy;
    /** How many times a thread watches a busy word before it queues: see {@link #spinToTake}. */
    static final int SPINS = 512;

    /** Where threads park while the word is busy (a separate object: the hot line holds only the word). */
    private final Waiters waiters = new Waiters();

    private static final VarHandle STATE =
        VarHandles.field(MethodHandles.lookup(), SequencerFields.class, "state", long.class);
    private static final VarHandle SIZE =
        VarHandles.field(MethodHandles.lookup(), SequencerFields.class, "size", long.class);
    /** Access to {@code historyOldest}, for {@link ChangeLog}. */
    static final VarHandle HISTORY_OLDEST =
        VarHandles.field(MethodHandles.lookup(), SequencerFields.class, "historyOldest", long.class);

    Sequencer(long revision, long size) {
        this.state = revision << 1; // plain: published with the map (a final field of it)
        this.size = size;
        this.historyOldest = revision + 1;
    }

    /**
     * Takes the sequencer and returns the revision the caller commits, waiting in the queue while it is busy.
     * The CAS is volatile, which the no-lost-wake-up argument of {@link WatchHub}
     * relies on: the writer's later volatile read of the open-watch count is ordered after it.
     *
     * @throws IllegalStateException if the map is broken
     */
    long acquire() {
        if (!tryTake() && !spinToTake()) {
            waiters.acquire(1); // returns holding the word, or at once if the map is broken
            Throwable cause = brokenBy;
            if (cause != null) { // broken: the word was not taken (it stays odd); pass the wake-up on
                waiters.release(1);
                throw broken((long) STATE.getVolatile(this), cause);
            }
        }
        return ((long) STATE.get(this) >>> 1) + 1; // plain: the holder's own write
    }

    /**
     * Before queueing: watches the word for {@link #SPINS} reads (a few microseconds, several running holders'
     * sections back to back) and takes it if it frees. A bounded watch, then the JDK queue: a holder that is
     * running releases within it and the waiter avoids a park and an unpark (microseconds each, against a section
     * of tens of nanoseconds); a holder that is descheduled does not, and the waiter parks without a back-off.
     */
    private boolean spinToTake() {
        for (int i = 0; i < SPINS; i++) {
            Thread.onSpinWait();
            if (tryTake()) {
                return true;
            }
        }
        return false;
    }

    /** One attempt to take the word: the fast path, the bounded watch and the queue's acquire all use it. */
    private boolean tryTake() {
        long s = (long) STATE.getVolatile(this);
        return (s & 1) == 0 && STATE.compareAndSet(this, s, s + 1);
    }

    /** The size as of the current holder's last write; call only while holding the sequencer (plain read). */
    long sizeHeld() {
        return (long) SIZE.get(this);
    }

    /** Publishes the new size and commits {@code revision}, releasing the sequencer. */
    void release(long revision, long newSize) {
        SIZE.setRelease(this, newSize);
        STATE.setVolatile(this, revision << 1); // volatile: ordered before the read of the queue (no lost wake-up)
        waiters.release(1);
    }

    /**
     * Releases the sequencer without committing {@code revision}: for a holder whose section failed before it
     * published anything (size and history untouched). The next commit allocates {@code revision} again.
     */
    void rollback(long revision) {
        STATE.setVolatile(this, (revision - 1) << 1);
        waiters.release(1);
    }

    /**
     * Marks the map broken by {@code cause}, which escaped the commit of the revision being committed after it
     * began to publish. The word stays odd: nothing can be committed, cut or awaited again; waiters throw.
     */
    void poison(Throwable cause) {
        brokenBy = cause;
        waiters.release(1); // the first queued waiter wakes, sees the map broken, wakes the next and throws
    }

    /** The exception every later commit, cut and wait throws, or null if the map is not broken. */
    IllegalStateException brokenException() {
        Throwable cause = brokenBy;
        return cause == null ? null : broken((long) STATE.getAcquire(this), cause);
    }

    /**
     * The queue of threads waiting for the word: commits in exclusive mode, cuts in shared mode. Its own state is
     * unused; "acquiring" is the sequencer's CAS (exclusive) or seeing the word even (shared, changing nothing).
     * On a broken map both succeed at once, so that each woken waiter passes the wake-up on (the caller releases
     * and throws).
     */
    private final class Waiters extends AbstractQueuedSynchronizer {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean tryAcquire(int ignored) {
            if (brokenBy != null && (((long) STATE.getVolatile(Sequencer.this)) & 1) != 0) {
                return true; // broken: acquire() releases and throws
            }
            return tryTake();
        }

        @Override
        protected boolean tryRelease(int ignored) {
            return true; // the word was released by the caller: wake the first waiter
        }

        @Override
        protected int tryAcquireShared(int ignored) {
            long s = (long) STATE.getVolatile(Sequencer.this);
            return (s & 1) == 0 || brokenBy != null ? 1 : -1;
        }

        @Override
        protected boolean tryReleaseShared(int ignored) {
            return true;
        }
    }

    private void checkNotBroken(long oddState) {
        Throwable cause = brokenBy;
        if (cause != null) {
            throw broken(oddState, cause);
        }
    }

    private static IllegalStateException broken(long oddState, Throwable cause) {
        return new IllegalStateException("VersionedMap is broken: " + cause + " escaped the commit of revision "
            + ((oddState >>> 1) + 1) + " after it began to publish, so its content is unknown; commits, snapshots, "
            + "revision(), size() and the feed are refused (single-key reads still answer and may show part of that "
            + "revision)", cause);
    }

    /**
     * The last committed revision, without waiting for a commit in progress (for the asynchronous feed). Acquire:
     * the feed then reads that revision's history slot.
     */
    long committedRevision() {
        return (long) STATE.getAcquire(this) >>> 1;
    }

    /** The newest revision allocated: the committed one, or the one being committed now. */
    long allocatedRevision() {
        long s = (long) STATE.getAcquire(this);
        return (s >>> 1) + (s & 1);
    }

    /**
     * Waits until no commit is in progress and returns the (even) word seen: a linearizable cut. A volatile read,
     * so that it is ordered after a preceding volatile write by the caller (the snapshot registration, or the
     * open-watch count of a registering watch: see {@link WatchHub}).
     *
     * @throws IllegalStateException if the map is broken
     */
    long awaitIdle() {
        for (;;) {
            long s = (long) STATE.getVolatile(this);
            if ((s & 1) == 0) {
                return s;
            }
            checkNotBroken(s);
            for (int i = 0; i < SPINS; i++) {
                Thread.onSpinWait();
                s = (long) STATE.getVolatile(this);
                if ((s & 1) == 0) {
                    return s;
                }
            }
            waiters.acquireShared(1); // returns once the word was seen even (or throws if broken)
            waiters.releaseShared(1); // a cut holds nothing: pass the wake-up on to the next waiter
        }
    }

    /** Reads the size at a cut (exact and linearizable). */
    long sizeAtCut() {
        for (;;) {
            long s = awaitIdle();
            long n = (long) SIZE.getAcquire(this);
            VarHandle.loadLoadFence();
            if ((long) STATE.getVolatile(this) == s) {
                return n;
            }
        }
    }

    /**
     * Reads a consistent (revision, size) pair at a cut: {@code out[0]} = revision, {@code out[1]} = size.
     */
    @Override
    public void cut(long[] out) {
        for (;;) {
            long s = awaitIdle();
            long n = (long) SIZE.getAcquire(this);
            VarHandle.loadLoadFence();
            if ((long) STATE.getVolatile(this) == s) {
                out[0] = s >>> 1;
                out[1] = n;
                return;
            }
        }
    }
}
