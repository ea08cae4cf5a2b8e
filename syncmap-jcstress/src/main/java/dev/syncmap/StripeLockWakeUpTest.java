package dev.syncmap;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

/**
 * {@link StripeLock}'s hand-off (issue 12): a writer that finds its stripe held waits in the JDK queue and must
 * be woken by the holder's unlock, whether it parked before the unlock or arrived during it (the Dekker pattern:
 * the unlock's volatile write of the state then its read of the queue, against the waiter's enqueue then its
 * re-check of the state). In the {@code dev.syncmap} package to reach the package-private lock;
 * {@code dev.syncmap.jcstress.UnlockWithoutWakeUpControl} shows that a missing wake-up is seen as {@code STALE}.
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The waiter took the stripe once the holder unlocked.")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "Lost wake-up: the waiter stays parked on a free stripe.")
@State
public class StripeLockWakeUpTest {

    private final StripeLock lock = new StripeLock();

    /** The stripe starts held (a StripeLock has no owner thread, so the signal may unlock it). */
    public StripeLockWakeUpTest() {
        lock.lock();
    }

    /** A writer of the held stripe. */
    @Actor
    public void waiter() {
        lock.lock();
        lock.unlock();
    }

    /** The holder finishes. */
    @Signal
    public void holderUnlocks() {
        lock.unlock();
    }
}
