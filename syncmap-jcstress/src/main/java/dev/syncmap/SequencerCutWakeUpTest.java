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
 * {@link Sequencer}'s hand-off to a waiting cut (a snapshot, {@code revision()}, {@code size()}; issue 12): a cut
 * that finds a commit in flight waits in shared mode in the JDK queue and must be woken by the release. See
 * {@link SequencerCommitWakeUpTest}.
 */
@JCStressTest(Mode.Termination)
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "The cut returned after the release.")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "Lost wake-up: the cut stays parked on an idle sequencer.")
@State
public class SequencerCutWakeUpTest {

    private final Sequencer sequencer = new Sequencer(0, 0);
    private final long held;

    /** The sequencer starts held, committing revision 1. */
    public SequencerCutWakeUpTest() {
        held = sequencer.acquire();
    }

    /** A cut. */
    @Actor
    public void cut() {
        sequencer.awaitIdle();
    }

    /** The holder releases revision 1. */
    @Signal
    public void holderReleases() {
        sequencer.release(held, 0);
    }
}
