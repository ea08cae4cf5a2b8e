package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.syncmap.CopyOnWriteMap;
import java.util.Map;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link CopyOnWriteMap#reload}: the whole content changes in one step (etcd's torn-reload fix). A reader that
 * reads key {@code a} and then key {@code b} may straddle the reload one way (old {@code a}, new {@code b}) but
 * never the other: once it has seen the new {@code a}, the old {@code b} is gone.
 */
@JCStressTest
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "Both reads before the reload.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Both reads after the reload.")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "The reload took effect between the two reads.")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "Torn reload: new a, then old b.")
@State
public class CopyOnWriteMapReloadTest {

    private final CopyOnWriteMap<String, Integer> map = new CopyOnWriteMap<>(Map.of("a", 0, "b", 0));

    /** Replaces the whole content. */
    @Actor
    public void reloader() {
        map.reload(Map.of("a", 1, "b", 1));
    }

    /**
     * Reads {@code a}, then {@code b}.
     *
     * @param result the two values
     */
    @Actor
    public void reader(II_Result result) {
        result.r1 = map.get("a");
        result.r2 = map.get("b");
    }
}
