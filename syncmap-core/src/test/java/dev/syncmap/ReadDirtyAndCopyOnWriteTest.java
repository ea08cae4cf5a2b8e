package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Behaviour that {@link ReadDirtyMap} and {@link CopyOnWriteMap} share: null policy, recursive-update detection,
 * colliding hash codes, and a concurrent oracle for the at-most-once, atomic compute family. The full contract
 * suites (Guava testlib, Lincheck) live in syncmap-testkit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadDirtyAndCopyOnWriteTest {

    static Stream<Arguments> maps() {
        return Stream.of(
            Arguments.of("ReadDirtyMap", (Supplier<ConcurrentMap<Object, Object>>) ReadDirtyMap::new),
            Arguments.of("CopyOnWriteMap", (Supplier<ConcurrentMap<Object, Object>>) CopyOnWriteMap::new));
    }

    /* ---------------- Null policy ---------------- */

    private static void assertNpeNaming(String name, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(name, e.getMessage(), "the NPE must name the argument");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void nullArgumentsAreRejectedWithTheirNameAndChangeNothing(String name,
                                                             Supplier<ConcurrentMap<Object, Object>> factory) {
        ConcurrentMap<Object, Object> map = factory.get();
        map.put("a", 1);
        Map<Object, Object> before = new HashMap<>(map);

        assertNpeNaming("key", () -> map.get(null));
        assertNpeNaming("key", () -> map.containsKey(null));
        assertNpeNaming("key", () -> map.getOrDefault(null, 1));
        assertNpeNaming("value", () -> map.containsValue(null));
        assertNpeNaming("key", () -> map.put(null, 1));
        assertNpeNaming("value", () -> map.put("a", null));
        assertNpeNaming("value", () -> map.put("b", null));
        assertNpeNaming("key", () -> map.putIfAbsent(null, 1));
        assertNpeNaming("value", () -> map.putIfAbsent("b", null));
        assertNpeNaming("key", () -> map.remove(null));
        assertNpeNaming("key", () -> map.remove(null, 1));
        assertNpeNaming("value", () -> map.remove("a", null));
        assertNpeNaming("key", () -> map.replace(null, 1));
        assertNpeNaming("value", () -> map.replace("a", null));
        assertNpeNaming("key", () -> map.replace(null, 1, 2));
        assertNpeNaming("oldValue", () -> map.replace("a", null, 2));
        assertNpeNaming("newValue", () -> map.replace("a", 1, null));
        assertNpeNaming("key", () -> map.computeIfAbsent(null, k -> 1));
        assertNpeNaming("mappingFunction", () -> map.computeIfAbsent("b", null));
        assertNpeNaming("key", () -> map.computeIfPresent(null, (k, v) -> 1));
        assertNpeNaming("remappingFunction", () -> map.computeIfPresent("a", null));
        assertNpeNaming("key", () -> map.compute(null, (k, v) -> 1));
        assertNpeNaming("remappingFunction", () -> map.compute("a", null));
        assertNpeNaming("key", () -> map.merge(null, 1, (a, b) -> a));
        assertNpeNaming("value", () -> map.merge("a", null, (a, b) -> a));
        assertNpeNaming("remappingFunction", () -> map.merge("a", 1, null));
        assertNpeNaming("function", () -> map.replaceAll(null));
        assertNpeNaming("map", () -> map.putAll(null));

        Map<Object, Object> withNullKey = new HashMap<>();
        withNullKey.put("c", 3);
        withNullKey.put(null, 4);
        assertNpeNaming("key in map", () -> map.putAll(withNullKey));
        Map<Object, Object> withNullValue = new HashMap<>();
        withNullValue.put("c", 3);
        withNullValue.put("d", null);
        assertNpeNaming("value in map", () -> map.putAll(withNullValue));

        // A function returning null to replaceAll is an NPE as well.
        assertThrows(NullPointerException.class, () -> map.replaceAll((k, v) -> null));

        assertEquals(before, map, "a rejected call must not change the map");
        assertEquals(1, map.size());
    }

    /* ---------------- Recursive updates ---------------- */

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void aFunctionThatModifiesItsMapGetsIllegalStateAndTheMapStaysUsable(
            String name, Supplier<ConcurrentMap<Object, Object>> factory) {
        ConcurrentMap<Object, Object> map = factory.get();
        map.put("a", 1);
        map.put("b", 2);
        List<Executable> recursive = List.of(
            () -> map.compute("a", (k, v) -> map.put("x", 1)),
            () -> map.compute("new", (k, v) -> map.remove("b")),
            () -> map.computeIfAbsent("new", k -> map.putIfAbsent("x", 1)),
            () -> map.computeIfPresent("a", (k, v) -> map.merge("a", 1, (x, y) -> x)),
            () -> map.merge("a", 5, (x, y) -> map.compute("b", (k, v) -> 9)),
            () -> map.replaceAll((k, v) -> {
                map.clear();
                return v;
            }),
            () -> map.compute("a", (k, v) -> {
                map.putAll(Map.of("y", 1));
                return v;
            }),
            () -> map.compute("a", (k, v) -> map.replace("b", 7)),
            () -> map.compute("a", (k, v) -> map.computeIfAbsent("z", z -> 1)));
        for (Executable call : recursive) {
            assertThrows(IllegalStateException.class, call);
            assertEquals(Map.of("a", 1, "b", 2), map, "a refused recursive update must leave the map unchanged");
        }

        // Reading the map from inside a function is allowed and sees the value before the call.
        assertEquals(3, map.compute("a", (k, v) -> (Integer) v + (Integer) map.get("b")));
        assertEquals(2, map.computeIfAbsent("c", k -> map.size()));
        // The map still works normally, on this thread and others.
        assertEquals(Map.of("a", 3, "b", 2, "c", 2), map);
        map.replaceAll((k, v) -> (Integer) v * 10);
        assertEquals(Map.of("a", 30, "b", 20, "c", 20), map);
        assertEquals(31, map.merge("a", 1, (x, y) -> (Integer) x + (Integer) y));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void aFunctionThatThrowsLeavesTheMapUnchanged(String name, Supplier<ConcurrentMap<Object, Object>> factory) {
        ConcurrentMap<Object, Object> map = factory.get();
        map.put("a", 1);
        map.put("b", 2);
        RuntimeException boom = new RuntimeException("boom");
        assertThrows(RuntimeException.class, () -> map.compute("a", (k, v) -> {
            throw boom;
        }));
        assertThrows(RuntimeException.class, () -> map.computeIfPresent("a", (k, v) -> {
            throw boom;
        }));
        assertThrows(RuntimeException.class, () -> map.computeIfAbsent("c", k -> {
            throw boom;
        }));
        assertThrows(RuntimeException.class, () -> map.merge("b", 1, (x, y) -> {
            throw boom;
        }));
        assertEquals(Map.of("a", 1, "b", 2), map);
        // The entry is writable afterwards (no computing state left behind).
        assertEquals(1, map.put("a", 10));
        assertEquals(10, map.get("a"));
        assertTrue(map.replace("a", 10, 11));
        assertEquals(11, map.remove("a"));
    }

    /* ---------------- Colliding hash codes ---------------- */

    /** A key whose hash code is always 42; comparable, so HashMap bins can form trees. */
    record ComparableCollidingKey(int id) implements Comparable<ComparableCollidingKey> {
        @Override
        public int hashCode() {
            return 42;
        }

        @Override
        public int compareTo(ComparableCollidingKey o) {
            return Integer.compare(id, o.id);
        }
    }

    /** A key whose hash code is always 42 and that is not comparable: lookups scan the bin with equals. */
    static final class OpaqueCollidingKey {
        private final int id;

        OpaqueCollidingKey(int id) {
            this.id = id;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof OpaqueCollidingKey k && k.id == id;
        }

        @Override
        public int hashCode() {
            return 42;
        }

        @Override
        public String toString() {
            return "K" + id;
        }
    }

    static Stream<Arguments> mapsAndKeyKinds() {
        List<Arguments> all = new ArrayList<>();
        maps().forEach(m -> {
            all.add(Arguments.of(m.get()[0], m.get()[1], "Comparable",
                (Function<Integer, Object>) ComparableCollidingKey::new));
            all.add(Arguments.of(m.get()[0], m.get()[1], "not Comparable",
                (Function<Integer, Object>) OpaqueCollidingKey::new));
        });
        return all.stream();
    }

    /**
     * Thousands of keys with one hash code stay correct. Bulk loading goes through putAll, which is one copy for
     * CopyOnWriteMap. Each single write to a CopyOnWriteMap copies the whole table, and for colliding keys that
     * are not Comparable that copy costs O(n²) (about 2 million equals calls for 2,000 keys: tens of
     * milliseconds), so that case runs fewer single-key writes; the others run a few hundred.
     */
    @ParameterizedTest(name = "{0}, {2} keys")
    @MethodSource("mapsAndKeyKinds")
    void thousandsOfCollidingKeysStayCorrect(String name, Supplier<ConcurrentMap<Object, Object>> factory,
                                             String kind, Function<Integer, Object> key) {
        int n = 2000;
        ConcurrentMap<Object, Object> map = factory.get();
        boolean quadraticWrites = map instanceof CopyOnWriteMap && kind.equals("not Comparable");
        Map<Object, Object> bulk = new HashMap<>();
        for (int i = 0; i < n; i++) {
            bulk.put(key.apply(i), i);
        }
        map.putAll(bulk);
        assertEquals(n, map.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, map.get(key.apply(i)));
        }
        assertNull(map.get(key.apply(n)));

        int single = quadraticWrites ? 30 : 300;
        for (int i = n; i < n + single; i++) {
            assertNull(map.putIfAbsent(key.apply(i), i));
        }
        for (int i = 0; i < single; i += 2) {
            assertEquals(i, map.remove(key.apply(i)));
        }
        for (int i = 1; i < single; i += 2) {
            assertEquals(i + 1, map.merge(key.apply(i), 1, (a, b) -> (Integer) a + (Integer) b));
            assertTrue(map.replace(key.apply(i), i + 1, -i));
        }
        assertEquals(n + single - single / 2, map.size());
        int seen = 0;
        for (Map.Entry<Object, Object> e : map.entrySet()) {
            seen++;
            assertEquals(e.getValue(), map.get(e.getKey()));
        }
        assertEquals(map.size(), seen);
        assertEquals(-1, map.get(key.apply(1)));
        assertNull(map.get(key.apply(0)));
        assertEquals(n + 5, map.get(key.apply(n + 5)));
    }

    /* ---------------- Concurrent oracles ---------------- */

    static void runThreads(int threads, ThrowingTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    task.run(id);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    interface ThrowingTask {
        void run(int threadId) throws Exception;
    }

    /**
     * T threads merge 1 into a few hot keys: the sums are exact (no lost update) and the remapping function ran
     * exactly once per merge that found the key present (at most once, never retried): every merge but the first
     * on each key.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void mergeIsAtomicAndRunsItsFunctionOnce(String name, Supplier<ConcurrentMap<Object, Object>> factory)
            throws Exception {
        ConcurrentMap<Object, Object> map = factory.get();
        int threads = 4;
        int perThread = 20_000;
        int keys = 4;
        AtomicInteger invocations = new AtomicInteger();
        runThreads(threads, id -> {
            for (int i = 0; i < perThread; i++) {
                map.merge("k" + (i % keys), 1, (a, b) -> {
                    invocations.incrementAndGet();
                    return (Integer) a + (Integer) b;
                });
            }
        });
        for (int k = 0; k < keys; k++) {
            assertEquals(threads * perThread / keys, map.get("k" + k));
        }
        assertEquals(threads * perThread - keys, invocations.get(), "merge ran its function more than once");
    }

    /**
     * As above with compute and computeIfPresent on keys present from the start, so every call runs its function:
     * invocations == calls exactly, and the sum of the values == invocations (each run applied exactly once).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void computeIsAtomicAndRunsItsFunctionOnce(String name, Supplier<ConcurrentMap<Object, Object>> factory)
            throws Exception {
        ConcurrentMap<Object, Object> map = factory.get();
        int threads = 4;
        int perThread = 20_000;
        int keys = 3;
        for (int k = 0; k < keys; k++) {
            map.put("k" + k, 0);
        }
        AtomicInteger invocations = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        runThreads(threads, id -> {
            for (int i = 0; i < perThread; i++) {
                calls.incrementAndGet();
                map.compute("k" + (i % keys), (k, v) -> {
                    invocations.incrementAndGet();
                    return (Integer) v + 1;
                });
                if (i % 7 == 0) {
                    calls.incrementAndGet();
                    map.computeIfPresent("k" + ((i + 1) % keys), (k, v) -> {
                        invocations.incrementAndGet();
                        return (Integer) v + 1;
                    });
                }
            }
        });
        int total = 0;
        for (int k = 0; k < keys; k++) {
            total += (Integer) map.get("k" + k);
        }
        assertEquals(calls.get(), invocations.get(), "a function ran more (or less) than once per call");
        assertEquals(calls.get(), total, "an update was lost");
    }

    /** Many threads race computeIfAbsent on fresh keys: each key's function runs exactly once. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void computeIfAbsentRunsOncePerKey(String name, Supplier<ConcurrentMap<Object, Object>> factory)
            throws Exception {
        ConcurrentMap<Object, Object> map = factory.get();
        int keys = 2_000;
        AtomicInteger invocations = new AtomicInteger();
        runThreads(4, id -> {
            for (int i = 0; i < keys; i++) {
                Object v = map.computeIfAbsent(i, k -> {
                    invocations.incrementAndGet();
                    return "v" + k;
                });
                assertEquals("v" + i, v);
            }
        });
        assertEquals(keys, invocations.get());
        assertEquals(keys, map.size());
    }

    /** Iterating while others write never throws and shows only values that were written. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void viewsNeverThrowConcurrentModification(String name, Supplier<ConcurrentMap<Object, Object>> factory)
            throws Exception {
        ConcurrentMap<Object, Object> map = factory.get();
        AtomicBoolean stop = new AtomicBoolean();
        runThreads(3, id -> {
            if (id == 0) {
                for (int i = 0; i < 20_000; i++) {
                    int k = i % 200;
                    if (i % 3 == 0) {
                        map.remove(k);
                    } else {
                        map.put(k, i * 1000 + k);
                    }
                }
                stop.set(true);
            } else {
                while (!stop.get()) {
                    for (Iterator<Map.Entry<Object, Object>> it = map.entrySet().iterator(); it.hasNext(); ) {
                        Map.Entry<Object, Object> e = it.next();
                        assertEquals((Integer) e.getKey(), (Integer) e.getValue() % 1000);
                    }
                    map.keySet().forEach(k -> assertTrue((Integer) k < 200));
                }
            }
        });
    }

    /* ---------------- Views and serialization ---------------- */

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void viewsWriteThrough(String name, Supplier<ConcurrentMap<Object, Object>> factory) {
        ConcurrentMap<Object, Object> map = factory.get();
        map.putAll(Map.of("a", 1, "b", 2, "c", 3));
        for (Map.Entry<Object, Object> e : map.entrySet()) {
            if (e.getKey().equals("a")) {
                e.setValue(10);
            }
        }
        assertEquals(10, map.get("a"));
        for (Iterator<Object> it = map.keySet().iterator(); it.hasNext(); ) {
            if (it.next().equals("b")) {
                it.remove();
            }
        }
        assertFalse(map.containsKey("b"));
        assertTrue(map.values().remove(3));
        assertEquals(Map.of("a", 10), map);
        assertEquals(Map.of("a", 10).hashCode(), map.hashCode());
        assertEquals("{a=10}", map.toString());
        map.keySet().clear();
        assertTrue(map.isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maps")
    void serializationKeepsTheMappings(String name, Supplier<ConcurrentMap<Object, Object>> factory)
            throws IOException, ClassNotFoundException {
        ConcurrentMap<Object, Object> map = factory.get();
        for (int i = 0; i < 100; i++) {
            map.put("k" + i, i);
        }
        map.remove("k7");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(map);
        }
        Object copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = in.readObject();
        }
        assertEquals(map.getClass(), copy.getClass());
        assertEquals(map, copy);
        @SuppressWarnings("unchecked")
        ConcurrentMap<Object, Object> restored = (ConcurrentMap<Object, Object>) copy;
        assertEquals(99, restored.size());
        restored.put("k7", 7);
        assertEquals(7, restored.get("k7"));
        assertEquals(100, restored.size());
    }
}
