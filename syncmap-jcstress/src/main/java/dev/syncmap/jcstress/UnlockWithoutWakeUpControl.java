package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

/**
 * DELIBERATELY BROKEN CONTROL for the wake-up tests of {@code StripeLock} and {@code Sequencer}
 * ({@code dev.syncmap.StripeLockWakeUpTest}, {@code SequencerCommitWakeUpTest}, {@code SequencerCutWakeUpTest}):
 * a queued lock whose unlock frees the state but wakes nobody. A waiter that parked before the unlock stays
 * parked on a free lock; the termination harness must report that as {@code STALE}, which {@link JCStressGate}
 * requires to be observed. (A waiter that arrives after the unlock takes the free lock and terminates.)
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The waiter arrived after the unlock.")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "Lost wake-up: the race this control exists to show.")
@State
@RacyControl("unlock frees the state without waking the queue")
public class UnlockWithoutWakeUpControl {

    /** The broken lock. */
    static final class NoWakeUp extends AbstractQueuedSynchronizer {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean tryAcquire(int ignored) {
            return compareAndSetState(0, 1);
        }

        /** The broken unlock: the state is free, but no waiter is unparked. */
        void freeWithoutWakeUp() {
            setState(0);
        }
    }

    private final NoWakeUp lock = new NoWakeUp();

    /** The lock starts held. */
    public UnlockWithoutWakeUpControl() {
        lock.acquire(1);
    }

    /** A waiter; interruptible, so that the harness can reclaim the thread it leaves parked. */
    @Actor
    public void waiter() {
        try {
            lock.acquireInterruptibly(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The holder "unlocks": frees the state and signals nobody. */
    @Signal
    public void holderUnlocks() {
        lock.freeWithoutWakeUp();
    }
}
