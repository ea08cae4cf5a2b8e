package dev.syncmap;

import static dev.syncmap.Faults.bounded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syncmap.internal.FaultHooks;
import dev.syncmap.internal.FaultHooks.Site;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * User code that throws inside {@link VersionedMap} (keys' {@code hashCode}/{@code equals}, functions, the size
 * estimator) and Errors at its allocation sites: the call throws, nothing it did not finish is visible, every
 * stripe is released (checked from another thread with a bounded wait), and the map stays usable.
 */
class VersionedMapExceptionSafetyTest {

    @AfterEach
    void clearHooks() {
        FaultHooks.clear();
    }

    /** A key equal to others of its id, whose {@code equals} throws while {@link #armed}. */
    static final class TrapKey {
        static volatile boolean armed;
        final int id;

        TrapKey(int id) {
            this.id = id;
        }

        @Override
        public int hashCode() {
            return 7; // every trap key in one bin, so lookups call equals
        }

        @Override
        public boolean equals(Object o) {
            if (armed) {
                throw new StackOverflowError("equals of key " + id);
            }
            return o instanceof TrapKey k && k.id == id;
        }
    }

    /** One stripe: a leaked stripe lock would hang every later write. */
    private static VersionedMap<Object, Integer> oneStripe() {
        return VersionedMap.<Object, Integer>builder().stripes(1).build();
    }

    /** Writes from another thread complete (no stripe left locked) and the content is {@code expected}. */
    private static void assertUsable(VersionedMap<Object, Integer> m, Map<Object, Integer> expected) {
        bounded("a write from another thread", () -> CompletableFuture.supplyAsync(() -> {
            assertEquals(expected, new HashMap<>(m));
            assertEquals(expected.size(), m.size());
            m.put("probe", 1);
            m.putAll(Map.of("probe2", 2));
            m.remove("probe");
            m.remove("probe2");
            return null;
        }).get());
    }

    @Test
    void equalsThrowingUnderTheStripeLockReleasesIt() {
        VersionedMap<Object, Integer> m = oneStripe();
        m.put(new TrapKey(1), 1);
        Map<Object, Integer> before = new HashMap<>(m);
        TrapKey.armed = true;
        try {
            assertThrows(StackOverflowError.class, () -> m.put(new TrapKey(2), 2));
            assertThrows(StackOverflowError.class, () -> m.compute(new TrapKey(2), (k, v) -> 2));
            assertThrows(StackOverflowError.class, () -> m.merge(new TrapKey(2), 2, Integer::sum));
            assertThrows(StackOverflowError.class, () -> m.remove(new TrapKey(1)));
            assertThrows(StackOverflowError.class, () -> m.putAll(Map.of(new TrapKey(3), 3)));
        } finally {
            TrapKey.armed = false;
        }
        assertEquals(1, m.revision(), "nothing committed");
        assertUsable(m, before);
    }

    @Test
    void putAllWhoseKeyThrowsInsideTheBatchReleasesEveryStripeAndChangesNothing() {
        VersionedMap<Object, Integer> m = VersionedMap.<Object, Integer>builder().stripes(8).build();
        m.put(new TrapKey(1), 1);
        Map<Object, Integer> before = new HashMap<>(m);
        Map<Object, Integer> batch = new LinkedHashMap<>();
        batch.put("a", 1);
        batch.put(new TrapKey(2), 2);
        // copyDistinct runs equals outside the locks; arm the trap after the copy by arming on the second hashCode
        Map<Object, Integer> source = new LinkedHashMap<>(batch) {
            @Override
            public java.util.Set<Map.Entry<Object, Integer>> entrySet() {
                TrapKey.armed = true; // the batch's lookups of TrapKey 2 in bin 7 then call the throwing equals
                return super.entrySet();
            }
        };
        try {
            assertThrows(StackOverflowError.class, () -> m.putAll(source));
        } finally {
            TrapKey.armed = false;
        }
        assertEquals(1, m.revision());
        assertUsable(m, before);
    }

    @Test
    void sizeEstimatorThrowingCommitsNothing() {
        VersionedMap<Object, Integer> m = VersionedMap.<Object, Integer>builder().stripes(1)
            .sizeEstimator((k, o, n) -> {
                if ("bad".equals(k)) {
                    throw new IllegalArgumentException("cannot size " + k);
                }
                return 10;
            }).build();
        m.put("ok", 1);
        assertThrows(IllegalArgumentException.class, () -> m.put("bad", 1));
        assertThrows(IllegalArgumentException.class, () -> m.putAll(Map.of("x", 1, "bad", 2)));
        assertEquals(1, m.revision());
        assertUsable(m, Map.of("ok", 1));
    }

    @Test
    void replaceAllFunctionThrowingChangesNothing() {
        VersionedMap<Object, Integer> m = oneStripe();
        m.putAll(Map.of("a", 1, "b", 2, "c", 3));
        VersionedSnapshot<Object, Integer> before = m.snapshot();
        assertThrows(StackOverflowError.class, () -> m.replaceAll((k, v) -> {
            if ("b".equals(k)) {
                throw new StackOverflowError("function");
            }
            return v * 10;
        }));
        assertEquals(1, m.revision());
        assertEquals(new HashMap<>(before), new HashMap<>(m));
        assertUsable(m, Map.of("a", 1, "b", 2, "c", 3));
        // the function guard was restored: this map can be modified again from a function of another map
        VersionedMap<String, Integer> other = new VersionedMap<>();
        other.computeIfAbsent("k", k -> m.put("inner", 1));
        assertEquals(1, m.get("inner"));
    }

    @Test
    void errorGrowingTheTableLeavesTheWriteCommittedAndTheMapUsable() {
        VersionedMap<Object, Integer> m = oneStripe();
        OutOfMemoryError oom = new OutOfMemoryError("injected at table growth");
        Faults.throwAt(Site.TABLE_GROWTH, 1, oom);
        int i = 0;
        Throwable thrown = null;
        for (; i < 1000 && thrown == null; i++) {
            try {
                m.put(i, i);
            } catch (OutOfMemoryError e) {
                thrown = e;
            }
        }
        FaultHooks.clear();
        assertSame(oom, thrown, "growth was reached");
        // documented: the write that triggered growth had committed; the table just did not grow
        assertEquals(i, m.size());
        assertEquals(i, m.revision());
        Map<Object, Integer> expected = new HashMap<>();
        for (int j = 0; j < i; j++) {
            expected.put(j, j);
        }
        assertUsable(m, expected);
        for (int j = i; j < 200; j++) {
            m.put(j, j); // grows now
        }
        assertEquals(200, m.size());
    }

    @Test
    void errorAllocatingAVersionRecordWhileASnapshotIsHeldChangesNothing() {
        VersionedMap<Object, Integer> m = oneStripe();
        m.putAll(Map.of("a", 1, "b", 2));
        VersionedSnapshot<Object, Integer> held = m.snapshot();
        OutOfMemoryError oom = new OutOfMemoryError("injected at version allocation");
        Faults.throwAt(Site.NODE_ALLOCATION, 1, oom);
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> m.put("a", 10)));
        Faults.throwAt(Site.NODE_ALLOCATION, 2, oom);
        assertSame(oom, assertThrows(OutOfMemoryError.class, () -> m.putAll(Map.of("a", 10, "b", 20))));
        FaultHooks.clear();
        assertEquals(1, m.revision());
        assertEquals(Map.of("a", 1, "b", 2), new HashMap<>(held));
        assertUsable(m, Map.of("a", 1, "b", 2));
    }
}
