package dev.syncmap.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.Snapshot;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FailureAtomicCopyTest {

    static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom(String message) {
            super(message);
        }
    }

    /** A plain destination that throws on its n-th put (counting from 1), and optionally on every remove. */
    static final class FailingHashMap<K, V> extends HashMap<K, V> {
        private static final long serialVersionUID = 1L;
        int failOnPut;
        boolean failRemoves;
        final AtomicInteger puts = new AtomicInteger();
        final Boom boom = new Boom("destination refuses put");

        FailingHashMap(Map<K, V> initial, int failOnPut) {
            super(initial);
            this.failOnPut = failOnPut;
        }

        @Override
        public V put(K key, V value) {
            if (puts.incrementAndGet() == failOnPut) {
                throw boom;
            }
            return super.put(key, value);
        }

        @Override
        public V remove(Object key) {
            if (failRemoves) {
                throw new Boom("destination refuses remove of " + key);
            }
            return super.remove(key);
        }
    }

    /** A concurrent destination that throws on its n-th put. */
    static class FailingConcurrentMap<K, V> extends ConcurrentHashMap<K, V> {
        private static final long serialVersionUID = 1L;
        final int failOnPut;
        final AtomicInteger puts = new AtomicInteger();
        final Boom boom = new Boom("destination refuses put");

        FailingConcurrentMap(Map<K, V> initial, int failOnPut) {
            super(initial);
            this.failOnPut = failOnPut;
        }

        void beforeFailing() {}

        @Override
        public V put(K key, V value) {
            if (puts.incrementAndGet() == failOnPut) {
                beforeFailing();
                throw boom;
            }
            return super.put(key, value);
        }
    }

    private static Map<String, Integer> source(int n) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("k" + i, i);
        }
        return m;
    }

    /** Overlaps the source on even keys (with other values) and has keys of its own. */
    private static Map<String, Integer> existing(int n) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < n; i += 2) {
            m.put("k" + i, -i - 1000);
        }
        m.put("own", 7);
        return m;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 17, 50})
    void plainDestinationThrowingOnTheNthPutIsRestored(int n) {
        Map<String, Integer> before = existing(50);
        FailingHashMap<String, Integer> destination = new FailingHashMap<>(before, n);
        Boom thrown = assertThrows(Boom.class, () -> MapCopy.of(source(50)).sorted().into(destination));
        assertSame(destination.boom, thrown);
        assertEquals(0, thrown.getSuppressed().length);
        assertEquals(before, destination);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 17, 50})
    void concurrentDestinationThrowingOnTheNthPutIsRestored(int n) {
        Map<String, Integer> before = existing(50);
        FailingConcurrentMap<String, Integer> destination = new FailingConcurrentMap<>(before, n);
        Boom thrown = assertThrows(Boom.class, () -> MapCopy.of(source(50)).into(destination));
        assertSame(destination.boom, thrown);
        assertEquals(before, destination);
    }

    @Test
    void plainDestinationKeepsKeysMappedToNull() {
        Map<String, Integer> before = new HashMap<>();
        before.put("k1", null);
        FailingHashMap<String, Integer> destination = new FailingHashMap<>(before, 3);
        assertThrows(Boom.class, () -> MapCopy.of(source(5)).sorted().into(destination));
        assertEquals(before, destination);
        assertTrue(destination.containsKey("k1"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 25, 49})
    void transformThrowingOnTheNthEntryLeavesTheDestinationUntouched(int n) {
        FailingHashMap<String, Integer> destination = new FailingHashMap<>(existing(50), -1);
        Map<String, Integer> before = new HashMap<>(destination);
        AtomicInteger seen = new AtomicInteger();
        Boom boom = new Boom("transform fails");
        Boom thrown = assertThrows(Boom.class, () -> MapCopy.of(source(50)).mapValues(v -> {
            if (seen.getAndIncrement() == n) {
                throw boom;
            }
            return v;
        }).into(destination));
        assertSame(boom, thrown);
        assertEquals(before, destination);
        assertEquals(0, destination.puts.get(), "no put may happen before the source is fully staged");
    }

    @Test
    void failingFilterKeyMapperOrListenerLeavesTheDestinationUntouched() {
        FailingHashMap<String, Integer> destination = new FailingHashMap<>(existing(10), -1);
        Map<String, Integer> before = new HashMap<>(destination);
        assertThrows(Boom.class, () -> MapCopy.of(source(10)).filter((k, v) -> {
            throw new Boom("filter");
        }).into(destination));
        assertThrows(Boom.class, () -> MapCopy.of(source(10)).mapKeys(k -> {
            if (k.equals("k7")) {
                throw new Boom("keys");
            }
            return k;
        }).into(destination));
        assertThrows(Boom.class, () -> MapCopy.of(source(10)).inChunks(3, p -> {
            if (p.chunkIndex() == 2) {
                throw new Boom("listener");
            }
            return true;
        }).into(destination));
        assertThrows(ClassCastException.class,
            () -> MapCopy.of(Map.<Object, Integer>of(new Object(), 1, new Object(), 2)).sorted().into(new HashMap<>()));
        assertEquals(before, destination);
        assertEquals(0, destination.puts.get());
    }

    @Test
    void failedUndoIsReportedAsSuppressedNeverSwallowed() {
        Map<String, Integer> before = existing(10);
        FailingHashMap<String, Integer> destination = new FailingHashMap<>(before, 6);
        destination.failRemoves = true;
        Boom thrown = assertThrows(Boom.class, () -> MapCopy.of(source(10)).sorted().into(destination));
        assertSame(destination.boom, thrown);
        assertEquals(1, thrown.getSuppressed().length);
        RollbackIncompleteException incomplete = assertInstanceOf(RollbackIncompleteException.class,
            thrown.getSuppressed()[0]);
        // puts 1..5 wrote k0..k4; k1 and k3 were added (odd keys are not in `before`), so their removal failed
        assertEquals(java.util.List.of("k3", "k1"), incomplete.unrestoredKeys());
        assertEquals(2, incomplete.getSuppressed().length);
        assertTrue(incomplete.getSuppressed()[0].getMessage().contains("k3"));
        assertTrue(incomplete.getMessage().contains("2 of 5 undo steps failed"), incomplete.getMessage());
        // the other keys were restored
        assertEquals(before.get("k0"), destination.get("k0"));
        assertEquals(before.get("k2"), destination.get("k2"));
        assertEquals(before.get("k4"), destination.get("k4"));
        assertEquals(Set.of("k1", "k3"), Set.copyOf(incomplete.unrestoredKeys()));
    }

    @Test
    void undoKeepsTheValueOfAConcurrentWriter() throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Map<String, Integer> before = existing(20);
            FailingConcurrentMap<String, Integer> destination = new FailingConcurrentMap<>(before, 16) {
                private static final long serialVersionUID = 1L;

                @Override
                void beforeFailing() {
                    // sorted order is k0, k1, k10..k19, k2, k3, k4, k5: the 16th put (k5) fails
                    // another thread overwrites a key the copy already wrote (k3, added) and one it replaced (k4)
                    try {
                        writer.submit(() -> {
                            replace("k3", 3, 333);
                            replace("k4", 4, 444);
                        }).get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            };
            assertThrows(Boom.class, () -> MapCopy.of(source(20)).sorted().into(destination));
            assertEquals(333, destination.get("k3"), "a concurrent writer's value is never reverted");
            assertEquals(444, destination.get("k4"));
            Map<String, Integer> expected = new HashMap<>(before);
            expected.put("k3", 333);
            expected.put("k4", 444);
            assertEquals(expected, destination);
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void successReportsAddedAndReplaced() {
        Map<String, Integer> destination = new ConcurrentHashMap<>(existing(10));
        CopyResult result = MapCopy.of(source(10)).into(destination);
        assertEquals(10, result.entries());
        assertEquals(5, result.added());
        assertEquals(5, result.replaced());
        assertEquals(Snapshot.NO_REVISION, result.revision());
        assertEquals(Consistency.UNSYNCHRONIZED, result.consistency());
        assertEquals(7, destination.get("own"));
        assertEquals(9, destination.get("k9"));
        Map<String, Integer> plain = new HashMap<>(existing(10));
        result = MapCopy.of(source(10)).into(plain);
        assertEquals(5, result.added());
    }

    @Test
    void destinationIsRestoredForRandomFailurePoints() {
        Random random = new Random(42);
        for (int round = 0; round < 300; round++) {
            int size = 1 + random.nextInt(200);
            Map<String, Integer> src = new HashMap<>();
            Map<String, Integer> before = new HashMap<>();
            for (int i = 0; i < size; i++) {
                src.put("k" + random.nextInt(300), random.nextInt());
                if (random.nextBoolean()) {
                    before.put("k" + random.nextInt(300), random.nextInt());
                }
            }
            int failAt = 1 + random.nextInt(src.size());
            Map<String, Integer> destination = random.nextBoolean()
                ? new FailingHashMap<>(before, failAt) : new FailingConcurrentMap<>(before, failAt);
            assertThrows(Boom.class, () -> MapCopy.of(src).into(destination));
            assertEquals(before, destination, "round " + round);
        }
    }
}
