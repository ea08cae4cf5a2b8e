package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.copy.MapCopy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Behaviour shared by the lock-based maps ({@link LockedMap}, {@link StripedMap}) that the generic contract suites
 * do not pin: the null policy's messages, recursion detection without leaked locks, colliding keys, and stress
 * oracles for "atomic, function at most once".
 */
abstract class AbstractLockingMapTest {

    static final Duration NO_DEADLOCK = Duration.ofSeconds(20);

    /** A new, empty map of the type under test. */
    abstract <K, V> ConcurrentMap<K, V> newMap();

    /* ---------------- Nulls ---------------- */

    @Test
    void nullArgumentsAreRejectedWithTheArgumentsName() {
        ConcurrentMap<String, Integer> map = newMap();
        map.put("a", 1);
        Function<String, Integer> f = k -> 1;
        Map<String, Integer> nullKey = new HashMap<>();
        nullKey.put("b", 2);
        nullKey.put(null, 3);
        Map<String, Integer> nullValue = new HashMap<>();
        nullValue.put("b", 2);
        nullValue.put("c", null);

        assertNpe("key", () -> map.get(null));
        assertNpe("key", () -> map.getOrDefault(null, 1));
        assertNpe("key", () -> map.containsKey(null));
        assertNpe("value", () -> map.containsValue(null));
        assertNpe("key", () -> map.put(null, 1));
        assertNpe("value", () -> map.put("a", null));
        assertNpe("key", () -> map.putIfAbsent(null, 1));
        assertNpe("value", () -> map.putIfAbsent("z", null));
        assertNpe("key", () -> map.remove(null));
        assertNpe("key", () -> map.remove(null, 1));
        assertNpe("value", () -> map.remove("a", null));
        assertNpe("key", () -> map.replace(null, 1));
        assertNpe("value", () -> map.replace("a", null));
        assertNpe("key", () -> map.replace(null, 1, 2));
        assertNpe("oldValue", () -> map.replace("a", null, 2));
        assertNpe("newValue", () -> map.replace("a", 1, null));
        assertNpe("key", () -> map.computeIfAbsent(null, f));
        assertNpe("mappingFunction", () -> map.computeIfAbsent("a", null));
        assertNpe("mappingFunction", () -> map.computeIfAbsent("z", null));
        assertNpe("key", () -> map.computeIfPresent(null, (k, v) -> v));
        assertNpe("remappingFunction", () -> map.computeIfPresent("a", null));
        assertNpe("key", () -> map.compute(null, (k, v) -> v));
        assertNpe("remappingFunction", () -> map.compute("a", null));
        assertNpe("key", () -> map.merge(null, 1, Integer::sum));
        assertNpe("value", () -> map.merge("a", null, Integer::sum));
        assertNpe("remappingFunction", () -> map.merge("a", 1, null));
        assertNpe("function", () -> map.replaceAll(null));
        assertNpe("action", () -> map.forEach(null));
        assertNpe("m", () -> map.putAll(null));
        assertNpe("key", () -> map.putAll(nullKey));
        assertNpe("value", () -> map.putAll(nullValue));
        assertNpe("value", () -> map.values().contains(null));

        assertEquals(Map.of("a", 1), new HashMap<>(map), "a rejected call must change nothing");
        assertNull(map.getOrDefault("z", null), "a null default is allowed");
    }

    private static void assertNpe(String argument, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(argument, e.getMessage());
    }

    /* ---------------- Basic semantics ---------------- */

    @Test
    void functionalMethodsFollowTheMapContract() {
        ConcurrentMap<String, Integer> map = newMap();
        assertEquals(1, map.computeIfAbsent("a", k -> 1));
        assertEquals(1, map.computeIfAbsent("a", k -> 2));
        assertNull(map.computeIfAbsent("b", k -> null));
        assertFalse(map.containsKey("b"));
        assertNull(map.computeIfPresent("b", (k, v) -> 5));
        assertEquals(11, map.computeIfPresent("a", (k, v) -> v + 10));
        assertNull(map.computeIfPresent("a", (k, v) -> null));
        assertFalse(map.containsKey("a"));
        assertEquals(7, map.compute("c", (k, v) -> v == null ? 7 : v + 1));
        assertEquals(8, map.compute("c", (k, v) -> v == null ? 7 : v + 1));
        assertNull(map.compute("c", (k, v) -> null));
        assertNull(map.compute("never", (k, v) -> null));
        assertEquals(3, map.merge("m", 3, Integer::sum));
        assertEquals(7, map.merge("m", 4, Integer::sum));
        assertNull(map.merge("m", 1, (a, b) -> null));
        assertTrue(map.isEmpty());
        assertEquals(0, map.size());

        map.putAll(Map.of("x", 1, "y", 2, "z", 3));
        map.replaceAll((k, v) -> v * 10);
        assertEquals(Map.of("x", 10, "y", 20, "z", 30), map);
        assertEquals(Map.of("x", 10, "y", 20, "z", 30).hashCode(), map.hashCode());
        assertTrue(map.remove("x", 10));
        assertFalse(map.remove("y", 10));
        assertTrue(map.replace("y", 20, 21));
        assertEquals(21, map.replace("y", 22));
        assertNull(map.replace("nope", 1));
        assertEquals(30, map.putIfAbsent("z", 31));
        assertNull(map.putIfAbsent("w", 1));
        assertEquals(Map.of("y", 22, "z", 30, "w", 1), map);
        map.clear();
        assertTrue(map.isEmpty());
    }

