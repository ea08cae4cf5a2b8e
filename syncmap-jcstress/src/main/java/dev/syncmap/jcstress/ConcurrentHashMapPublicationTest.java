package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.ConcurrentHashMap;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * Harness check against the JDK: a value put into a {@link ConcurrentHashMap} is safely published, so a reader
 * that finds it sees its non-final field fully written. The template for syncmap's publication tests (the
 * promoted read map of {@code ReadDirtyMap}, the swapped map of {@code CopyOnWriteMap}).
 */
@JCStressTest
@Outcome(id = "-1", expect = ACCEPTABLE, desc = "Reader ran first: nothing published yet.")
@Outcome(id = "42", expect = ACCEPTABLE, desc = "Reader found the value, fully constructed.")
@Outcome(id = "0", expect = FORBIDDEN, desc = "Reader found the value but not its field: unsafe publication.")
@State
public class ConcurrentHashMapPublicationTest {

    /** A value with a plain, non-final field: only the map's happens-before edge makes it visible. */
    static final class Box {
        int value;
    }

    private final ConcurrentHashMap<String, Box> map = new ConcurrentHashMap<>();

    /** Builds and publishes the value. */
    @Actor
    public void writer() {
        Box box = new Box();
        box.value = 42;
        map.put("key", box);
    }

    /**
     * Looks the value up and reads its field.
     *
     * @param result {@code -1} if absent, else the field
     */
    @Actor
    public void reader(I_Result result) {
        Box box = map.get("key");
        result.r1 = box == null ? -1 : box.value;
    }
}
