package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.syncmap.ReadDirtyMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * {@link ReadDirtyMap}: a key already promoted to the read map is updated by a lock-free compare-and-set of its
 * entry, and read by a lock-free acquire. The reader sees the old value or the new one, each fully built.
 */
@JCStressTest
@Outcome(id = "7", expect = ACCEPTABLE, desc = "Reader saw the old value.")
@Outcome(id = "42", expect = ACCEPTABLE, desc = "Reader saw the new value, fully built.")
@Outcome(expect = FORBIDDEN, desc = "Reader saw a value not fully built, or no value for a present key.")
@State
public class ReadDirtyMapLockFreeUpdateTest {

    /** A value with a plain field: only the map's publication makes it visible. */
    static final class Box {
        int value;

        Box(int value) {
            this.value = value;
        }
    }

    private final ReadDirtyMap<String, Box> map = new ReadDirtyMap<>();

    /** Puts the key and misses once, so the key sits in the read map before the actors start. */
    public ReadDirtyMapLockFreeUpdateTest() {
        map.put("key", new Box(7));
        map.get("key");
    }

    /** Replaces the value: lock-free, the key being in the read map. */
    @Actor
    public void writer() {
        map.put("key", new Box(42));
    }

    /**
     * Reads the value.
     *
     * @param result the value's field, or {@code -1} if absent
     */
    @Actor
    public void reader(I_Result result) {
        Box box = map.get("key");
        result.r1 = box == null ? -1 : box.value;
    }
}
