package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;

/** Snapshot isolation, size, iteration, ordering, immutability and release. */
class VersionedSnapshotTest {

    @Test
    void aSnapshotKeepsItsContentWhateverHappensAfterIt() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("a", 1);
        m.put("b", 2);
        m.put("c", 3);
        VersionedSnapshot<String, Integer> s = m.snapshot();
        assertEquals(3, s.revision());

        m.put("a", 10);        // overwrite
        m.remove("b");         // removal: tombstone kept for s
        m.put("d", 4);         // insert: invisible to s
        m.put("c", 30);
        m.put("c", 300);       // two versions after s
        m.remove("c");
        m.put("c", 3000);      // removed and re-inserted
        m.putAll(Map.of("e", 5, "a", 11));
        m.replaceAll((k, v) -> v + 1);

        assertEquals(Map.of("a", 1, "b", 2, "c", 3), s);
        assertEquals(3, s.size());
        assertEquals(1, s.get("a"));
        assertEquals(2, s.get("b"));
        assertNull(s.get("d"));
        assertFalse(s.containsKey("e"));
        assertTrue(s.containsKey("c"));
        assertEquals(Map.of("a", 12, "c", 3001, "d", 5, "e", 6), m);
    }

    @Test
    void snapshotsAtDifferentRevisionsEachSeeTheirOwnVersion() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        List<VersionedSnapshot<String, Integer>> snaps = new ArrayList<>();
        List<Map<String, Integer>> expected = new ArrayList<>();
        Map<String, Integer> model = new HashMap<>();
        java.util.Random rnd = new java.util.Random(7);
        for (int i = 0; i < 2_000; i++) {
            String k = "k" + rnd.nextInt(20);
            if (rnd.nextInt(4) == 0) {
                m.remove(k);
                model.remove(k);
            } else {
                m.put(k, i);
                model.put(k, i);
            }
            if (i % 50 == 0) {
                snaps.add(m.snapshot());
                expected.add(new HashMap<>(model));
            }
            if (i % 300 == 0 && snaps.size() > 3) {
                snaps.remove(1); // drop some, keep others: exercises pruning of middle versions
                expected.remove(1);
            }
        }
        for (int i = 0; i < snaps.size(); i++) {
            VersionedSnapshot<String, Integer> s = snaps.get(i);
            assertEquals(expected.get(i), s, "snapshot at revision " + s.revision());
            assertEquals(expected.get(i).size(), s.size());
            for (String k : expected.get(i).keySet()) {
                assertEquals(expected.get(i).get(k), s.get(k));
            }
        }
    }

    @Test
    void iterationIsConsistentWhileWritersChangeAndResizeTheTable() {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        for (int i = 0; i < 100; i++) {
            m.put(i, i);
        }
        VersionedSnapshot<Integer, Integer> s = m.snapshot();
        Iterator<Map.Entry<Integer, Integer>> it = s.entrySet().iterator();
        Map<Integer, Integer> seen = new HashMap<>();
        int step = 0;
        while (it.hasNext()) {
            Map.Entry<Integer, Integer> e = it.next();
            assertNull(seen.put(e.getKey(), e.getValue()), "key seen twice: " + e.getKey());
            // writers run between steps: removals, updates and enough inserts to resize several times
            m.remove(step);
            m.put(step + 1, -1);
            for (int j = 0; j < 100; j++) {
                m.put(10_000 + step * 100 + j, j);
            }
            step++;
        }
        assertEquals(100, seen.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, seen.get(i));
        }
        assertEquals(100, s.size());
    }

    @Test
    void sizeIsExactAndConstantTime() {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        for (int i = 0; i < 1000; i++) {
            m.put(i, i);
        }
        VersionedSnapshot<Integer, Integer> s = m.snapshot();
        m.clear();
        assertEquals(1000, s.size());
        assertFalse(s.isEmpty());
        assertEquals(0, m.size());
        assertTrue(m.snapshot().isEmpty());
    }

    @Test
    void sortedViewsFollowNaturalOrderOrTheComparator() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        for (String k : List.of("pear", "apple", "fig", "banana")) {
            m.put(k, k.length());
        }
        VersionedSnapshot<String, Integer> s = m.snapshot();
        m.put("aardvark", 8);
        NavigableMap<String, Integer> sorted = s.sorted();
        assertEquals(List.of("apple", "banana", "fig", "pear"), new ArrayList<>(sorted.keySet()));
        assertEquals(List.of("pear", "fig", "banana", "apple"),
            new ArrayList<>(s.sorted(Comparator.reverseOrder()).keySet()));
        assertThrows(UnsupportedOperationException.class, () -> sorted.put("x", 1));

        VersionedMap<String, Integer> byLength = VersionedMap.<String, Integer>builder()
            .comparator(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder())).build();
        byLength.putAll(m);
        assertEquals(List.of("fig", "pear", "apple", "banana", "aardvark"),
            new ArrayList<>(byLength.snapshot().sorted().keySet()));
        byLength.put("kiwi", 4); // same length as "pear"
        assertThrows(IllegalArgumentException.class,
            () -> byLength.snapshot().sorted(Comparator.comparingInt(String::length)));
    }

    @Test
    void nonComparableKeysNeedAComparator() {
        VersionedMap<Object, Integer> m = new VersionedMap<>();
        m.put(new Object(), 1);
        m.put(new Object(), 2);
        assertThrows(ClassCastException.class, () -> m.snapshot().sorted());
        assertEquals(2, m.snapshot().sorted(Comparator.comparingInt(System::identityHashCode)).size());
    }

    @Test
    void snapshotsAreImmutable() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("a", 1);
        VersionedSnapshot<String, Integer> s = m.snapshot();
        assertThrows(UnsupportedOperationException.class, () -> s.put("b", 2));
        assertThrows(UnsupportedOperationException.class, () -> s.remove("a"));
        assertThrows(UnsupportedOperationException.class, s::clear);
        assertThrows(UnsupportedOperationException.class, () -> s.putIfAbsent("a", 1));
        assertThrows(UnsupportedOperationException.class, () -> s.computeIfAbsent("a", k -> 1));
        assertThrows(UnsupportedOperationException.class, () -> s.merge("a", 1, Integer::sum));
        assertThrows(UnsupportedOperationException.class, () -> s.replaceAll((k, v) -> v));
        assertThrows(UnsupportedOperationException.class, () -> s.keySet().remove("a"));
        assertThrows(UnsupportedOperationException.class, () -> s.entrySet().iterator().next().setValue(5));
        Iterator<String> it = s.keySet().iterator();
        it.next();
        assertThrows(UnsupportedOperationException.class, it::remove);
        assertThrows(NullPointerException.class, () -> s.get(null));
        assertEquals(Map.of("a", 1), s);
        assertEquals(Map.of("a", 1).hashCode(), s.hashCode());
        assertEquals("{a=1}", s.toString());
    }

    @Test
    void anIdleMapHandsOutTheSameSnapshotAgain() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("a", 1);
        VersionedSnapshot<String, Integer> s1 = m.snapshot();
        assertSame(s1, m.snapshot());
        m.put("a", 2);
        VersionedSnapshot<String, Integer> s2 = m.snapshot();
        assertEquals(2, s2.revision());
        assertEquals(Map.of("a", 1), s1);
        assertEquals(Map.of("a", 2), s2);
    }

    @Test
    void aSnapshotPerWriteOnAHotKeyStaysFastAndExact() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("other", -1);
        List<VersionedSnapshot<String, Integer>> held = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 200_000; i++) {
            m.put("hot", i);
            VersionedSnapshot<String, Integer> s = m.snapshot(); // most are dropped at once, collected later
            if (i % 10_000 == 0) {
                held.add(s);
            }
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < 30_000, "snapshot-per-write loop took " + millis + " ms");
        for (int j = 0; j < held.size(); j++) {
            assertEquals(j * 10_000, held.get(j).get("hot"));
            assertEquals(Map.of("other", -1, "hot", j * 10_000), held.get(j));
        }
    }

    @Test
    void unreachableSnapshotsAreReleasedAndTheirVersionsPruned() throws InterruptedException {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        for (int i = 0; i < 1000; i++) {
            m.put(i, i);
        }
        for (int round = 0; round < 20; round++) {
            m.snapshot();
            m.put(round, -round); // a write after each snapshot, so each one is distinct
        }
        assertTrue(m.liveSnapshotCount() > 0);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (m.liveSnapshotCount() > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(0, m.liveSnapshotCount(), "snapshots still registered after GC");
        // with no snapshot live, removals unlink at once and versions are dropped on the next write
        for (int i = 0; i < 1000; i++) {
            m.remove(i);
        }
        assertEquals(0, m.size());
        assertEquals(Map.of(), m.snapshot());
    }
}
