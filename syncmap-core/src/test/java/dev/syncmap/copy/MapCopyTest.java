package dev.syncmap.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MapCopyTest {

    private static Map<String, Integer> sample(int n) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("k" + i, i);
        }
        return m;
    }

    @Test
    void consistencyFollowsTheKindOfSource() {
        assertEquals(Consistency.UNSYNCHRONIZED, MapCopy.of(new HashMap<>()).consistency());
        assertEquals(Consistency.WEAKLY_CONSISTENT, MapCopy.of(new ConcurrentHashMap<>()).consistency());
        assertEquals(Consistency.WEAKLY_CONSISTENT, MapCopy.of(new ConcurrentSkipListMap<>()).consistency());
        assertEquals(Consistency.EXACT, MapCopy.of(new CowTestMap<>()).consistency());
        assertEquals(Consistency.EXACT, MapCopy.of(new CowTestMap<>().snapshot()).consistency());
        // a lock-based map: exact through its snapshot, weakly consistent (but never locked long) in chunks
        assertEquals(Consistency.EXACT, MapCopy.of(new ScanLockedMap<>()).consistency());
        assertEquals(Consistency.WEAKLY_CONSISTENT, MapCopy.of(new ScanLockedMap<>()).inChunks(10).consistency());
        // a snapshot stays exact even in chunks; an O(1) snapshottable map is snapshotted, then iterated in chunks
        assertEquals(Consistency.EXACT, MapCopy.of(new CowTestMap<>()).inChunks(10).consistency());
    }

    @Test
    void snapshottableSourceHandsOutItsOwnSnapshot() {
        CowTestMap<String, Integer> source = new CowTestMap<>();
        source.putAll(sample(100));
        Snapshot<String, Integer> copy = MapCopy.of(source).toSnapshot();
        assertSame(source.snapshot(), copy);
        assertEquals(1, copy.revision());
        Snapshot<String, Integer> itself = MapCopy.of(copy).toSnapshot();
        assertSame(copy, itself);
    }

    @Test
    void transformedCopyOfASnapshottableMapKeepsItsRevision() {
        CowTestMap<String, Integer> source = new CowTestMap<>();
        source.putAll(sample(10));
        source.put("extra", 99);
        Snapshot<String, Integer> copy = MapCopy.of(source).mapValues(v -> v + 1).toSnapshot();
        assertNotSame(source.snapshot(), copy);
        assertEquals(2, copy.revision());
        assertEquals(100, copy.get("extra"));
    }

    @Test
    void copyOfAConcurrentMapIsAnImmutableSnapshotWithoutRevision() {
        ConcurrentHashMap<String, Integer> source = new ConcurrentHashMap<>(sample(1000));
        Snapshot<String, Integer> copy = MapCopy.of(source).toSnapshot();
        assertEquals(source, copy);
        assertEquals(Snapshot.NO_REVISION, copy.revision());
        source.put("later", 1);
        assertEquals(1000, copy.size());
        assertThrows(UnsupportedOperationException.class, () -> copy.put("x", 1));
        assertThrows(UnsupportedOperationException.class, () -> copy.remove("absent"));
        assertThrows(UnsupportedOperationException.class, () -> copy.computeIfAbsent("k1", k -> 1));
        assertThrows(UnsupportedOperationException.class, () -> copy.merge("x", 1, Integer::sum));
        assertThrows(UnsupportedOperationException.class, copy::clear);
        assertThrows(UnsupportedOperationException.class, () -> copy.entrySet().iterator().next().setValue(5));
        assertThrows(UnsupportedOperationException.class, () -> copy.keySet().remove("k1"));
        assertThrows(NullPointerException.class, () -> copy.get(null));
        assertThrows(NullPointerException.class, () -> copy.containsKey(null));
        assertThrows(NullPointerException.class, () -> copy.containsValue(null));
        assertEquals(source.entrySet().stream().filter(e -> !e.getKey().equals("later"))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)).hashCode(), copy.hashCode());
    }

    @Test
    void toHashMapAndToMapAreFreshMutableMaps() {
        Map<String, Integer> source = sample(50);
        HashMap<String, Integer> a = MapCopy.of(source).toHashMap();
        LinkedHashMap<String, Integer> b = MapCopy.of(source).toMap(LinkedHashMap::new);
        assertEquals(source, a);
        assertEquals(source, b);
        a.put("new", 1);
        assertEquals(50, source.size());
        assertThrows(NullPointerException.class, () -> MapCopy.of(source).toMap(() -> null));
    }

    @Test
    void transformsAndFiltersRunInTheOrderGiven() {
        Map<String, Integer> source = sample(20);
        Map<String, Integer> copy = MapCopy.of(source)
            .mapValues(v -> v * 10)
            .filter((k, v) -> v >= 100)          // sees the transformed values
            .mapKeys(k -> k.toUpperCase())
            .toHashMap();
        assertEquals(10, copy.size());
        assertEquals(190, copy.get("K19"));
        assertEquals(null, copy.get("K9"));
    }

    @Test
    void aDescriptionIsReusableAndReadsTheSourceAnew() {
        ConcurrentHashMap<String, Integer> source = new ConcurrentHashMap<>(sample(3));
        MapCopy<String, Integer> description = MapCopy.of(source).mapValues(v -> v + 1);
        assertEquals(3, description.toHashMap().size());
        source.put("more", 1);
        assertEquals(4, description.toHashMap().size());
    }

    @Test
    void nullsFromSourceOrTransformsAreRejectedNamingTheKey() {
        Map<String, Integer> withNullValue = new HashMap<>();
        withNullValue.put("a", null);
        NullPointerException e = assertThrows(NullPointerException.class,
            () -> MapCopy.of(withNullValue).toHashMap());
        assertTrue(e.getMessage().contains("key a"), e.getMessage());
        Map<String, Integer> withNullKey = new HashMap<>();
        withNullKey.put(null, 1);
        assertThrows(NullPointerException.class, () -> MapCopy.of(withNullKey).toHashMap());
        e = assertThrows(NullPointerException.class,
            () -> MapCopy.of(sample(3)).mapValues(v -> (Integer) null).toHashMap());
        assertTrue(e.getMessage().contains("valueMapper returned null"), e.getMessage());
        e = assertThrows(NullPointerException.class,
            () -> MapCopy.of(sample(3)).mapKeys(k -> (String) null).toHashMap());
        assertTrue(e.getMessage().contains("keyMapper returned null"), e.getMessage());
        assertThrows(NullPointerException.class, () -> MapCopy.of(null));
    }

    @Test
    void keyTransformMappingTwoKeysToOneFailsBeforeWriting() {
        Map<String, Integer> destination = new HashMap<>(Map.of("x", 1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> MapCopy.of(sample(10)).mapKeys(k -> "len" + k.length()).into(destination));
        assertTrue(e.getMessage().contains("to the same key"), e.getMessage());
        assertEquals(Map.of("x", 1), destination);
    }

    @Test
    void mapKeysAfterSortedIsRefused() {
        assertThrows(IllegalStateException.class, () -> MapCopy.of(sample(3)).sorted().mapKeys(k -> k + "!"));
        assertThrows(IllegalArgumentException.class, () -> MapCopy.of(sample(3)).inChunks(0));
    }

    /**
     * Exactness, made deterministic: the progress listener runs between chunks, so it can write to the source in
     * the middle of a copy. A snapshot-based copy must not see those writes at all; an iterated concurrent map
     * sees some (weakly consistent), which shows that this test can tell the two apart.
     */
    @Test
    void aSnapshotCopyIgnoresWritesMadeDuringTheCopy() {
        CowTestMap<String, Integer> cow = new CowTestMap<>();
        cow.putAll(sample(100));
        Map<String, Integer> before = new HashMap<>(cow);
        AtomicBoolean wrote = new AtomicBoolean();
        Snapshot<String, Integer> copy = MapCopy.of(cow).inChunks(1, p -> {
            if (wrote.compareAndSet(false, true)) {
                Map<String, Integer> all = new HashMap<>();
                before.keySet().forEach(k -> all.put(k, -1));
                cow.putAll(all);
                cow.put("added", 1);
            }
            return true;
        }).toSnapshot();
        assertTrue(wrote.get());
        assertEquals(before, copy);
        assertEquals(1, copy.revision());
        assertEquals(3, cow.snapshot().revision());
    }

    @Test
    void anIteratedConcurrentMapCopySeesWritesMadeDuringTheCopy() {
        ConcurrentHashMap<String, Integer> chm = new ConcurrentHashMap<>(sample(100));
        AtomicBoolean wrote = new AtomicBoolean();
        Map<String, Integer> copy = MapCopy.of(chm).inChunks(1, p -> {
            if (wrote.compareAndSet(false, true)) {
                chm.replaceAll((k, v) -> -1);
            }
            return true;
        }).toHashMap();
        // weakly consistent: every key once, each with a value it had; but not one instant's content
        assertEquals(100, copy.size());
        long old = copy.values().stream().filter(v -> v >= 0).count();
        assertEquals(1, old, "only the first entry was read before the writes");
    }

    @Test
    void streamIsTheStagedCopy() {
        ConcurrentHashMap<String, Integer> source = new ConcurrentHashMap<>(sample(10));
        List<Map.Entry<String, Integer>> list = new ArrayList<>();
        MapCopy.of(source).stream().forEach(list::add);
        assertEquals(10, list.size());
        assertThrows(UnsupportedOperationException.class, () -> list.get(0).setValue(3));
    }

    /** A concurrent map whose iterator delivers one key twice, as ConcurrentHashMap's can during a resize. */
    static final class RepeatingIteratorMap extends ConcurrentHashMap<String, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public java.util.Set<Map.Entry<String, Integer>> entrySet() {
            List<Map.Entry<String, Integer>> list = new ArrayList<>(List.of(Map.entry("a", 1), Map.entry("b", 2),
                Map.entry("a", 3), Map.entry("c", 4)));
            return new java.util.AbstractSet<>() {
                @Override
                public java.util.Iterator<Map.Entry<String, Integer>> iterator() {
                    return list.iterator();
                }

                @Override
                public int size() {
                    return list.size();
                }
            };
        }
    }

    @Test
    void aKeyRepeatedByTheIteratorIsCopiedOnceWithTheLaterValue() {
        RepeatingIteratorMap source = new RepeatingIteratorMap();
        List<Map.Entry<String, Integer>> copied = MapCopy.of(source).stream().toList();
        assertEquals(List.of(Map.entry("a", 3), Map.entry("b", 2), Map.entry("c", 4)), copied);
        Map<String, Integer> destination = new HashMap<>();
        assertEquals(3, MapCopy.of(source).into(destination).entries());
        assertEquals(Map.of("a", 3, "b", 2, "c", 4), destination);
        // with a key transform, a repeated source key is still one key, not a collision
        assertEquals(Map.of("A", 3, "B", 2, "C", 4), MapCopy.of(source).mapKeys(String::toUpperCase).toHashMap());
    }

    /**
     * A writer thread keeps committing batches that set both keys to the same value. An exact copy must always
     * show equal values; a weakly consistent copy of a concurrent map, paused between its one-entry chunks until
     * the writer has moved on, must show them unequal: the control that proves the check can fail.
     */
    private static int copiesBreakingTheInvariant(Map<String, Long> source, int copies) throws Exception {
        source.putAll(Map.of("a", 0L, "b", 0L));
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong batches = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> {
            for (long i = 1; !stop.get(); i++) {
                source.putAll(Map.of("a", i, "b", i));
                batches.incrementAndGet();
            }
        });
        writer.start();
        int broken = 0;
        try {
            for (int c = 0; c < copies; c++) {
                Map<String, Long> copy = MapCopy.of(source).inChunks(1, p -> {
                    long target = batches.get() + 2;
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (batches.get() < target && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    return true;
                }).toHashMap();
                if (!copy.get("a").equals(copy.get("b"))) {
                    broken++;
                }
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        return broken;
    }

    @Test
    void exactCopiesKeepCrossKeyInvariantsUnderConcurrentBatches() throws Exception {
        assertEquals(0, copiesBreakingTheInvariant(new CowTestMap<>(), 200));
        assertEquals(50, copiesBreakingTheInvariant(new ConcurrentHashMap<>(), 50));
    }
}
