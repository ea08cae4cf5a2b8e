package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.syncmap.VersionedMap;
import dev.syncmap.VersionedSnapshot;
import java.util.Map;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@link VersionedMap}: a {@code putAll} commits as one revision, so a snapshot taken while it runs holds none of
 * the batch or all of it, at the matching revision. (Single-key reads may see a batch in part; snapshots may not.)
 *
 * <p>Result: (a, b, snapshot revision relative to the start).
 */
@JCStressTest
@Outcome(id = "0, 0, 0", expect = ACCEPTABLE, desc = "Snapshot before the batch.")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Snapshot after the batch, one revision later.")
@Outcome(expect = FORBIDDEN, desc = "Half a batch, or content and revision disagree.")
@State
public class VersionedMapBatchSnapshotTest {

    private final VersionedMap<String, Integer> map = new VersionedMap<>();
    private final long base;

    /** Starts from a = 0, b = 0. */
    public VersionedMapBatchSnapshotTest() {
        map.putAll(Map.of("a", 0, "b", 0));
        base = map.revision();
    }

    /** Writes both keys as one batch. */
    @Actor
    public void writer() {
        map.putAll(Map.of("a", 1, "b", 1));
    }

    /**
     * Takes a snapshot and reads both keys and its revision.
     *
     * @param result a, b, and the revision relative to the start
     */
    @Actor
    public void reader(III_Result result) {
        VersionedSnapshot<String, Integer> snapshot = map.snapshot();
        result.r1 = snapshot.get("a");
        result.r2 = snapshot.get("b");
        result.r3 = (int) (snapshot.revision() - base);
    }
}
