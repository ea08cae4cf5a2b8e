package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.syncmap.CopyOnWriteMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * {@link CopyOnWriteMap}: a put builds a new table and swaps it in; a reader that finds the key in the swapped
 * table must see the value, and the table, fully built.
 */
@JCStressTest
@Outcome(id = "-1", expect = ACCEPTABLE, desc = "Reader saw the old table.")
@Outcome(id = "42", expect = ACCEPTABLE, desc = "Reader saw the new table and the value, fully built.")
@Outcome(id = "0", expect = FORBIDDEN, desc = "Reader found the value but not its field: unsafe publication.")
@State
public class CopyOnWriteMapPublicationTest {

    /** A value with a plain field: only the table swap makes it visible. */
    static final class Box {
        int value;
    }

    private final CopyOnWriteMap<String, Box> map = new CopyOnWriteMap<>();

    /** Builds and puts the value. */
    @Actor
    public void writer() {
        Box box = new Box();
        box.value = 42;
        map.put("key", box);
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
