package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/** Tests of {@link CopyOnWriteMap}: snapshots, revisions, point-in-time iteration and untorn reloads. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CopyOnWriteMapTest {

    private ExecutorService pool;

    @BeforeEach
    void startPool() {
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    /* ---------------- Snapshots and revisions ---------------- */

    @Test
    void snapshotIsTheSharedCurrentTableAndRevisionCountsPublishes() {
        CopyOnWriteMap<String, Integer> map = new CopyOnWriteMap<>();
        assertEquals(0, map.snapshot().revision());
        assertSame(map.snapshot(), map.snapshot(), "O(1): no copy while nothing is written");

        map.put("a", 1);
        assertEquals(1, map.snapshot().revision());
        Snapshot<String, Integer> s1 = map.snapshot();

        // Writes that change nothing publish nothing.
        map.putIfAbsent("a", 5);
        map.remove("zz");
        map.remove("a", 9);
        map.replace("zz", 1);
        map.replace("a", 9, 10);
        map.computeIfPresent("zz", (k, v) -> 1);
        map.computeIfAbsent("a", k -> 1);
        map.computeIfAbsent("zz", k -> null);
        map.compute("zz", (k, v) -> null);
        assertThrows(IllegalArgumentException.class, () -> map.compute("a", (k, v) -> {
            throw new IllegalArgumentException();
        }));
        assertSame(s1, map.snapshot());

        map.putAll(Map.of("b", 2, "c", 3, "d", 4));
        assertEquals(2, map.snapshot().revision(), "putAll is one publish");
        map.replaceAll((k, v) -> v * 10);
        assertEquals(3, map.snapshot().revision(), "replaceAll is one publish");
        map.reload(Map.of("x", 1, "y", 2));
        assertEquals(4, map.snapshot().revision(), "reload is one publish");
        map.clear();
        assertEquals(5, map.snapshot().revision());
        map.clear();
        assertEquals(5, map.snapshot().revision(), "clearing an empty map publishes nothing");

        assertEquals(Map.of("a", 1), s1, "an old snapshot keeps its content");
        assertEquals(1, s1.revision());
    }

    @Test
    void snapshotsAreImmutable() {
        CopyOnWriteMap<String, Integer> map = new CopyOnWriteMap<>(Map.of("a", 1, "b", 2));
        Snapshot<String, Integer> s = map.snapshot();
        List<Executable> writes = List.of(
            () -> s.put("c", 3),
            () -> s.remove("a"),
            () -> s.remove("zz"),
            () -> s.clear(),
            () -> s.putAll(Map.of()),
            () -> s.putIfAbsent("a", 1),
            () -> s.remove("a", 1),
            () -> s.replace("a", 1),
            () -> s.replace("a", 1, 2),
            () -> s.computeIfAbsent("a", k -> 1),
            () -> s.computeIfPresent("zz", (k, v) -> 1),
            () -> s.compute("a", (k, v) -> 1),
            () -> s.merge("a", 1, Integer::sum),
            () -> s.replaceAll((k, v) -> v),
            () -> s.entrySet().iterator().next().setValue(5),
            () -> {
                Iterator<String> it = s.keySet().iterator();
                it.next();
                it.remove();
            },
            () -> s.values().clear());
        for (Executable w : writes) {
            assertThrows(UnsupportedOperationException.class, w);
        }
        assertEquals(Map.of("a", 1, "b", 2), s);
        assertEquals(Map.of("a", 1, "b", 2), map);
        assertEquals("key", assertThrows(NullPointerException.class, () -> s.get(null)).getMessage());
        assertEquals("key", assertThrows(NullPointerException.class, () -> s.containsKey(null)).getMessage());
        assertEquals(Map.of("a", 1, "b", 2).hashCode(), s.hashCode());
    }

    @Test
    void iterationIsOverTheTableCurrentAtItsCreation() {
        CopyOnWriteMap<String, Integer> map = new CopyOnWriteMap<>(Map.of("a", 1, "b", 2, "c", 3));
        Iterator<Map.Entry<String, Integer>> it = map.entrySet().iterator();
        map.put("d", 4);
        map.put("a", 100);
        map.remove("b");
        Map<String, Integer> seen = new HashMap<>();
        while (it.hasNext()) {
            Map.Entry<String, Integer> e = it.next();
            seen.put(e.getKey(), e.getValue());
            if (e.getKey().equals("c")) {
                it.remove(); // writes through to the map, not to the picture being iterated
            }
        }
        assertEquals(Map.of("a", 1, "b", 2, "c", 3), seen);
        assertEquals(Map.of("a", 100, "d", 4), map);
    }

    /* ---------------- reload ---------------- */

    @Test
    void reloadRejectsNullsBeforePublishingAnything() {
        CopyOnWriteMap<String, Integer> map = new CopyOnWriteMap<>(Map.of("a", 1));
        Snapshot<String, Integer> before = map.snapshot();
        Map<String, Integer> nullKey = new HashMap<>();
        nullKey.put("b", 2);
        nullKey.put(null, 3);
        assertEquals("content contains a null key",
            assertThrows(NullPointerException.class, () -> map.reload(nullKey)).getMessage());
        Map<String, Integer> nullValue = new HashMap<>();
        nullValue.put("b", 2);
        nullValue.put("c", null);
        assertEquals("content contains a null value, for key c",
            assertThrows(NullPointerException.class, () -> map.reload(nullValue)).getMessage());
        assertEquals("content", assertThrows(NullPointerException.class, () -> map.reload(null)).getMessage());
        assertSame(before, map.snapshot(), "a rejected reload must publish nothing");
        assertThrows(NullPointerException.class, () -> new CopyOnWriteMap<>(nullValue));

        map.reload(Map.of("x", 9));
        assertEquals(Map.of("x", 9), map);
        assertThrows(IllegalStateException.class,
            () -> map.compute("x", (k, v) -> {
                map.reload(Map.of());
                return v;
            }));
        assertEquals(Map.of("x", 9), map);
    }

    @Test
    void aFailingReplaceAllChangesNothing() {
        CopyOnWriteMap<String, Integer> map = new CopyOnWriteMap<>(Map.of("a", 1, "b", 2, "c", 3));
        Snapshot<String, Integer> before = map.snapshot();
        assertThrows(ArithmeticException.class, () -> map.replaceAll((k, v) -> {
            if (k.equals("b")) {
                throw new ArithmeticException("b");
            }
            return v + 1;
        }));
        assertThrows(NullPointerException.class, () -> map.replaceAll((k, v) -> k.equals("c") ? null : v + 1));
        assertSame(before, map.snapshot());
    }

    /**
     * Content of generation {@code g}: {@code 16 + g % 16} keys, every value {@code g}. A reader that sees values
     * of two generations, or a key count that does not match the values' generation, saw a torn write.
     */
    private static Map<Integer, Integer> generation(int g) {
        Map<Integer, Integer> content = new HashMap<>();
        for (int k = 0; k < 16 + g % 16; k++) {
            content.put(k, g);
        }
        return content;
    }

    /** What the readers of a reload race saw. */
    record RaceOutcome(long reads, long tornReads, long backwardReads) {}

    /**
     * Runs generations {@code from .. from + reloads - 1} through {@code reload} while two readers repeatedly
     * read the whole content through {@code read} and check it: all values equal, key count matching,
     * generations never going back. The content before must be of a generation below {@code from}.
     */
    private RaceOutcome reloadRace(Supplier<Iterable<Map.Entry<Integer, Integer>>> read, IntConsumer reload,
                                   int from, int reloads) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        AtomicLong torn = new AtomicLong();
        AtomicLong backward = new AtomicLong();
        CountDownLatch readersRunning = new CountDownLatch(2);
        Runnable reader = () -> {
            readersRunning.countDown();
            int last = -1;
            do {
                int first = -1;
                int count = 0;
                boolean mixed = false;
                for (Map.Entry<Integer, Integer> e : read.get()) {
                    int v = e.getValue();
                    if (first < 0) {
                        first = v;
                    } else if (v != first) {
                        mixed = true;
                    }
                    count++;
                }
                reads.incrementAndGet();
                if (mixed || (first >= 0 && count != 16 + first % 16)) {
                    torn.incrementAndGet();
                }
                if (first >= 0 && first < last) {
                    backward.incrementAndGet();
                }
                last = Math.max(last, first);
            } while (!done.get());
        };
        Future<?> r1 = pool.submit(reader);
        Future<?> r2 = pool.submit(reader);
        // the writer starts once both readers run (on a busy machine it could otherwise finish before them)
        assertTrue(readersRunning.await(60, TimeUnit.SECONDS), "the readers never started");
        try {
            for (int g = from; g < from + reloads; g++) {
                reload.accept(g);
            }
        } finally {
            done.set(true);
        }
        r1.get(60, TimeUnit.SECONDS);
        r2.get(60, TimeUnit.SECONDS);
        return new RaceOutcome(reads.get(), torn.get(), backward.get());
    }

    @Test
    void reloadIsNeverSeenHalfDone() throws Exception {
        CopyOnWriteMap<Integer, Integer> map = new CopyOnWriteMap<>(generation(0));
        RaceOutcome viaIteration = reloadRace(map::entrySet, g -> map.reload(generation(g)), 1, 5_000);
        RaceOutcome viaSnapshot =
            reloadRace(() -> map.snapshot().entrySet(), g -> map.reload(generation(g)), 5_001, 5_000);
        assertTrue(viaIteration.reads() > 0 && viaSnapshot.reads() > 0, "the readers must have run");
        assertEquals(0, viaIteration.tornReads(), "a reader saw a mix of two reloads: " + viaIteration);
        assertEquals(0, viaSnapshot.tornReads(), "a reader saw a mix of two reloads: " + viaSnapshot);
        assertEquals(0, viaIteration.backwardReads() + viaSnapshot.backwardReads(), "a reader went back in time");
        assertEquals(generation(10_000), map);
    }

    @Test
    void putAllAndReplaceAllAreNeverSeenHalfDone() throws Exception {
        CopyOnWriteMap<Integer, Integer> map = new CopyOnWriteMap<>();
        for (int k = 0; k < 16; k++) {
            map.put(k, 0); // generation 0: 16 keys, all 0; every putAll/replaceAll below keeps 16 keys
        }
        RaceOutcome viaPutAll = reloadRace(map::entrySet, g -> {
            Map<Integer, Integer> all = new HashMap<>();
            for (int k = 0; k < 16; k++) {
                all.put(k, g * 16);
            }
            map.putAll(all);
        }, 1, 3_000);
        RaceOutcome viaReplaceAll = reloadRace(map::entrySet, g -> map.replaceAll((k, v) -> v + 16), 1, 3_000);
        assertEquals(0, viaPutAll.tornReads(), "putAll seen half done: " + viaPutAll);
        assertEquals(0, viaReplaceAll.tornReads(), "replaceAll seen half done: " + viaReplaceAll);
        assertTrue(viaPutAll.reads() > 0 && viaReplaceAll.reads() > 0);
        assertEquals(16 * 6_000, map.get(0));
    }

    /**
     * Proves that {@link #reloadRace} can fail: a "reload" that writes the new generation key by key into a
     * ConcurrentHashMap (what reload would be without one atomic publish) is caught tearing.
     */
    @Test
    void theReloadRaceCatchesAKeyByKeyReload() throws Exception {
        ConcurrentHashMap<Integer, Integer> torn = new ConcurrentHashMap<>(generation(0));
        IntConsumer keyByKey = g -> {
            Map<Integer, Integer> next = generation(g);
            torn.keySet().removeIf(k -> !next.containsKey(k));
            torn.putAll(next);
        };
        long tornReads = 0;
        for (int round = 0; round < 20 && tornReads == 0; round++) {
            tornReads = reloadRace(torn::entrySet, keyByKey, 1 + round * 5_000, 5_000).tornReads();
        }
        assertTrue(tornReads > 0, "the race never caught the non-atomic reload");
    }

    /* ---------------- Readers never wait ---------------- */

    @Test
    void readersDoNotWaitForARunningWrite() throws Exception {
        CopyOnWriteMap<String, Integer> map = new CopyOnWriteMap<>(Map.of("a", 1, "b", 2));
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> compute = pool.submit(() -> map.compute("a", (k, v) -> {
            running.countDown();
            try {
                assertTrue(release.await(60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return 10;
        }));
        assertTrue(running.await(10, TimeUnit.SECONDS));
        Snapshot<String, Integer> during = map.snapshot();
        assertEquals(1, pool.submit(() -> map.get("a")).get(10, TimeUnit.SECONDS));
        assertEquals(2, pool.submit(map::size).get(10, TimeUnit.SECONDS));
        assertEquals(Map.of("a", 1, "b", 2), pool.submit(() -> new HashMap<>(map)).get(10, TimeUnit.SECONDS));
        assertEquals(2, pool.submit(() -> map.putIfAbsent("b", 5)).get(10, TimeUnit.SECONDS),
            "a no-op write answers without the lock");
        Future<Integer> put = pool.submit(() -> map.put("c", 3));
        assertThrows(java.util.concurrent.TimeoutException.class, () -> put.get(300, TimeUnit.MILLISECONDS));
        release.countDown();
        assertEquals(10, compute.get(10, TimeUnit.SECONDS));
        put.get(10, TimeUnit.SECONDS);
        assertEquals(Map.of("a", 10, "b", 2, "c", 3), map);
        assertEquals(Map.of("a", 1, "b", 2), during);
        assertNotSame(during, map.snapshot());
        assertFalse(map.snapshot().revision() == during.revision());
    }
}
