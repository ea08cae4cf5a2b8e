package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LockedMapTest extends AbstractLockingMapTest {

    @Override
    <K, V> ConcurrentMap<K, V> newMap() {
        return new LockedMap<>();
    }

    @Test
    void constructors() {
        assertFalse(new LockedMap<>().isFair());
        assertTrue(new LockedMap<>(true).isFair());
        assertFalse(new LockedMap<>(1_000).isFair());
        assertTrue(new LockedMap<>(0, true).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LockedMap<>(-1));
        assertTrue(e.getMessage().contains("expectedSize"), e.getMessage());
    }

    @Test
    void snapshotIsCachedUntilTheNextWriteAndCountsRevisions() {
        LockedMap<String, Integer> map = new LockedMap<>();
        Snapshot<String, Integer> empty = map.snapshot();
        assertEquals(0, empty.revision());
        assertTrue(empty.isEmpty());
        map.put("a", 1);
        Snapshot<String, Integer> first = map.snapshot();
        assertSame(first, map.snapshot(), "no write in between: the same copy");
        assertEquals(1, first.revision());
        map.remove("absent"); // no change: no new revision, the cached copy stays
        assertSame(first, map.snapshot());
        map.putAll(Map.of("b", 2, "c", 3));
        Snapshot<String, Integer> second = map.snapshot();
        assertNotSame(first, second);
        assertEquals(2, second.revision(), "one putAll is one revision");
        assertEquals(Map.of("a", 1), first, "an old snapshot does not change");
        assertEquals(Map.of("a", 1, "b", 2, "c", 3), second);
        assertThrows(UnsupportedOperationException.class, () -> second.put("d", 4));
        assertThrows(UnsupportedOperationException.class, () -> second.computeIfAbsent("d", k -> 4));
        assertThrows(UnsupportedOperationException.class, () -> second.entrySet().iterator().next().setValue(9));
        assertThrows(UnsupportedOperationException.class, () -> second.keySet().remove("a"));
        assertThrows(NullPointerException.class, () -> second.get(null));
        map.clear();
        assertEquals(3, map.snapshot().revision());
        assertEquals(3, map.snapshot().revision());
    }

    /**
     * A writer keeps 100 keys equal to one another with atomic {@code putAll}s. Every snapshot and every iteration
     * must show all 100 equal: a weakly consistent iterator would show a mix.
     */
    @Test
    void snapshotsAndIterationsAreExactUnderAConcurrentWriter() throws Exception {
        LockedMap<Integer, Integer> map = new LockedMap<>();
        Map<Integer, Integer> batch = new HashMap<>();
        for (int k = 0; k < 100; k++) {
            batch.put(k, 0);
        }
        map.putAll(batch);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                Map<Integer, Integer> next = new HashMap<>();
                for (int i = 1; !stop.get(); i++) {
                    for (int k = 0; k < 100; k++) {
                        next.put(k, i);
                    }
                    map.putAll(next);
                }
            } catch (Throwable e) {
                writerFailure.set(e);
            }
        });
        writer.start();
        int mixedIterations = 0;
        try {
            long deadline = System.nanoTime() + 400_000_000L;
            for (int round = 0; System.nanoTime() < deadline || round < 50; round++) {
                Snapshot<Integer, Integer> snapshot = map.snapshot();
                assertEquals(1, snapshot.values().stream().distinct().count(), "a snapshot mixes two putAlls");
                int first = -1;
                for (Map.Entry<Integer, Integer> e : map.entrySet()) {
                    if (first == -1) {
                        first = e.getValue();
                    } else if (e.getValue() != first) {
                        mixedIterations++;
                    }
                }
                assertEquals(100, map.snapshot().size());
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertNull(writerFailure.get());
        assertEquals(0, mixedIterations, "an iteration mixed two putAlls");
    }

    @Test
    void forEachHoldsTheReadLockSoItsActionMayReadButNotWrite() {
        LockedMap<String, Integer> map = new LockedMap<>();
        map.put("a", 1);
        map.put("b", 2);
        int[] sum = new int[1];
        map.forEach((k, v) -> sum[0] += map.get(k) + map.size());
        assertEquals(1 + 2 + 2 * 2, sum[0]);
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> map.forEach((k, v) -> map.put(k, v + 1)));
        assertTrue(e.getMessage().contains("Recursive update"), e.getMessage());
        assertEquals(Map.of("a", 1, "b", 2), map);
    }

    /**
     * A function of this map calls another map's function, which writes back to this map. {@code FunctionGuard}
     * only knows the innermost map, so the lock checks must catch it: re-entering the write lock would corrupt the
     * {@code HashMap} mid-update, and upgrading from forEach's read lock would hang forever.
     */
    @Test
    void aWriteBackThroughAnotherMapsFunctionIsRefusedNotDeadlocked() {
        LockedMap<String, Integer> map = new LockedMap<>();
        LockedMap<String, Integer> other = new LockedMap<>();
        map.put("k", 1);
        assertTimeoutPreemptively(NO_DEADLOCK, () -> {
            IllegalStateException fromCompute = assertThrows(IllegalStateException.class,
                () -> map.compute("k", (k, v) -> other.compute("x", (x, w) -> map.put("k", 99))));
            assertTrue(fromCompute.getMessage().contains("write lock"), fromCompute.getMessage());
            IllegalStateException fromForEach = assertThrows(IllegalStateException.class,
                () -> map.forEach((k, v) -> other.compute("x", (x, w) -> map.put("k", 99))));
            assertTrue(fromForEach.getMessage().contains("read lock"), fromForEach.getMessage());
        });
        assertEquals(Map.of("k", 1), map);
        assertTrue(other.isEmpty());
        map.put("k", 2); // nothing leaked
        assertEquals(2, map.get("k"));
    }

    @Test
    void equalsAndToStringUseOneSnapshot() {
        LockedMap<String, Integer> map = new LockedMap<>();
        map.put("a", 1);
        assertEquals(Map.of("a", 1), map);
        assertEquals(map, Map.of("a", 1));
        assertEquals("{a=1}", map.toString());
        LockedMap<Object, Object> self = new LockedMap<>();
        self.put("me", self);
        assertEquals("{me=(this Map)}", self.toString());
    }
}
