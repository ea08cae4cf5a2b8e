package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The ConcurrentMap contract points every map of dev.syncmap must meet, for VersionedMap. */
class VersionedMapContractTest {

    private static void assertNpeNaming(String name, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(name, e.getMessage());
    }

    @Test
    void nullsAreRejectedNamingTheArgument() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("a", 1);
        assertNpeNaming("key", () -> m.put(null, 1));
        assertNpeNaming("value", () -> m.put("a", null));
        assertNpeNaming("key", () -> m.get(null));
        assertNpeNaming("key", () -> m.containsKey(null));
        assertNpeNaming("key", () -> m.remove(null));
        assertNpeNaming("value", () -> m.remove("a", null));
        assertNpeNaming("value", () -> m.containsValue(null));
        assertNpeNaming("key", () -> m.putIfAbsent(null, 1));
        assertNpeNaming("value", () -> m.putIfAbsent("a", null));
        assertNpeNaming("value", () -> m.replace("a", null));
        assertNpeNaming("oldValue", () -> m.replace("a", null, 1));
        assertNpeNaming("newValue", () -> m.replace("a", 1, null));
        assertNpeNaming("mappingFunction", () -> m.computeIfAbsent("a", null));
        assertNpeNaming("remappingFunction", () -> m.compute("a", null));
        assertNpeNaming("remappingFunction", () -> m.computeIfPresent("a", null));
        assertNpeNaming("remappingFunction", () -> m.merge("a", 1, null));
        assertNpeNaming("value", () -> m.merge("a", null, Integer::sum));
        assertNpeNaming("function", () -> m.replaceAll(null));
        Map<String, Integer> withNull = new HashMap<>();
        withNull.put("b", 2);
        withNull.put("c", null);
        assertNpeNaming("value", () -> m.putAll(withNull));
        assertNpeNaming("value", () -> m.reload(withNull));
        assertThrows(NullPointerException.class, () -> m.replaceAll((k, v) -> null));
        assertEquals(Map.of("a", 1), m, "a rejected batch changes nothing");
        assertEquals(1, m.revision());
    }

    @Test
    void aMappingFunctionThatModifiesItsMapGetsIllegalStateException() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("a", 1);
        assertThrows(IllegalStateException.class, () -> m.computeIfAbsent("b", k -> m.put("c", 1)));
        assertThrows(IllegalStateException.class, () -> m.compute("a", (k, v) -> m.remove("a")));
        assertThrows(IllegalStateException.class, () -> m.computeIfPresent("a", (k, v) -> m.merge("a", 1, Integer::sum)));
        assertThrows(IllegalStateException.class, () -> m.merge("a", 1, (x, y) -> m.putIfAbsent("z", 1)));
        assertThrows(IllegalStateException.class, () -> m.replaceAll((k, v) -> {
            m.clear();
            return v;
        }));
        assertThrows(IllegalStateException.class, () -> m.compute("a", (k, v) -> {
            m.putAll(Map.of("q", 1));
            return v;
        }));
        assertThrows(IllegalStateException.class, () -> m.compute("a", (k, v) -> {
            m.reload(Map.of());
            return v;
        }));
        // reads from inside a function are fine, and so is writing another map
        VersionedMap<String, Integer> other = new VersionedMap<>();
        assertEquals(2, m.compute("a", (k, v) -> {
            other.put("x", m.get("a") + m.snapshot().size());
            return v + 1;
        }));
        assertEquals(Map.of("a", 2), m);
        assertEquals(Map.of("x", 2), other);
        m.put("after", 1); // the map is still usable
    }

    @Test
    void theComputeFamilyRunsItsFunctionAtMostOncePerCallUnderContention() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        int threads = 4;
        int perThread = 20_000;
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < perThread; i++) {
                    m.compute(i % 8, (k, v) -> {
                        calls.incrementAndGet();
                        return v == null ? 1 : v + 1;
                    });
                }
            });
            ts[t].start();
        }
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(threads * perThread, calls.get());
        int sum = m.values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(threads * perThread, sum, "lost updates");
        assertEquals(threads * perThread, m.revision());
    }

    @Test
    void computeIfAbsentRunsOnceForAHotKey() throws Exception {
        VersionedMap<String, Object> m = new VersionedMap<>();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            ts[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                for (int i = 0; i < 1000; i++) {
                    m.computeIfAbsent("hot" + i, k -> {
                        calls.incrementAndGet();
                        return new Object();
                    });
                }
            });
            ts[t].start();
        }
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(1000, calls.get());
        assertEquals(1000, m.revision());
    }

    @Test
    void viewsWriteThroughAndNeverThrowConcurrentModification() {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        for (int i = 0; i < 100; i++) {
            m.put(i, i);
        }
        Iterator<Map.Entry<Integer, Integer>> it = m.entrySet().iterator();
        int n = 0;
        while (it.hasNext()) {
            Map.Entry<Integer, Integer> e = it.next();
            m.put(1000 + n, n); // modification during iteration (grows the table too)
            if (e.getKey() % 2 == 0) {
                it.remove();
            } else {
                e.setValue(e.getValue() * 10);
            }
            n++;
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i % 2 == 0 ? null : i * 10, m.get(i));
        }
        m.keySet().remove(1);
        assertFalse(m.containsKey(1));
        m.values().remove(30);
        assertFalse(m.containsKey(3));
        assertTrue(m.entrySet().remove(Map.entry(5, 50)));
        assertFalse(m.entrySet().remove(Map.entry(7, 1)));
        assertTrue(m.containsValue(70));
    }

    @Test
    void theBuilderRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> VersionedMap.builder().historyCount(-1));
        assertThrows(IllegalArgumentException.class,
            () -> VersionedMap.builder().historyCount(VersionedMap.MAX_HISTORY_COUNT + 1L));
        assertThrows(IllegalArgumentException.class, () -> VersionedMap.builder().historyBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> VersionedMap.builder().stripes(3));
        assertThrows(IllegalArgumentException.class, () -> VersionedMap.builder().stripes(0));
        assertThrows(IllegalArgumentException.class, () -> VersionedMap.builder().expectedSize(-1));
        assertThrows(IllegalArgumentException.class, () -> new VersionedMap<String, String>(-1));
        assertThrows(IllegalArgumentException.class,
            () -> VersionedMap.builder().progressInterval(java.time.Duration.ofNanos(10)));
        assertThrows(IllegalArgumentException.class,
            () -> VersionedMap.builder().progressInterval(java.time.Duration.ofSeconds(-1)));
        assertNpeNaming("comparator", () -> VersionedMap.builder().comparator(null));
        assertNpeNaming("executor", () -> VersionedMap.builder().executor(null));
    }

    @Test
    void oneStripeAndAPresizedTableWork() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().stripes(1)
            .expectedSize(10_000).build();
        Thread[] ts = new Thread[3];
        for (int t = 0; t < ts.length; t++) {
            int base = t * 10_000;
            ts[t] = new Thread(() -> {
                for (int i = 0; i < 5_000; i++) {
                    m.put(base + i, i);
                    m.merge(-1, 1, Integer::sum);
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(15_001, m.size());
        assertEquals(15_000, m.get(-1));
        assertEquals(30_000, m.revision());
    }

    @Test
    void equalsHashCodeAndToStringFollowMap() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("a", 1);
        m.put("b", 2);
        assertEquals(Map.of("a", 1, "b", 2), m);
        assertEquals(m, Map.of("a", 1, "b", 2));
        assertEquals(Map.of("a", 1, "b", 2).hashCode(), m.hashCode());
        assertTrue(m.toString().equals("{a=1, b=2}") || m.toString().equals("{b=2, a=1}"), m.toString());
    }

    @Test
    void collidingHashCodesStayCorrect() {
        final class Colliding {
            final int id;

            Colliding(int id) {
                this.id = id;
            }

            @Override
            public int hashCode() {
                return 42;
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Colliding c && c.id == id;
            }
        }
        VersionedMap<Colliding, Integer> m = new VersionedMap<>();
        for (int i = 0; i < 2_000; i++) {
            m.put(new Colliding(i), i);
        }
        VersionedSnapshot<Colliding, Integer> s = m.snapshot();
        for (int i = 0; i < 2_000; i += 2) {
            m.remove(new Colliding(i));
        }
        assertEquals(1_000, m.size());
        assertEquals(2_000, s.size());
        assertEquals(3, m.get(new Colliding(3)));
        assertNull(m.get(new Colliding(4)));
        assertEquals(4, s.get(new Colliding(4)));
    }

    @Test
    void serializationKeepsContentAndRevisionButNotHistory() throws Exception {
        VersionedMap<String, Integer> m = VersionedMap.<String, Integer>builder().historyCount(50).build();
        m.put("a", 1);
        m.put("b", 2);
        m.remove("a");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        VersionedMap<?, ?> copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (VersionedMap<?, ?>) in.readObject();
        }
        assertNotSame(m, copy);
        assertEquals(m, copy);
        assertEquals(3, copy.revision());
        assertEquals(0, copy.changesSince(3).size());
        assertThrows(CompactedException.class, () -> copy.changesSince(2));
        @SuppressWarnings("unchecked")
        VersionedMap<String, Integer> typed = (VersionedMap<String, Integer>) copy;
        typed.put("c", 3);
        assertEquals(4, typed.revision());
        assertEquals(Map.of("b", 2, "c", 3), typed);
        assertEquals(1, typed.changesSince(3).size());
    }
}
