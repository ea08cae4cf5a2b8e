package dev.syncmap.testkit;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * Lincheck linearizability checks of a {@link ConcurrentMap}: every per-key operation of
 * {@link AbstractPerKeyMapLincheckTest} plus {@code size}, against a sequential {@link HashMap}, in
 * model-checking and stress modes. A map joins with a short subclass:
 * <pre>{@code
 * public class LockedMapLincheckTest extends AbstractMapLincheckTest {
 *     public LockedMapLincheckTest() {
 *         super(new LockedMap<>());
 *     }
 * }
 * }</pre>
 * The subclass must be public with a public no-argument constructor: Lincheck makes a fresh instance, and so a
 * fresh map, for every run of every scenario. Its two tests, {@code modelChecking} and {@code stress}, run with
 * the budget of {@link LincheckBudget#fromSystemProperties()}.
 */
public abstract class AbstractMapLincheckTest extends AbstractPerKeyMapLincheckTest {

    /**
     * Tests a concurrent map.
     *
     * @param map a new, empty map, owned by this instance
     */
    protected AbstractMapLincheckTest(ConcurrentMap<Integer, Integer> map) {
        super(map);
    }

    private AbstractMapLincheckTest(Map<Integer, Integer> sequentialMap, boolean sequential) {
        super(sequentialMap, sequential);
    }

    /**
     * {@link Map#size}.
     *
     * @return the number of mappings
     */
    @Operation
    public int size() {
        return map().size();
    }

    /**
     * The sequential specification: the same operations on a {@link HashMap}, which Lincheck runs one at a time.
     * Public with a no-argument constructor because Lincheck instantiates it.
     */
    public static final class Specification extends AbstractMapLincheckTest {
        /** A fresh, empty {@link HashMap}. */
        public Specification() {
            super(new HashMap<Integer, Integer>(), true);
        }
    }
}
