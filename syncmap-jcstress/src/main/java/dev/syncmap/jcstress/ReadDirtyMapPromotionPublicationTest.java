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
 * {@link ReadDirtyMap}: a new key goes into the dirty map under the lock; the writer's own lookup then misses the
 * read map, and one miss against a one-key dirty map promotes it, publishing a new read map with a release store.
 * A reader that finds the key (lock-free, through the promoted read map, or under the lock) must see the value
 * fully built: its plain field written before the put.
 */
@JCStressTest
@Outcome(id = "-1", expect = ACCEPTABLE, desc = "Reader ran first: the key is not there yet.")
@Outcome(id = "42", expect = ACCEPTABLE, desc = "Reader found the value, fully built.")
@Outcome(id = "0", expect = FORBIDDEN, desc = "Reader found the value but not its field: unsafe publication.")
@State
public class ReadDirtyMapPromotionPublicationTest {

    /** A value with a plain field: only the map's publication makes it visible. */
    static final class Box {
        int value;
    }

    private final ReadDirtyMap<String, Box> map = new ReadDirtyMap<>();

    /** Puts a new key (dirty map), then misses the read map once, which promotes the dirty map. */
    @Actor
    public void writer() {
        Box box = new Box();
        box.value = 42;
        map.put("key", box);
        map.get("key");
    }

    /**
     * Looks the key up.
     *
     * @param result {@code -1} if absent, else the value's field
     */
    @Actor
    public void reader(I_Result result) {
        Box box = map.get("key");
        result.r1 = box == null ? -1 : box.value;
    }
}
