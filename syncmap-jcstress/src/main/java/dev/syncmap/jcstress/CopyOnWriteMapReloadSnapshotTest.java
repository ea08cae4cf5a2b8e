package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.syncmap.CopyOnWriteMap;
import dev.syncmap.Snapshot;
import java.util.Map;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@link CopyOnWriteMap#reload} against {@link CopyOnWriteMap#snapshot()}: a snapshot holds all of the old
 * content or all of the new, at the revision that goes with it (the reload is one revision).
 *
 * <p>Result: (a, b, snapshot revision).
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Snapshot before the reload.")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Snapshot after the reload.")
@Outcome(expect = FORBIDDEN, desc = "Torn snapshot, or content and revision disagree.")
@State
public class CopyOnWriteMapReloadSnapshotTest {

    private final CopyOnWriteMap<String, Integer> map = new CopyOnWriteMap<>(Map.of("a", 0, "b", 0));
    private final long base = map.snapshot().revision();

    /** Replaces the whole content. */
    @Actor
    public void reloader() {
        map.reload(Map.of("a", 1, "b", 1));
    }

    /**
     * Takes a snapshot and reads both keys and its revision.
     *
     * @param result a, b, and the revision relative to the start
     */
    @Actor
    public void reader(III_Result result) {
        Snapshot<String, Integer> snapshot = map.snapshot();
        result.r1 = snapshot.get("a");
        result.r2 = snapshot.get("b");
        result.r3 = (int) (snapshot.revision() - base);
    }
}
