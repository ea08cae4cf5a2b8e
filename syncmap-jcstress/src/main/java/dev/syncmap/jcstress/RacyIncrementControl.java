package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * DELIBERATELY RACY CONTROL: two threads increment a plain field with a read, a yield and a write. The lost
 * update ({@code 1}) is declared {@code FORBIDDEN}, so a working harness reports this test as failed, and
 * {@link JCStressGate} requires exactly that.
 *
 * <p>The {@link Thread#yield()} between read and write widens the race window from nanoseconds to a scheduler
 * round trip. Without it, whether a short run on a loaded two-core CI machine observes the race would be luck;
 * with it, both actors run inside each other's window whether they share a core (the yield hands the core to
 * the other actor) or not, so a few hundred milliseconds observe it many times over.
 */
@JCStressTest
@Outcome(id = "2", expect = ACCEPTABLE, desc = "Both increments landed.")
@Outcome(id = "1", expect = FORBIDDEN, desc = "Lost update: the race this control exists to show.")
@State
@RacyControl("unsynchronized read-yield-write increment from two threads")
public class RacyIncrementControl {

    private int counter;

    /** First incrementer. */
    @Actor
    public void first() {
        increment();
    }

    /** Second incrementer. */
    @Actor
    public void second() {
        increment();
    }

    /**
     * Reads the final count.
     *
     * @param result where the count goes
     */
    @Arbiter
    public void count(I_Result result) {
        result.r1 = counter;
    }

    private void increment() {
        int read = counter;
        Thread.yield();
        counter = read + 1;
    }
}
