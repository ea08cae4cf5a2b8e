package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.internal.FaultHooks;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;

class LockedMapExceptionSafetyTest extends AbstractExceptionSafetyTest {

    @Override
    ConcurrentMap<Object, Object> newMapForInjection() {
        return new LockedMap<>(0); // sixteen buckets: the thirteenth key grows the table
    }

    LockedMapExceptionSafetyTest() {
        super(LockedMap::new, PartialPutAll.PREFIX); // documented in LockedMap.putAll
    }

    /** Issue 8, failure 6 (LockedMap): the prefix written before the throwing key must show in snapshots. */
    @Test
    void lockedPutAllWithThrowingKeyInvalidatesCachedSnapshot() {
        LockedMap<Object, Object> map = new LockedMap<>();
        map.put("a", 1);
        assertEquals(Map.of("a", 1), map.snapshot()); // cached until the next write
        ThrowingKey bad = ThrowingKey.named("bad");
        Map<Object, Object> argument = new LinkedHashMap<>();
        argument.put("b", 2);
        argument.put(bad, 3);
        argument.put("c", 4);
        bad.armHashCode(1, () -> new IllegalStateException("injected"));
        assertThrows(IllegalStateException.class, () -> map.putAll(argument));
        bad.disarm();
        Map<Object, Object> model = new HashMap<>(Map.of("a", 1, "b", 2)); // the prefix before the throwing key
        ExceptionSafety.assertIntact(map, model, List.of(bad, "c"), "putAll threw at its second key");
    }

    @Test
    void lockedPutWhoseTableGrowthRunsOutOfMemoryDoesNotTakeEffect() {
        assertInjectedErrorChangesNothing(FaultHooks.Site.TABLE_GROWTH, snapshotAfter(keys(12)), m -> m.put("new", 1));
    }

    @Test
    void lockedComputeWhoseNodeAllocationRunsOutOfMemoryDoesNotTakeEffect() {
        assertInjectedErrorChangesNothing(FaultHooks.Site.NODE_ALLOCATION, snapshotAfter(keys(3)),
            m -> m.computeIfAbsent("new", k -> 1));
    }

    @Test
    void lockedPutAllWhoseTableGrowthRunsOutOfMemoryKeepsThePrefixAndItsSnapshot() {
        LockedMap<Object, Object> map = new LockedMap<>(0);
        keys(11).accept(map);
        map.snapshot();
        Map<Object, Object> model = new HashMap<>(map);
        Map<Object, Object> argument = new LinkedHashMap<>();
        argument.put("a", 1);
        argument.put("b", 2); // the thirteenth key grows the table
        argument.put("c", 3);
        try (ExceptionSafety.Injection injection = ExceptionSafety.injectOnce(FaultHooks.Site.TABLE_GROWTH,
                new OutOfMemoryError("injected"))) {
            assertThrows(OutOfMemoryError.class, () -> map.putAll(argument));
            assertTrue(injection.fired());
        }
        model.put("a", 1);
        ExceptionSafety.assertIntact(map, model, argument.keySet(), "putAll ran out of memory growing its table");
    }

    /** Takes a snapshot after filling the map, so that a stale cached snapshot would show. */
    private static java.util.function.Consumer<Map<Object, Object>> snapshotAfter(
            java.util.function.Consumer<Map<Object, Object>> fill) {
        return fill.andThen(m -> {
            if (m instanceof Snapshottable<?, ?> s) {
                s.snapshot();
            }
        });
    }
}
