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
 * {@link Sequencer}'s hand-off to a waiting commit (issue 12): a commit that finds the word busy waits in the JDK
 * queue and must be woken by the holder's release (volatile write of the even word, then the queue's head read,
 * against the waiter's enqueue and re-check). {@code dev.syncmap.jcstress.UnlockWithoutWakeUpControl} shows that
 * a missing wake-up is seen as {@code STALE}.
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The waiting commit took the word after the release.")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "Lost wake-up: the commit stays parked on an idle sequencer.")
@State
public class SequencerCommitWakeUpTest {

    private final Sequencer sequencer = new Sequencer(0, 0);
    private final long held;

    /** The sequencer starts held, committing revision 1. */
    public SequencerCommitWakeUpTest() {
        held = sequencer.acquire();
    }

    /** A second commit. */
    @Actor
    public void commit() {
        long rev = sequencer.acquire();
        sequencer.release(rev, 0);
    }

    /** The holder releases revision 1. */
    @Signal
    public void holderReleases() {
        sequencer.release(held, 0);
    }
}
