package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.syncmap.StripedMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@link StripedMap#computeIfAbsent}: it looks up without the stripe lock first and locks only on a miss; two
 * racing calls on one absent key must still run the function once, and both return the value it made.
 *
 * <p>Result: (runs of the function, value returned to the first caller, value returned to the second).
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "One run; both callers got its value.")
@Outcome(id = "2, .*", expect = FORBIDDEN, desc = "The function ran twice for one key.")
@Outcome(expect = FORBIDDEN, desc = "A caller got a value the single run did not make.")
@State
public class StripedMapComputeIfAbsentOnceTest {

    private final StripedMap<String, Integer> map = new StripedMap<>();
    private final AtomicInteger runs = new AtomicInteger();
    private int first;
    private int second;

    /** First caller. */
    @Actor
    public void first() {
        first = map.computeIfAbsent("key", k -> runs.incrementAndGet());
    }

    /** Second caller. */
    @Actor
    public void second() {
        second = map.computeIfAbsent("key", k -> runs.incrementAndGet());
    }

    /**
     * Collects what happened.
     *
     * @param result runs, first caller's value, second caller's value
     */
    @Arbiter
    public void outcome(III_Result result) {
        result.r1 = runs.get();
        result.r2 = first;
        result.r3 = second;
    }
}