    @Test
    void viewsWriteThrough() {
        ConcurrentMap<Integer, Integer> map = newMap();
        for (int i = 0; i < 100; i++) {
            map.put(i, i);
        }
        for (Map.Entry<Integer, Integer> e : map.entrySet()) {
            e.setValue(e.getValue() + 1000);
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(i + 1000, map.get(i));
        }
        Iterator<Integer> keys = map.keySet().iterator();
        while (keys.hasNext()) {
            if (keys.next() % 2 == 0) {
                keys.remove();
            }
        }
        assertEquals(50, map.size());
        assertTrue(map.keySet().remove(1));
        assertTrue(map.values().remove(1003));
        assertEquals(48, map.size());
        assertTrue(map.entrySet().remove(Map.entry(5, 1005)));
        assertFalse(map.entrySet().remove(Map.entry(7, 1)));
        assertEquals(47, map.size());
    }

    /* ---------------- Recursion ---------------- */

    /** Each functional method, given a function that calls {@code body}. */
    private static List<Consumer<ConcurrentMap<String, Integer>>> callsRunning(Consumer<ConcurrentMap<String, Integer>> body) {
        List<Consumer<ConcurrentMap<String, Integer>>> calls = new ArrayList<>();
        calls.add(m -> m.compute("k", (k, v) -> {
            body.accept(m);
            return 2;
        }));
        calls.add(m -> m.computeIfAbsent("absent", k -> {
            body.accept(m);
            return 2;
        }));
        calls.add(m -> m.computeIfPresent("k", (k, v) -> {
            body.accept(m);
            return 2;
        }));
        calls.add(m -> m.merge("k", 5, (a, b) -> {
            body.accept(m);
            return 2;
        }));
        calls.add(m -> m.replaceAll((k, v) -> {
            body.accept(m);
            return 2;
        }));
        return calls;
    }

