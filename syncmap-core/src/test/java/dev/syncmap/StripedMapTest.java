package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

class StripedMapTest extends AbstractLockingMapTest {

    @Override
    <K, V> ConcurrentMap<K, V> newMap() {
        return new StripedMap<>();
    }

    /** Returns a key of {@code map} whose stripe is {@code stripe}, searching "prefix0", "prefix1", ... */
    static String keyInStripe(StripedMap<String, ?> map, int stripe, String prefix) {
        for (int i = 0; ; i++) {
            String key = prefix + i;
            if (map.stripeIndexOf(key) == stripe) {
                return key;
            }
        }
    }

    /* ---------------- Stripe count and spreading ---------------- */

    @Test
    void stripeCountIsAPowerOfTwoAndValidated() {
        int cpus = Runtime.getRuntime().availableProcessors();
        int defaults = new StripedMap<>().stripeCount();
        assertEquals(StripedMap.defaultStripeCount(), defaults);
        assertEquals(1, Integer.bitCount(defaults));
        assertTrue(defaults >= 4 * cpus && defaults / 2 < 4 * cpus, "smallest power of two >= 4 x " + cpus);
        assertEquals(1, new StripedMap<>(0, 1).stripeCount());
        assertEquals(4, new StripedMap<>(0, 3).stripeCount());
        assertEquals(64, new StripedMap<>(0, 64).stripeCount());
        assertEquals(128, new StripedMap<>(100, 65).stripeCount());
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE, StripedMap.MAX_STRIPES + 1, Integer.MAX_VALUE}) {
            IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new StripedMap<>(0, bad));
            assertTrue(e.getMessage().contains("stripes must be between 1 and 65536") && e.getMessage().contains(
                "got " + bad), e.getMessage());
        }
    }

    /** {@code StripedMap(int)} is a capacity, as {@code LockedMap(int)} is, not a stripe count. */
    @Test
    void theIntConstructorIsAnExpectedSize() {
        assertEquals(StripedMap.defaultStripeCount(), new StripedMap<>(1).stripeCount());
        assertEquals(StripedMap.defaultStripeCount(), new StripedMap<>(1_000_000).stripeCount());
        StripedMap<Integer, Integer> presized = new StripedMap<>(10_000, 4);
        for (int i = 0; i < 10_000; i++) {
            presized.put(i, i);
        }
        assertEquals(10_000, presized.size());
        for (int bad : new int[] {-1, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StripedMap<>(bad));
            assertTrue(e.getMessage().contains("expectedSize must not be negative, got " + bad), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new StripedMap<>(bad, 4));
        }
    }

    @Test
    void aSingleStripeMapWorks() {
        StripedMap<Integer, Integer> map = new StripedMap<>(0, 1);
        for (int i = 0; i < 1_000; i++) {
            map.put(i, i);
            assertEquals(0, map.stripeIndexOf(i));
        }
        assertEquals(1_000, map.size());
    }

    /** Sequential keys, keys whose low 16 bits are all zero, and multiples of 1024 must all spread evenly. */
    @Test
    void theSpreadHashBalancesStripesForRegularHashCodes() {
        StripedMap<Integer, Integer> map = new StripedMap<>(0, 64);
        List<IntFunction<Integer>> patterns = List.of(i -> i, i -> i << 16, i -> i * 1024, i -> -i, i -> i * 64 + 7);
        for (IntFunction<Integer> pattern : patterns) {
            int[] counts = new int[64];
            int n = 64 * 1_000;
            for (int i = 0; i < n; i++) {
                counts[map.stripeIndexOf(pattern.apply(i))]++;
            }
            for (int s = 0; s < 64; s++) {
                assertTrue(counts[s] > 700 && counts[s] < 1_300,
                    "stripe " + s + " got " + counts[s] + " of " + n + " keys (expected about 1000)");
            }
        }
    }

    @Test
    void sizeIsExactWhenQuiescent() throws Exception {
        StripedMap<Integer, Integer> map = new StripedMap<>(0, 8);
        runConcurrently(4, t -> {
            for (int i = 0; i < 10_000; i++) {
                map.put(t * 10_000 + i, i);
            }
            for (int i = 0; i < 10_000; i += 3) {
                map.remove(t * 10_000 + i);
            }
        });
        int expected = 4 * (10_000 - 3_334);
        assertEquals(expected, map.size());
        assertEquals(expected, map.keySet().size());
        int iterated = 0;
        for (Integer ignored : map.keySet()) {
            iterated++;
        }
        assertEquals(expected, iterated);
        map.clear();
        assertEquals(0, map.size());
        assertTrue(map.isEmpty());
    }

    /* ---------------- Functions run outside the stripe lock ---------------- */

    /**
     * Two threads compute, each in its own stripe, and each function (once both are inside) writes to the map.
     * Both must get IllegalStateException; with functions under the stripe write lock and no guard, they would
     * deadlock on each other's stripe.
     */
    @Test
    void twoThreadsWritingFromInsideFunctionsInDifferentStripesThrowAndNeverDeadlock() {
        StripedMap<String, Integer> map = new StripedMap<>(0, 16);
        String k1 = keyInStripe(map, 3, "a");
        String k2 = keyInStripe(map, 11, "b");
        CyclicBarrier bothInside = new CyclicBarrier(2);
        AtomicInteger refused = new AtomicInteger();
        assertTimeoutPreemptively(NO_DEADLOCK, () -> runConcurrently(2, t -> {
            String mine = t == 0 ? k1 : k2;
            String theirs = t == 0 ? k2 : k1;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> map.compute(mine, (k, v) -> {
                await(bothInside);
                map.put(theirs, 1);
                return 1;
            }));
            assertTrue(e.getMessage().contains("Recursive update"), e.getMessage());
            refused.incrementAndGet();
        }));
        assertEquals(2, refused.get());
        assertTrue(map.isEmpty());
        map.put(k1, 1);
        map.put(k2, 2);
        assertEquals(Map.of(k1, 1, k2, 2), map);
    }

    /**
     * Two threads compute, each in its own stripe, and each function reads the other's key while both are inside.
     * A design that ran functions under the stripe's write lock would deadlock here.
     */
    @Test
    void functionsReadingEachOthersStripesDoNotDeadlock() {
        StripedMap<String, Integer> map = new StripedMap<>(0, 16);
        String k1 = keyInStripe(map, 5, "a");
        String k2 = keyInStripe(map, 9, "b");
        map.put(k1, 10);
        map.put(k2, 20);
        CyclicBarrier bothInside = new CyclicBarrier(2);
        assertTimeoutPreemptively(NO_DEADLOCK, () -> runConcurrently(2, t -> {
            String mine = t == 0 ? k1 : k2;
            String theirs = t == 0 ? k2 : k1;
            map.compute(mine, (k, v) -> {
                await(bothInside);
                int seen = map.get(theirs); // the other computation is pending: its old value
                await(bothInside);
                return v + seen;
            });
        }));
        assertEquals(Map.of(k1, 30, k2, 30), map);
    }

    /**
     * While a function runs, readers of its stripe (even of its key) proceed and see the old state, other writers
     * of the stripe wait for it, and a second computeIfAbsent of the same key waits and returns the first one's value
     * without running its own function.
     */
    @Test
    void aPendingComputationBlocksTheStripesWritersButNotItsReaders() throws Exception {
        StripedMap<String, Integer> map = new StripedMap<>(0, 16);
        String computed = keyInStripe(map, 7, "c");
        String neighbour = keyInStripe(map, 7, "n");
        String elsewhere = keyInStripe(map, 8, "e");
        map.put(neighbour, 1);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread computer = new Thread(() -> {
            try {
                map.computeIfAbsent(computed, k -> {
                    inside.countDown();
                    await(release);
                    return 42;
                });
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        computer.start();
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        Thread writer = new Thread(() -> map.put(neighbour, 2));
        AtomicInteger secondFunctionRuns = new AtomicInteger();
        AtomicReference<Integer> secondResult = new AtomicReference<>();
        Thread second = new Thread(() -> secondResult.set(map.computeIfAbsent(computed, k -> {
            secondFunctionRuns.incrementAndGet();
            return -1;
        })));
        try {
            assertTimeoutPreemptively(NO_DEADLOCK, () -> {
                assertNull(map.get(computed), "readers see the state before the computation");
                assertEquals(1, map.get(neighbour));
                map.put(elsewhere, 3); // other stripes are not blocked
                assertEquals(2, map.size());
            });
            writer.start();
            second.start();
            writer.join(200);
            second.join(50);
            assertTrue(writer.isAlive(), "a writer of the stripe waits for the pending computation");
            assertTrue(second.isAlive(), "a second computeIfAbsent of the key waits too");
        } finally {
            release.countDown();
        }
        assertTimeoutPreemptively(NO_DEADLOCK, () -> {
            computer.join();
            writer.join();
            second.join();
        });
        assertNull(failure.get());
        assertEquals(42, map.get(computed));
        assertEquals(42, secondResult.get());
        assertEquals(0, secondFunctionRuns.get());
        assertEquals(2, map.get(neighbour));
    }

    /** A function of this map reaches this map again through another map's function, in the same stripe. */
    @Test
    void aWriteBackThroughAnotherMapsFunctionIsRefusedNotDeadlocked() {
        StripedMap<String, Integer> map = new StripedMap<>(0, 4);
        LockedMap<String, Integer> other = new LockedMap<>();
        String key = keyInStripe(map, 2, "k");
        String sameStripe = keyInStripe(map, 2, "s");
        map.put(key, 1);
        assertTimeoutPreemptively(NO_DEADLOCK, () -> {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> map.compute(key, (k, v) -> other.compute("x", (x, w) -> map.put(sameStripe, 99))));
            assertTrue(e.getMessage().contains("Recursive update"), e.getMessage());
        });
        assertEquals(Map.of(key, 1), map);
        map.put(sameStripe, 2);
        assertEquals(2, map.get(sameStripe));
    }

    /* ---------------- Multi-stripe operations ---------------- */

    @Test
    void replaceAllIsAtomicPerStripeEvenWhenTheFunctionThrows() {
        StripedMap<Integer, Integer> map = new StripedMap<>(0, 8);
        for (int i = 0; i < 800; i++) {
            map.put(i, i);
        }
        int poison = 0;
        while (map.stripeIndexOf(poison) != 5) {
            poison++;
        }
        int poisoned = poison;
        RuntimeException boom = new RuntimeException("boom");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> map.replaceAll((k, v) -> {
            if (k == poisoned) {
                throw boom;
            }
            return -v;
        }));
        assertEquals(boom, thrown);
        for (int i = 0; i < 800; i++) {
            int stripe = map.stripeIndexOf(i);
            if (stripe < 5) {
                assertEquals(-i, map.get(i), "stripes before the failure are replaced");
            } else {
                assertEquals(i, map.get(i), "the failing stripe and those after it keep their values");
            }
        }
        assertThrows(NullPointerException.class, () -> map.replaceAll((k, v) -> null));
        map.put(poisoned, 0); // the failing stripe is usable
    }

    @Test
    void putAllSpreadsOverStripes() {
        StripedMap<Integer, String> map = new StripedMap<>(0, 8);
        Map<Integer, String> source = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            source.put(i, "v" + i);
        }
        map.putAll(source);
        assertEquals(source, map);
        assertEquals(1_000, map.size());
        map.putAll(map); // copying itself changes nothing and does not deadlock
        assertEquals(source, map);
        assertNotEquals(0, map.hashCode());
        assertEquals(source.hashCode(), map.hashCode());
        assertFalse(map.containsValue("v1000"));
        assertTrue(map.containsValue("v999"));
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("barrier", e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
