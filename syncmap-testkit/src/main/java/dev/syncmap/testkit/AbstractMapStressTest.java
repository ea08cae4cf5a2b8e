package dev.syncmap.testkit;

import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The {@link MapStress} checks as JUnit 5 tests, one per oracle. A map joins with a short subclass:
 * <pre>{@code
 * class LockedMapStressTest extends AbstractMapStressTest {
 *     LockedMapStressTest() {
 *         super("LockedMap", LockedMap::new);
 *     }
 * }
 * }</pre>
 * Bounds come from the {@code mapstress.*} system properties (see {@link MapStress}); override {@link #stress()}
 * to change them for one map.
 */
public abstract class AbstractMapStressTest {

    private final String name;
    private final Supplier<? extends ConcurrentMap<Integer, Long>> factory;

    /**
     * Stresses the maps a factory makes.
     *
     * @param name the name reports carry
     * @param factory makes a new, empty map on every call
     */
    protected AbstractMapStressTest(String name, Supplier<? extends ConcurrentMap<Integer, Long>> factory) {
        this.name = name;
        this.factory = factory;
    }

    /**
     * The configured checks; a subclass may narrow or widen their bounds.
     *
     * @return new stress checks for this map
     */
    protected MapStress stress() {
        return MapStress.forMap(name, factory);
    }

    /** Hot-key counters: exact final sum, functions run at most once per call. */
    @Test
    public void counters() {
        stress().counters().assertPassed();
    }

    /** Lock-step putIfAbsent/computeIfAbsent race: one winner and one function run per key. */
    @Test
    public void putIfAbsentRace() {
        stress().putIfAbsentRace().assertPassed();
    }

    /** Views iterated under writes: never throw, never yield foreign elements. */
    @Test
    public void viewsUnderWrites() {
        stress().viewsUnderWrites().assertPassed();
    }
}
