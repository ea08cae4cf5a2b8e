package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

class RaceDetectingMapTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    /* ---------------- Races are caught ---------------- */

    /** Two threads hammer put on a RaceDetectingMap(HashMap): the overlap is reported within a second. */
    @Test
    void twoRacingWritersAreCaughtWithinOneSecond() throws Exception {
        Map<Integer, Integer> map = RaceDetectingMap.of(new HashMap<>());
        RaceResult race = race(map, "racer-1", (m, stop) -> hammerPut(m, 0, stop), "racer-2", (m, stop) -> hammerPut(m, 1_000_000, stop));

        assertTrue(race.elapsedNanos <= TimeUnit.SECONDS.toNanos(1),
            "caught after " + race.elapsedNanos / 1_000_000 + " ms");
        ConcurrentMapMisuseException e = race.caught;
        String message = e.getMessage();
        assertTrue(message.startsWith("concurrent map writes: "), message);
        assertTrue(message.contains("thread \"racer-1\" (id " + race.first.getId() + ")"), message);
        assertTrue(message.contains("thread \"racer-2\" (id " + race.second.getId() + ")"), message);
        // hammerPut also removes now and then, so either side may have been in put or in remove
        assertTrue(message.matches(".*called (put|remove) while .* was inside (put|remove),.*"), message);
        assertTrue(message.contains("java.util.HashMap is not thread-safe"), message);
        assertTrue(Set.of("put", "remove").contains(e.detectingOperation()), e.detectingOperation());
        assertTrue(Set.of("put", "remove").contains(e.otherOperation()), e.otherOperation());
        Thread detector = e.detectingThreadId() == race.first.getId() ? race.first : race.second;
        Thread other = detector == race.first ? race.second : race.first;
        assertEquals(other.getId(), e.otherThreadId());

        assertConsistent(map);
    }

    /** A reader and a writer overlapping: caught within a second, whichever side notices. */
    @Test
    void aReadOverlappingAWriteIsCaughtWithinOneSecond() throws Exception {
        Map<Integer, Integer> map = RaceDetectingMap.of(new HashMap<>());
        for (int i = 0; i < 1_000; i++) {
            map.put(i, i);
        }
        RaceResult race = race(map, "reader", RaceDetectingMapTest::hammerGet,
            "writer", (m, stop) -> hammerPut(m, 0, stop));

        assertTrue(race.elapsedNanos <= TimeUnit.SECONDS.toNanos(1),
            "caught after " + race.elapsedNanos / 1_000_000 + " ms");
        String message = race.caught.getMessage();
        assertTrue(message.startsWith("concurrent map read and map write: "), message);
        assertTrue(message.contains("\"reader\" (id " + race.first.getId() + ")"), message);
        assertTrue(message.contains("\"writer\" (id " + race.second.getId() + ")"), message);
        assertTrue(message.contains("get") && message.contains("put"), message);
        assertConsistent(map);
    }

    private static void hammerPut(Map<Integer, Integer> map, int base, AtomicBoolean stop) {
        for (int i = 0; !stop.get(); i++) {
            map.put(base + (i & 4_095), i);
            if ((i & 8_191) == 8_191) {
                map.remove(base + 17);
            }
        }
    }

    private static void hammerGet(Map<Integer, Integer> map, AtomicBoolean stop) {
        long sum = 0;
        for (int i = 0; !stop.get(); i++) {
            Integer v = map.get(i & 1_023);
            sum += v == null ? 0 : v;
        }
        assertTrue(sum >= 0);
    }

    private record RaceResult(ConcurrentMapMisuseException caught, long elapsedNanos, Thread first, Thread second) {}

    /**
     * Runs two threads, released together, until one of them throws ConcurrentMapMisuseException (at most 20 s);
     * then stops the other.
     */
    private static RaceResult race(Map<Integer, Integer> map,
                                   String name1, BiConsumer<Map<Integer, Integer>, AtomicBoolean> body1,
                                   String name2, BiConsumer<Map<Integer, Integer>, AtomicBoolean> body2)
        throws Exception {
        CountDownLatch ready = new CountDownLatch(2);
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<ConcurrentMapMisuseException> caught = new AtomicReference<>();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        List<BiConsumer<Map<Integer, Integer>, AtomicBoolean>> bodies = List.of(body1, body2);
        String[] names = {name1, name2};
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            BiConsumer<Map<Integer, Integer>, AtomicBoolean> body = bodies.get(t);
            threads[t] = new Thread(() -> {
                try {
                    ready.countDown();
                    go.await();
                    body.accept(map, stop);
                } catch (ConcurrentMapMisuseException e) {
                    caught.compareAndSet(null, e);
                } catch (Throwable e) {
                    unexpected.compareAndSet(null, e);
                } finally {
                    stop.set(true);
                }
            }, names[t]);
            threads[t].setDaemon(true);
            threads[t].start();
        }
        ready.await();
        long start = System.nanoTime();
        go.countDown();
        long deadline = start + TimeUnit.SECONDS.toNanos(20);
        while (!stop.get() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        if (unexpected.get() != null) {
            throw new AssertionError("a racer failed with something else", unexpected.get());
        }
        assertNotNull(caught.get(), "no overlap detected in 20 s");
        return new RaceResult(caught.get(), elapsed, threads[0], threads[1]);
    }

    /** The wrapped HashMap is intact: every mapping found by iteration is found by lookup, and the size agrees. */
    private static void assertConsistent(Map<Integer, Integer> map) {
        int iterated = 0;
        for (Map.Entry<Integer, Integer> e : map.entrySet()) {
            assertEquals(e.getValue(), map.get(e.getKey()));
            iterated++;
        }
        assertEquals(map.size(), iterated);
    }

    /* ---------------- Deterministic overlaps: the detector throws before touching the map ---------------- */

    /** A HashMap whose put and get of the key "block" wait inside the map until released. */
    private static final class BlockingMap extends HashMap<String, Integer> {
        private static final long serialVersionUID = 1L;
        final transient CountDownLatch inside = new CountDownLatch(1);
        final transient CountDownLatch release = new CountDownLatch(1);

        @Override
        public Integer put(String key, Integer value) {
            if (key.equals("block")) {
                block();
            }
            return super.put(key, value);
        }

        @Override
        public Integer get(Object key) {
            if ("block".equals(key)) {
                block();
            }
            return super.get(key);
        }

        private void block() {
            inside.countDown();
            try {
                assertTrue(release.await(20, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Every kind of call from this thread while another thread is inside put. */
    @Test
    void everyCallOverlappingAWriteThrowsBeforeTouchingTheMap() throws Exception {
        BlockingMap delegate = new BlockingMap();
        delegate.put("a", 1);
        Map<String, Integer> map = RaceDetectingMap.of(delegate);
        Iterator<String> openIterator = map.keySet().iterator();
        Map.Entry<String, Integer> entry = map.entrySet().iterator().next();
        Set<String> keys = map.keySet();
        Collection<Integer> values = map.values();
        Set<Map.Entry<String, Integer>> entries = map.entrySet();
        Thread writer = new Thread(() -> map.put("block", 7), "blocked-writer");
        writer.start();
        assertTrue(delegate.inside.await(20, TimeUnit.SECONDS));
        try {
            List<Runnable> writes = List.of(() -> map.put("x", 1), () -> map.remove("a"), map::clear,
                () -> map.putIfAbsent("x", 1), () -> map.replace("a", 2), () -> map.replace("a", 1, 2),
                () -> map.remove("a", 1), () -> map.putAll(Map.of("x", 1)), () -> map.replaceAll((k, v) -> v),
                () -> map.compute("x", (k, v) -> 1), () -> map.computeIfAbsent("x", k -> 1),
                () -> map.computeIfPresent("a", (k, v) -> 2), () -> map.merge("a", 1, Integer::sum),
                () -> entry.setValue(5), () -> keys.remove("a"), values::clear, entries::clear,
                () -> entries.remove(entry));
            List<Runnable> reads = List.of(() -> map.get("a"), () -> map.getOrDefault("a", 0),
                () -> map.containsKey("a"), () -> map.containsValue(1), map::size, map::isEmpty,
                () -> map.forEach((k, v) -> { }), openIterator::hasNext, openIterator::next,
                () -> map.keySet().iterator(), keys::iterator, values::size, () -> entries.contains(entry),
                entry::getValue, map::hashCode, map::toString, () -> map.equals(Map.of()),
                () -> keys.removeIf(k -> true)); // removeIf iterates first
            for (Runnable write : writes) {
                ConcurrentMapMisuseException e = assertThrows(ConcurrentMapMisuseException.class, write::run);
                assertTrue(e.getMessage().startsWith("concurrent map writes: thread \""
                    + Thread.currentThread().getName() + "\""), e.getMessage());
                assertTrue(e.getMessage().contains("while thread \"blocked-writer\" (id " + writer.getId()
                    + ") was inside put"), e.getMessage());
                assertEquals(writer.getId(), e.otherThreadId());
            }
            for (Runnable read : reads) {
                ConcurrentMapMisuseException e = assertThrows(ConcurrentMapMisuseException.class, read::run);
                assertTrue(e.getMessage().startsWith("concurrent map read and map write: "), e.getMessage());
                assertTrue(e.getMessage().contains("\"blocked-writer\""), e.getMessage());
            }
            ConcurrentMapMisuseException e = assertThrows(ConcurrentMapMisuseException.class, () -> map.get("a"));
            assertEquals("get", e.detectingOperation());
            assertEquals("put", e.otherOperation());
            // The other thread's stack, taken when the overlap was detected, shows where it was.
            assertEquals(1, e.getSuppressed().length);
            assertTrue(Arrays.stream(e.getSuppressed()[0].getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals(BlockingMap.class.getName())
                    && frame.getMethodName().equals("put")), Arrays.toString(e.getSuppressed()[0].getStackTrace()));
        } finally {
            delegate.release.countDown();
        }
        writer.join();
        Map<String, Integer> expected = new HashMap<>();
        expected.put("a", 1);
        expected.put("block", 7);
        assertEquals(expected, delegate, "no refused call touched the wrapped map");
        map.put("after", 1); // idle again
        assertEquals(3, map.size());
    }

    /** Writes while another thread is inside get are refused; concurrent reads are allowed. */
    @Test
    void aWriteOverlappingAReadThrowsAndNamesTheReader() throws Exception {
        BlockingMap delegate = new BlockingMap();
        delegate.put("a", 1);
        Map<String, Integer> map = RaceDetectingMap.of(delegate);
        Thread reader = new Thread(() -> map.get("block"), "blocked-reader");
        reader.start();
        assertTrue(delegate.inside.await(20, TimeUnit.SECONDS));
        try {
            assertEquals(1, map.get("a"), "two readers may overlap");
            assertTrue(map.containsKey("a"));
            for (String key : map.keySet()) {
                assertEquals("a", key);
            }
            ConcurrentMapMisuseException e = assertThrows(ConcurrentMapMisuseException.class, () -> map.put("b", 2));
            assertEquals("concurrent map read and map write: thread \"" + Thread.currentThread().getName()
                    + "\" (id " + Thread.currentThread().getId() + ") called put while 1 thread was reading the map:"
                    + " thread \"blocked-reader\" (id " + reader.getId() + ") inside get, on the same RaceDetectingMap."
                    + " The wrapped " + BlockingMap.class.getName() + " is not thread-safe: guard every access with"
                    + " one lock, confine it to one thread, or use a ConcurrentMap.",
                e.getMessage());
            assertEquals(reader.getId(), e.otherThreadId());
            assertEquals("get", e.otherOperation());
            assertThrows(ConcurrentMapMisuseException.class, () -> map.keySet().iterator().remove());
            assertThrows(ConcurrentMapMisuseException.class, () -> map.entrySet().iterator().next().setValue(3));
        } finally {
            delegate.release.countDown();
        }
        reader.join();
        assertEquals(Map.of("a", 1), delegate);
    }

    /* ---------------- No false positives ---------------- */

    /** Millions of calls from one thread, every kind, checked against a plain HashMap. */
    @Test
    void singleThreadedUseNeverThrowsAndBehavesLikeTheWrappedMap() {
        Map<Integer, Integer> model = new HashMap<>();
        Map<Integer, Integer> map = RaceDetectingMap.of(new HashMap<>());
        Random random = new Random(42);
        assertTimeoutPreemptively(LIMIT, () -> {
            for (int i = 0; i < 3_000_000; i++) {
                int k = random.nextInt(2_000);
                switch (random.nextInt(12)) {
                    case 0, 1, 2 -> assertEquals(model.get(k), map.get(k));
                    case 3, 4 -> assertEquals(model.put(k, i), map.put(k, i));
                    case 5 -> assertEquals(model.remove(k), map.remove(k));
                    case 6 -> assertEquals(model.merge(k, 1, Integer::sum), map.merge(k, 1, Integer::sum));
                    case 7 -> assertEquals(model.computeIfAbsent(k, x -> x), map.computeIfAbsent(k, x -> x));
                    case 8 -> assertEquals(model.compute(k, (x, v) -> v == null ? 1 : null),
                        // the function reads the map it runs in: a nested read on the same thread
                        map.compute(k, (x, v) -> map.get(x) == null ? 1 : null));
                    case 9 -> assertEquals(model.containsKey(k), map.containsKey(k));
                    case 10 -> assertEquals(model.putIfAbsent(k, -i), map.putIfAbsent(k, -i));
                    default -> assertEquals(model.size(), map.size());
                }
                if (i % 100_000 == 0) {
                    Iterator<Map.Entry<Integer, Integer>> it = map.entrySet().iterator();
                    while (it.hasNext()) {
                        Map.Entry<Integer, Integer> e = it.next();
                        if (e.getKey() % 3 == 0) {
                            it.remove();
                        } else {
                            e.setValue(e.getValue() + 1);
                        }
                    }
                    model.keySet().removeIf(x -> x % 3 == 0);
                    model.replaceAll((x, v) -> v + 1);
                    assertEquals(model, map);
                    map.forEach((x, v) -> map.put(x, v)); // writing existing keys from forEach's action is allowed
                    assertEquals(model.hashCode(), map.hashCode());
                }
            }
        });
        assertEquals(model, map);
    }

    /** Four threads using the map under one external lock never trip the detector. */
    @Test
    void properlySynchronizedUseNeverThrows() throws Exception {
        Map<Integer, Integer> map = RaceDetectingMap.of(new HashMap<>());
        Object lock = new Object();
        int threads = 4;
        int perThread = 200_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    for (int i = 0; i < perThread; i++) {
                        synchronized (lock) {
                            map.merge(i & 63, 1, Integer::sum);
                            map.get(i & 127);
                            if ((i & 1_023) == 0) {
                                int sum = 0;
                                for (int v : map.values()) {
                                    sum += v;
                                }
                                assertTrue(sum > 0);
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            thread.start();
            started.add(thread);
        }
        for (Thread thread : started) {
            thread.join();
        }
        assertNull(failure.get());
        assertEquals(threads * perThread, map.values().stream().mapToInt(Integer::intValue).sum());
    }

    /** Calls handed from thread to thread by a join, with no lock at all, are ordered: no overlap, no error. */
    @Test
    void handOffsWithoutOverlapNeverThrow() throws Exception {
        Map<Integer, Integer> map = RaceDetectingMap.of(new HashMap<>());
        for (int round = 0; round < 200; round++) {
            int r = round;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    map.merge(i, r, Integer::sum);
                }
            });
            thread.start();
            thread.join();
        }
        assertEquals(199 * 200 / 2, map.get(0));
    }

    /* ---------------- Same-thread re-entry and construction ---------------- */

    @Test
    void reEntryOnOneThreadIsTheWrappedMapsBusiness() {
        Map<String, Integer> map = RaceDetectingMap.of(new HashMap<>());
        map.put("a", 1);
        assertEquals(2, map.computeIfAbsent("b", k -> map.get("a") + 1), "a function may read the map");
        // HashMap itself refuses a function that adds a mapping; that is its CME, not a misuse report.
        assertThrows(ConcurrentModificationException.class, () -> map.computeIfAbsent("c", k -> {
            map.put("d", 1);
            return 1;
        }));
        map.put("e", 5); // still usable: the state word is idle
        assertTrue(map.containsKey("e"));
    }

    @Test
    void ofValidatesItsArgument() {
        NullPointerException npe = assertThrows(NullPointerException.class, () -> RaceDetectingMap.of(null));
        assertEquals("map", npe.getMessage());
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class,
            () -> RaceDetectingMap.of(new ConcurrentHashMap<>()));
        assertTrue(iae.getMessage().contains("ConcurrentMap"), iae.getMessage());
        Map<String, String> checked = RaceDetectingMap.of(new TreeMap<>());
        assertSame(checked, RaceDetectingMap.of(checked));
        Map<String, String> ordered = RaceDetectingMap.of(new LinkedHashMap<>());
        ordered.put("z", "1");
        ordered.put("a", "2");
        assertEquals("{z=1, a=2}", ordered.toString());
        Map<String, String> nulls = RaceDetectingMap.of(new HashMap<>());
        nulls.put(null, null); // the wrapped map's null policy applies
        assertTrue(nulls.containsKey(null));
        assertFalse(nulls.isEmpty());
        assertNotNull(nulls.keySet().iterator());
    }
}
