package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** White-box and concurrency tests of {@link ReadDirtyMap}'s read/dirty structure and its atomic compute. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadDirtyMapTest {

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

    /** A map whose keys k0..k(n-1) have been promoted into the read map. */
    private static ReadDirtyMap<String, Integer> promotedMap(int n) {
        ReadDirtyMap<String, Integer> map = new ReadDirtyMap<>();
        for (int i = 0; i < n; i++) {
            map.put("k" + i, i);
        }
        map.keySet().iterator(); // iterating promotes, like Go's Range
        ReadDirtyMap.DebugState s = map.debugState();
        assertFalse(s.amended());
        assertEquals(n, s.readSize());
        return map;
    }

    /* ---------------- Promotion, deletes, expunged entries ---------------- */

    @Test
    void missesPromoteTheDirtyMapOnceTheyReachItsSize() {
        ReadDirtyMap<String, Integer> map = new ReadDirtyMap<>();
        for (int i = 0; i < 10; i++) {
            map.put("k" + i, i);
        }
        ReadDirtyMap.DebugState s = map.debugState();
        assertTrue(s.amended(), "new keys go to the dirty map");
        assertEquals(0, s.readSize());
        assertEquals(10, s.dirtySize());
        assertEquals("none", map.readEntryState("k0"));

        for (int i = 0; i < 9; i++) {
            assertEquals(i, map.get("k" + i)); // each a miss: the read map lacks the key
        }
        s = map.debugState();
        assertEquals(9, s.misses());
        assertTrue(s.amended());
        assertEquals(0, s.promotions());

        assertNull(map.get("absent")); // misses count lookups of absent keys too
        s = map.debugState();
        assertFalse(s.amended(), "the 10th miss reaches dirty.size() and promotes");
        assertEquals(1, s.promotions());
        assertEquals(0, s.misses());
        assertEquals(10, s.readSize());
        assertEquals(-1, s.dirtySize(), "no dirty map after a promotion");
        assertEquals("present", map.readEntryState("k0"));

        for (int i = 0; i < 100; i++) {
            assertEquals(i % 10, map.get("k" + i % 10)); // hits: no misses, no lock
        }
        assertEquals(0, map.debugState().misses());
        assertEquals(10, map.size());
    }

    @Test
    void deletingAndRestoringReadKeysCopiesNothing() {
        ReadDirtyMap<String, Integer> map = promotedMap(5);
        assertEquals(0, map.remove("k0"));
        assertTrue(map.remove("k1", 1));
        assertFalse(map.remove("k2", 99));
        ReadDirtyMap.DebugState s = map.debugState();
        assertFalse(s.amended(), "deleting a read-map key must not create a dirty map");
        assertEquals(-1, s.dirtySize());
        assertEquals("deleted", map.readEntryState("k0"));
        assertEquals("deleted", map.readEntryState("k1"));
        assertEquals(3, map.size());
        assertNull(map.get("k0"));
        assertFalse(map.containsKey("k1"));

        assertNull(map.put("k0", 100), "re-storing a deleted read key revives its entry");
        assertNull(map.putIfAbsent("k1", 101));
        s = map.debugState();
        assertFalse(s.amended(), "still no copy");
        assertEquals(5, s.readSize());
        assertEquals(Map.of("k0", 100, "k1", 101, "k2", 2, "k3", 3, "k4", 4), map);
    }

    @Test
    void rebuildingTheDirtyMapExpungesDeletedEntriesAndAStoreRevivesThem() {
        ReadDirtyMap<String, Integer> map = promotedMap(5);
        map.remove("k0");
        map.remove("k1");
        map.put("new", 5); // a key the read map lacks: the dirty map is rebuilt from the read map

        ReadDirtyMap.DebugState s = map.debugState();
        assertTrue(s.amended());
        assertEquals(4, s.dirtySize(), "k2, k3, k4 and new; the deleted k0 and k1 are not copied");
        assertEquals("expunged", map.readEntryState("k0"));
        assertEquals("expunged", map.readEntryState("k1"));
        assertFalse(map.dirtyContains("k0"));
        assertNull(map.get("k0"), "expunged means absent");
        assertNull(map.remove("k1"));
        assertNull(map.replace("k1", 7));
        assertFalse(map.replace("k1", 1, 7));
        assertNull(map.computeIfPresent("k1", (k, v) -> 7));
        assertEquals(4, map.size());

        assertNull(map.put("k0", 10), "storing an expunged key");
        assertEquals("present", map.readEntryState("k0"), "the same entry is revived");
        assertTrue(map.dirtyContains("k0"), "and put back into the dirty map");
        assertEquals(10, map.get("k0"));
        assertEquals(11, map.compute("k1", (k, v) -> v == null ? 11 : -1), "compute revives an expunged key");
        assertTrue(map.dirtyContains("k1"));
        assertEquals(6, map.size());

        Set<String> keys = new HashSet<>(map.keySet()); // promotes
        assertEquals(Set.of("k0", "k1", "k2", "k3", "k4", "new"), keys);
        s = map.debugState();
        assertFalse(s.amended());
        assertEquals(6, s.readSize());
        assertEquals("present", map.readEntryState("k0"));
        assertEquals(Map.of("k0", 10, "k1", 11, "k2", 2, "k3", 3, "k4", 4, "new", 5), map);
    }

    @Test
    void anExpungedKeyIsForgottenByTheNextPromotion() {
        ReadDirtyMap<String, Integer> map = promotedMap(3);
        map.remove("k0");
        map.put("new", 3);
        assertEquals("expunged", map.readEntryState("k0"));
        map.forEach((k, v) -> { }); // promotes
        assertEquals("none", map.readEntryState("k0"));
        assertEquals(3, map.debugState().readSize());
        assertNull(map.get("k0"));
        assertNull(map.put("k0", 0), "a new entry in a new dirty map");
        assertEquals(4, map.size());
    }

    @Test
    void removingAKeyOnlyInTheDirtyMapDropsItAndCountsAMiss() {
        ReadDirtyMap<String, Integer> map = promotedMap(3);
        map.put("d1", 1);
        map.put("d2", 2);
        int misses = map.debugState().misses();
        assertEquals(1, map.remove("d1"));
        assertFalse(map.dirtyContains("d1"));
        assertEquals(misses + 1, map.debugState().misses());
        assertTrue(map.dirtyContains("d2"));
        assertEquals(4, map.size());
        assertEquals(Map.of("k0", 0, "k1", 1, "k2", 2, "d2", 2), map);
    }

    @Test
    void clearIsAtomicAndLeavesAWorkingMap() {
        ReadDirtyMap<String, Integer> map = promotedMap(4);
        map.put("d", 9);
        map.clear();
        ReadDirtyMap.DebugState s = map.debugState();
        assertEquals(0, s.count());
        assertFalse(s.amended());
        assertEquals(0, s.readSize());
        assertTrue(map.isEmpty());
        assertNull(map.get("k1"));
        assertNull(map.put("k1", 1));
        assertEquals(Map.of("k1", 1), map);
    }

    /* ---------------- Iteration ---------------- */

    @Test
    void iterationShowsValuesWhenReachedAndNotKeysAddedAfterItsCreation() {
        ReadDirtyMap<String, Integer> map = promotedMap(3);
        map.put("d", 3); // dirty only: the iterator's promotion brings it in
        Iterator<Map.Entry<String, Integer>> it = map.entrySet().iterator();
        assertFalse(map.debugState().amended(), "creating an iterator promotes the dirty map");
        map.put("later", 4); // added after creation: not shown
        map.put("k0", 100); // changed before being reached: shown with its new value
        map.remove("k1"); // removed before being reached: not shown
        Map<String, Integer> seen = new HashMap<>();
        while (it.hasNext()) {
            Map.Entry<String, Integer> e = it.next();
            assertNull(seen.put(e.getKey(), e.getValue()), "a key shown twice");
        }
        assertEquals(Map.of("k0", 100, "k2", 2, "d", 3), seen);
    }

    @Test
    void iteratingInsideAMappingFunctionSeesTheDirtyKeysWithoutPromoting() {
        ReadDirtyMap<String, Integer> map = promotedMap(2);
        map.put("d", 2);
        long promotions = map.debugState().promotions();
        Map<String, Integer> seenInside = new HashMap<>();
        map.compute("k0", (k, v) -> {
            map.forEach(seenInside::put);
            return v + 10;
        });
        assertEquals(Map.of("k0", 0, "k1", 1, "d", 2), seenInside, "the compute's own key shows its old value");
        assertEquals(promotions, map.debugState().promotions(), "no promotion under a running compute");
        assertEquals(Map.of("k0", 10, "k1", 1, "d", 2), map);
    }

    /* ---------------- Lock-freedom and the computing marker ---------------- */

    /** Starts a compute on {@code key} whose function waits for {@code release}; returns once it is running. */
    private Future<Integer> blockedCompute(ReadDirtyMap<String, Integer> map, String key, CountDownLatch release,
                                           int result) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Future<Integer> f = pool.submit(() -> map.compute(key, (k, v) -> {
            running.countDown();
            try {
                assertTrue(release.await(60, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return result;
        }));
        assertTrue(running.await(10, TimeUnit.SECONDS));
        return f;
    }

    private <T> T completesWhileLockIsHeld(Callable<T> call) throws Exception {
        return pool.submit(call).get(10, TimeUnit.SECONDS);
    }

    private static void assertBlocked(Future<?> f) {
        assertThrows(TimeoutException.class, () -> f.get(300, TimeUnit.MILLISECONDS),
            "should wait for the running compute");
    }

    @Test
    void readMapHitsNeedNoLockButNewKeysWaitForIt() throws Exception {
        ReadDirtyMap<String, Integer> map = promotedMap(4);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> compute = blockedCompute(map, "k3", release, 33); // holds the lock

        assertEquals(0, completesWhileLockIsHeld(() -> map.get("k0")));
        assertEquals(1, completesWhileLockIsHeld(() -> map.put("k1", 10)));
        assertEquals(10, completesWhileLockIsHeld(() -> map.replace("k1", 11)));
        assertTrue(completesWhileLockIsHeld(() -> map.replace("k1", 11, 12)));
        assertEquals(2, completesWhileLockIsHeld(() -> map.putIfAbsent("k2", 99)));
        assertEquals(2, completesWhileLockIsHeld(() -> map.computeIfAbsent("k2", k -> 99)));
        assertFalse(completesWhileLockIsHeld(() -> map.remove("k0", 42)));
        assertNull(completesWhileLockIsHeld(() -> map.get("absent")), "absent and not amended: no lock");

        Future<Integer> newKey = pool.submit(() -> map.put("brand-new", 5));
        assertBlocked(newKey);
        Future<Integer> delete = pool.submit(() -> map.remove("k0"));
        assertBlocked(delete);
        Future<Integer> size = pool.submit(map::size);
        assertBlocked(size);

        release.countDown();
        assertEquals(33, compute.get(10, TimeUnit.SECONDS));
        assertNull(newKey.get(10, TimeUnit.SECONDS));
        assertEquals(0, delete.get(10, TimeUnit.SECONDS));
        int sizeSeen = size.get(10, TimeUnit.SECONDS);
        assertTrue(sizeSeen >= 3 && sizeSeen <= 5, "size " + sizeSeen);
        assertEquals(Map.of("k1", 12, "k2", 2, "k3", 33, "brand-new", 5), map);
    }

    @Test
    void whileAComputeRunsReadersSeeTheOldValueAndWritersWait() throws Exception {
        ReadDirtyMap<String, Integer> map = promotedMap(2);
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> compute = blockedCompute(map, "k0", release, 50);

        assertEquals(0, completesWhileLockIsHeld(() -> map.get("k0")), "the compute has not taken effect");
        assertTrue(completesWhileLockIsHeld(() -> map.containsKey("k0")));
        Future<Integer> put = pool.submit(() -> map.put("k0", 60));
        Future<Boolean> replace = pool.submit(() -> map.replace("k0", 0, 70));
        Future<Integer> putIfAbsent = pool.submit(() -> map.putIfAbsent("k0", 80));
        assertBlocked(put);
        assertBlocked(replace);
        assertBlocked(putIfAbsent);

        release.countDown();
        assertEquals(50, compute.get(10, TimeUnit.SECONDS));
        // Each writer ordered after the compute: put saw 50 (or, if it ran after putIfAbsent, still 50);
        // replace(0 -> 70) must fail since 0 is gone.
        assertEquals(50, put.get(10, TimeUnit.SECONDS));
        assertFalse(replace.get(10, TimeUnit.SECONDS), "replace must not match the value the compute replaced");
        Integer present = putIfAbsent.get(10, TimeUnit.SECONDS);
        assertTrue(present != null && (present == 50 || present == 60));
        assertEquals(60, map.get("k0"));
    }

    /**
     * Computes on a read-map key race lock-free {@code put}s on the same key. Every value written is unique, and
     * every write reports the value it replaced (put returns it; the compute's function receives it). For a
     * linearizable single register that history is one chain: each value is replaced at most once, and every
     * value but the final one is replaced exactly once. A compute whose function ran twice, or a put that slipped
     * in between a compute's read and its write (a lost update), breaks the chain.
     */
    @Test
    void computeRacingLockFreePutsLosesNothingAndRunsOnce() throws Exception {
        ReadDirtyMap<String, Long> map = new ReadDirtyMap<>();
        map.put("hot", 0L);
        map.put("other", 0L);
        map.keySet().iterator(); // promote: puts to "hot" are now lock-free CASes
        int computers = 2;
        int putters = 2;
        int perThread = 20_000;
        AtomicInteger invocations = new AtomicInteger();
        List<Future<List<Long>>> futures = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < computers + putters; t++) {
            long base = (long) (t + 1) << 32;
            boolean computer = t < computers;
            futures.add(pool.submit(() -> {
                List<Long> replaced = new ArrayList<>(perThread);
                start.await();
                for (int i = 1; i <= perThread; i++) {
                    long mine = base + i;
                    if (computer) {
                        List<Long> seen = new ArrayList<>(1);
                        map.compute("hot", (k, v) -> {
                            invocations.incrementAndGet();
                            seen.add(v);
                            return mine;
                        });
                        assertEquals(1, seen.size(), "the function ran " + seen.size() + " times");
                        replaced.add(seen.get(0));
                    } else {
                        replaced.add(map.put("hot", mine));
                    }
                }
                return replaced;
            }));
        }
        start.countDown();
        Set<Long> replacedOnce = new HashSet<>();
        for (Future<List<Long>> f : futures) {
            for (Long v : f.get(100, TimeUnit.SECONDS)) {
                assertTrue(v != null, "the key was never absent");
                assertTrue(replacedOnce.add(v), "value " + Long.toHexString(v) + " replaced twice: a lost update");
            }
        }
        assertEquals(computers * perThread, invocations.get(), "function invocations must equal compute calls");
        Set<Long> written = new HashSet<>();
        written.add(0L);
        for (int t = 0; t < computers + putters; t++) {
            for (int i = 1; i <= perThread; i++) {
                written.add(((long) (t + 1) << 32) + i);
            }
        }
        written.removeAll(replacedOnce);
        assertEquals(Set.of(map.get("hot")), written, "every value but the last must have been replaced");
        assertFalse(map.debugState().amended(), "the key stayed in the read map: the puts ran lock-free");
    }

    /** As above with lock-free replace(k, old, new) CAS loops instead of puts, counting both kinds of update. */
    @Test
    void computeRacingLockFreeReplaceCountsEveryUpdate() throws Exception {
        ReadDirtyMap<String, Long> map = new ReadDirtyMap<>();
        map.put("hot", 0L);
        map.keySet().iterator(); // promote
        int perThread = 20_000;
        AtomicInteger invocations = new AtomicInteger();
        AtomicInteger replaces = new AtomicInteger();
        long computeUnit = 1L << 32;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean computer = t % 2 == 0;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    if (computer) {
                        map.compute("hot", (k, v) -> {
                            invocations.incrementAndGet();
                            return v + computeUnit;
                        });
                    } else {
                        while (true) {
                            Long v = map.get("hot");
                            if (map.replace("hot", v, v + 1)) {
                                replaces.incrementAndGet();
                                break;
                            }
                        }
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(100, TimeUnit.SECONDS);
        }
        long v = map.get("hot");
        assertEquals(2 * perThread, invocations.get());
        assertEquals(2L * perThread, v >>> 32, "compute updates lost");
        assertEquals(2L * perThread, v & 0xFFFF_FFFFL, "replace updates lost");
        assertEquals(2 * perThread, replaces.get());
    }

    /**
     * Random operations from several threads on a small key space, then a quiet check that the O(1) size count
     * agrees with the content: catches a presence change that skipped (or doubled) its count update.
     */
    @Test
    void sizeStaysExactUnderChurn() throws Exception {
        ReadDirtyMap<Integer, Integer> map = new ReadDirtyMap<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int n = 0; n < 40_000; n++) {
                    int i = n;
                    int k = r.nextInt(64);
                    switch (r.nextInt(14)) {
                        case 0 -> map.put(k, i);
                        case 1 -> map.remove(k);
                        case 2 -> map.putIfAbsent(k, i);
                        case 3 -> map.remove(k, i % 3);
                        case 4 -> map.replace(k, i);
                        case 5 -> map.replace(k, i % 3, i);
                        case 6 -> map.compute(k,
                            (key, v) -> v == null ? Integer.valueOf(1) : (v % 4 == 0 ? null : v + 1));
                        case 7 -> map.computeIfAbsent(k, key -> i % 5 == 0 ? null : i);
                        case 8 -> map.computeIfPresent(k, (key, v) -> v % 2 == 0 ? null : v + 1);
                        case 9 -> map.merge(k, 1, (a, b) -> a % 3 == 0 ? null : a + b);
                        case 10 -> map.get(k);
                        case 11 -> map.forEach((a, b) -> { });
                        case 12 -> {
                            if (i % 1000 == 0) {
                                map.clear();
                            }
                        }
                        default -> map.size();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(100, TimeUnit.SECONDS);
        }
        Map<Integer, Integer> content = new HashMap<>();
        map.forEach(content::put);
        assertEquals(content.size(), map.size());
        assertEquals(content.size(), map.debugState().count());
        ConcurrentHashMap<Integer, Integer> viaGet = new ConcurrentHashMap<>();
        for (int k = 0; k < 64; k++) {
            Integer v = map.get(k);
            if (v != null) {
                viaGet.put(k, v);
            }
        }
        assertEquals(content, viaGet);
    }
}
