package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syncmap.internal.FaultHooks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exception safety of {@link ReadDirtyMap}, with the stored key only in the dirty map (the read map amended, holding a
 * deleted entry); the nested class repeats every test with the stored key in a read map that is not amended.
 */
class ReadDirtyMapExceptionSafetyTest extends AbstractExceptionSafetyTest {

    ReadDirtyMapExceptionSafetyTest() {
        super(ReadDirtyMap::new, PartialPutAll.PREFIX); // documented in ReadDirtyMap.putAll
    }

    /** Promotes the dirty map (iteration does, and does nothing to a HashMap model). */
    static void promote(Map<Object, Object> map) {
        map.entrySet().iterator().hasNext();
    }

    @Override
    void setUp(Map<Object, Object> map, ThrowingKey stored) {
        for (int i = 0; i < 15; i++) {
            map.put(ThrowingKey.named("filler" + i), i);
        }
        promote(map);
        map.remove(ThrowingKey.named("filler0")); // a deleted entry in the read map: expunged by the next rebuild
        map.put(stored, "s-value"); // rebuilds the dirty map; the stored key lives only there
    }

    /** The stored key in the read map, which is not amended and holds a deleted entry. */
    @Nested
    class StoredKeyInTheReadMap extends AbstractExceptionSafetyTest {
        StoredKeyInTheReadMap() {
            super(ReadDirtyMap::new, PartialPutAll.PREFIX);
        }

        @Override
        void setUp(Map<Object, Object> map, ThrowingKey stored) {
            super.setUp(map, stored);
            promote(map);
            map.remove(ThrowingKey.named("filler0"));
        }
    }

    /**
     * Issue 8, failure 6 (ReadDirtyMap): a key whose hashCode throws while the dirty map is rebuilt left it null
     * after expunging entries, and the next put of an expunged key failed with NullPointerException.
     */
    @Test
    void readDirtyRebuildWithThrowingHashCodeLeavesDirtyMapUsable() {
        ReadDirtyMap<Object, Object> map = new ReadDirtyMap<>();
        ThrowingKey deleted = ThrowingKey.hashed("deleted", 1); // iterated before the bad key: expunged first
        ThrowingKey bad = ThrowingKey.hashed("bad", 2);
        map.put(deleted, 1);
        map.put(bad, 2);
        promote(map);
        map.remove(deleted);
        bad.armHashCode(1, () -> new IllegalStateException("injected"));
        assertThrows(IllegalStateException.class, () -> map.put("new", 3));
        bad.disarm();
        Map<Object, Object> model = new HashMap<>(Map.of(bad, 2));
        ExceptionSafety.assertIntact(map, model, List.of(deleted, "new"), "the dirty-map rebuild threw");
    }

    /**
     * Issue 8, failure 6 (ReadDirtyMap): a key only in the dirty map whose hashCode throws in the dirty-map removal
     * vanished although the call threw, and the count was not decremented.
     */
    @ParameterizedTest
    @ValueSource(strings = {"remove", "remove(k, v)", "compute to null", "computeIfPresent to null", "merge to null"})
    void readDirtyRemovalWithThrowingHashCodeKeepsTheKeyAndTheCount(String name) {
        ThrowingKey stored = ThrowingKey.named("s");
        ExceptionSafety.MapCall call = switch (name) {
            case "remove" -> m -> m.remove(stored);
            case "remove(k, v)" -> m -> m.remove(stored, "s-value");
            case "compute to null" -> m -> m.compute(stored, (k, v) -> null);
            case "computeIfPresent to null" -> m -> m.computeIfPresent(stored, (k, v) -> null);
            default -> m -> m.merge(stored, "x", (a, b) -> null);
        };
        ExceptionSafety.sweep(this::newMap, m -> setUp(m, stored), stored,
            (k, n) -> k.armHashCode(n, () -> new IllegalStateException("injected")), call, List.of());
    }

    @Test
    void readDirtyRebuildThatRunsOutOfMemoryLeavesTheMapUsable() {
        assertInjectedErrorChangesNothing(FaultHooks.Site.COPY_BUILD, m -> {
            keys(10).accept(m);
            promote(m);
            m.remove("key3");
        }, m -> m.put("new", 1));
    }

    @Test
    void readDirtyPromotionThatRunsOutOfMemoryLeavesTheMapUsable() {
        // misses on a key only in the dirty map promote it once they reach its size
        assertInjectedErrorChangesNothing(FaultHooks.Site.COPY_BUILD, m -> {
            keys(3).accept(m);
            promote(m);
            m.put("dirty", 1);
        }, m -> {
            Object last = null;
            for (int i = 0; i < 8; i++) {
                last = m.get("dirty");
            }
            return last;
        });
    }
}