    @Test
    void aFunctionThatWritesItsOwnMapGetsIllegalStateExceptionAndLeaksNoLock() {
        List<Consumer<ConcurrentMap<String, Integer>>> writes = List.of(
            m -> m.put("other", 1), m -> m.remove("k"), m -> m.putIfAbsent("k", 3), m -> m.clear(),
            m -> m.merge("k", 1, Integer::sum), m -> m.computeIfAbsent("other", k -> 1), m -> m.putAll(Map.of("o", 1)),
            m -> m.replaceAll((k, v) -> v), m -> m.keySet().remove("k"));
        for (Consumer<ConcurrentMap<String, Integer>> write : writes) {
            for (Consumer<ConcurrentMap<String, Integer>> call : callsRunning(write)) {
                ConcurrentMap<String, Integer> map = newMap();
                map.put("k", 1);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> call.accept(map));
                assertTrue(e.getMessage().contains("Recursive update"), e.getMessage());
                assertEquals(Map.of("k", 1), map, "the failed computation changed nothing");
                // Another thread can still write the same key (and stripe): no lock, no pending computation leaked.
                assertTimeoutPreemptively(NO_DEADLOCK, () -> {
                    Thread other = new Thread(() -> {
                        map.put("k", 7);
                        map.merge("k", 1, Integer::sum);
                    });
                    other.start();
                    other.join();
                });
                assertEquals(8, map.get("k"));
                map.put("again", 1); // and so can this thread
            }
        }
    }

    @Test
    void aFunctionMayReadItsOwnMap() {
        ConcurrentMap<String, Integer> map = newMap();
        for (int i = 0; i < 64; i++) {
            map.put("r" + i, i);
        }
        map.put("k", 1);
        int sumOfR = 63 * 64 / 2;
        assertTimeoutPreemptively(NO_DEADLOCK, () -> {
            assertEquals(1 + sumOfR, map.compute("k", (k, v) -> v + sumOfR(map)));
            assertEquals(sumOfR + 1 + sumOfR, map.computeIfAbsent("new", k -> sumOfR(map) + map.get("k")));
            assertEquals(1 + sumOfR + 1 + 2 * sumOfR + 1,
                map.merge("k", 1, (a, b) -> a + b + map.get("new")));
            map.replaceAll((k, v) -> map.get(k) + 1); // reads the key being replaced: its old value
            assertEquals(6, map.get("r5"));
            assertEquals(66, map.size());
        });
    }

    /** Reads keys r0..r63 from inside a function. */
    private static int sumOfR(ConcurrentMap<String, Integer> map) {
        int sum = 0;
        for (int i = 0; i < 64; i++) {
            sum += map.get("r" + i);
        }
        return sum;
    }

    /* ---------------- Colliding keys ---------------- */

    /** A key whose hash code is always 42; not {@link Comparable}. */
    static class CollidingKey implements Serializable {
        private static final long serialVersionUID = 1L;
        final int id;

        CollidingKey(int id) {
            this.id = id;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CollidingKey k && k.getClass() == getClass() && k.id == id;
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

    /** A key whose hash code is always 42, and {@link Comparable}: {@code HashMap} can keep its bin a sorted tree. */
    static final class ComparableCollidingKey extends CollidingKey implements Comparable<ComparableCollidingKey> {
        private static final long serialVersionUID = 1L;

        ComparableCollidingKey(int id) {
            super(id);
        }

        @Override
        public int compareTo(ComparableCollidingKey o) {
            return Integer.compare(id, o.id);
        }
    }

    @ParameterizedTest(name = "comparable={0}")
    @ValueSource(booleans = {true, false})
    void keysWithAConstantHashCodeStillWork(boolean comparable) {
        int n = 5_000;
        Function<Integer, CollidingKey> key = comparable ? ComparableCollidingKey::new : CollidingKey::new;
        ConcurrentMap<CollidingKey, Integer> map = newMap();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < n; i++) {
                assertNull(map.put(key.apply(i), i));
            }
            assertEquals(n, map.size());
            for (int i = 0; i < n; i++) {
                assertEquals(i, map.get(key.apply(i)));
            }
            for (int i = 0; i < n; i += 2) {
                assertEquals(i, map.remove(key.apply(i)));
            }
            assertEquals(n / 2, map.size());
            assertFalse(map.containsKey(key.apply(0)));
            assertNull(map.get(key.apply(n)));
            for (int i = 0; i < n; i += 2) {
                int v = i;
                assertEquals(-v, map.computeIfAbsent(key.apply(i), k -> -v));
                assertEquals(v + 2, map.merge(key.apply(i + 1), 1, Integer::sum));
            }
            assertEquals(n, map.size());
            Set<CollidingKey> seen = new HashSet<>();
            for (Map.Entry<CollidingKey, Integer> e : map.entrySet()) {
                assertTrue(seen.add(e.getKey()));
                int id = e.getKey().id;
                assertEquals(id % 2 == 0 ? -id : id + 1, e.getValue());
            }
            assertEquals(n, seen.size());
            assertTrue(map instanceof ChunkedSource<?, ?>, "both locking maps scan in chunks");
            assertEquals(new HashMap<>(map), MapCopy.of(map).inChunks(97).toHashMap(), "chunked copy");
        });
    }

    /* ---------------- Stress oracles ---------------- */

    /** Runs {@code body(threadIndex)} on {@code threads} threads released together; rethrows the first failure. */
    static void runConcurrently(int threads, ThrowingIntConsumer body) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    body.accept(index);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "stress-" + t);
            thread.start();
            started.add(thread);
        }
        start.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a stress thread failed", failure.get());
        }
    }

    /** A per-thread body that may throw. */
    @FunctionalInterface
    interface ThrowingIntConsumer {
        void accept(int threadIndex) throws Exception;
    }

    @Test
    void concurrentMergeCountsExactlyAndRunsTheFunctionOncePerCallThatFindsAValue() throws Exception {
        int threads = 4;
        int perThread = 25_000;
        int keys = 5;
        ConcurrentMap<Integer, Integer> map = newMap();
        AtomicLong invocations = new AtomicLong();
        assertTimeoutPreemptively(NO_DEADLOCK, () -> runConcurrently(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                map.merge((i + t) % keys, 1, (a, b) -> {
                    invocations.incrementAndGet();
                    return a + b;
                });
            }
        }));
        long total = (long) threads * perThread;
        long sum = 0;
        for (int k = 0; k < keys; k++) {
            sum += map.get(k);
        }
        assertEquals(total, sum, "no increment lost or doubled");
        // The first merge of each key stores the value without calling the function; every other call runs it once.
        assertEquals(total - keys, invocations.get());
    }

    @Test
    void concurrentComputeRunsTheFunctionExactlyOncePerCall() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        ConcurrentMap<String, Long> map = newMap();
        AtomicLong invocations = new AtomicLong();
        assertTimeoutPreemptively(NO_DEADLOCK, () -> runConcurrently(threads, t -> {
            for (int i = 0; i < perThread; i++) {
                map.compute(i % 2 == 0 ? "even" : "odd", (k, v) -> {
                    invocations.incrementAndGet();
                    return v == null ? 1L : v + 1;
                });
            }
        }));
        long total = (long) threads * perThread;
        assertEquals(total, map.get("even") + map.get("odd"));
        assertEquals(total, invocations.get());
    }

    @Test
    void racingComputeIfAbsentRunsTheFunctionOncePerKeyAndEveryoneGetsItsResult() throws Exception {
        int threads = 4;
        int keys = 2_000;
        ConcurrentMap<Integer, Object> map = newMap();
        AtomicLong invocations = new AtomicLong();
        Object[][] seen = new Object[threads][keys];
        assertTimeoutPreemptively(NO_DEADLOCK, () -> runConcurrently(threads, t -> {
            for (int k = 0; k < keys; k++) {
                seen[t][k] = map.computeIfAbsent(k, key -> {
                    invocations.incrementAndGet();
                    return new Object();
                });
            }
        }));
        assertEquals(keys, invocations.get());
        for (int k = 0; k < keys; k++) {
            for (int t = 0; t < threads; t++) {
                assertSame(map.get(k), seen[t][k], "every caller sees the one stored result");
            }
        }
    }

    @Test
    void iterationUnderConcurrentWritesNeverThrowsAndShowsEachKeyOnce() throws Exception {
        ConcurrentMap<Integer, Integer> map = newMap();
        for (int i = 0; i < 500; i++) {
            map.put(i, i);
        }
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            try {
                while (done.getCount() > 0) {
                    int k = random.nextInt(1_000);
                    if (random.nextBoolean()) {
                        map.put(k, k);
                    } else {
                        map.remove(k);
                    }
                }
            } catch (Throwable e) {
                writerFailure.set(e);
            }
        });
        writer.start();
        try {
            long deadline = System.nanoTime() + 300_000_000L;
            int rounds = 0;
            while (System.nanoTime() < deadline || rounds < 20) {
                Set<Integer> keys = new HashSet<>();
                for (Map.Entry<Integer, Integer> e : map.entrySet()) {
                    assertTrue(keys.add(e.getKey()), "a key is seen once per iteration");
                    assertEquals(e.getKey(), e.getValue());
                }
                int values = 0;
                for (Integer ignored : map.values()) {
                    values++;
                }
                assertTrue(values <= 1_000);
                rounds++;
            }
        } finally {
            done.countDown();
            writer.join();
        }
        assertNull(writerFailure.get());
    }

    /* ---------------- Serialization ---------------- */

    @Test
    void serializationRoundTripKeepsTheMappingsAndGivesAWorkingMap() throws Exception {
        ConcurrentMap<String, Integer> map = newMap();
        for (int i = 0; i < 1_000; i++) {
            map.put("k" + i, i);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(map);
        }
        Object read;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            read = in.readObject();
        }
        assertEquals(map.getClass(), read.getClass());
        @SuppressWarnings("unchecked")
        ConcurrentMap<String, Integer> copy = (ConcurrentMap<String, Integer>) read;
        assertEquals(map, copy);
        assertEquals(new ConcurrentHashMap<>(map), copy);
        assertTimeoutPreemptively(NO_DEADLOCK, () -> runConcurrently(2, t -> {
            for (int i = 0; i < 1_000; i++) {
                copy.merge("k" + i, 1, Integer::sum);
            }
        }));
        for (int i = 0; i < 1_000; i++) {
            assertEquals(i + 2, copy.get("k" + i));
        }
    }
}
