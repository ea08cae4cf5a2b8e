package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Revision semantics: one revision per successful mutation, none for a no-op, one per batch. */
class VersionedMapRevisionTest {

    private static List<Change<String, Integer>> since(VersionedMap<String, Integer> m, long r) {
        return m.changesSince(r);
    }

    @Test
    void newMapIsAtRevisionZeroWithEmptyFeed() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        assertEquals(0, m.revision());
        assertEquals(1, m.oldestRetainedRevision());
        assertEquals(List.of(), since(m, 0));
    }

    @Test
    void everySuccessfulSingleKeyMutationCommitsExactlyTheNextRevision() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("a", 1);
        assertEquals(1, m.revision());
        m.put("a", 1); // same value: still a successful write
        assertEquals(2, m.revision());
        m.putIfAbsent("b", 2);
        assertEquals(3, m.revision());
        m.replace("b", 3);
        assertEquals(4, m.revision());
        assertTrue(m.replace("b", 3, 4));
        assertEquals(5, m.revision());
        m.compute("c", (k, v) -> 7);
        assertEquals(6, m.revision());
        m.computeIfPresent("c", (k, v) -> v + 1);
        assertEquals(7, m.revision());
        m.computeIfAbsent("d", k -> 9);
        assertEquals(8, m.revision());
        m.merge("d", 1, Integer::sum);
        assertEquals(9, m.revision());
        m.merge("e", 1, Integer::sum);
        assertEquals(10, m.revision());
        m.remove("e");
        assertEquals(11, m.revision());
        assertTrue(m.remove("d", 10));
        assertEquals(12, m.revision());
        m.compute("c", (k, v) -> null); // removal through compute
        assertEquals(13, m.revision());
        assertEquals(Map.of("a", 1, "b", 4), m);

        List<Change<String, Integer>> feed = since(m, 0);
        assertEquals(13, feed.size());
        for (int i = 0; i < feed.size(); i++) {
            assertEquals(i + 1, feed.get(i).revision(), "no gap at " + i);
        }
        assertEquals(new Change<>(2, "a", 1, 1), feed.get(1));
        assertEquals(new Change<>(13, "c", 8, null), feed.get(12));
    }

    @Test
    void noOpsCommitNothing() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("a", 1);
        long r = m.revision();
        assertNull(m.remove("absent"));
        assertFalse(m.remove("a", 2));
        assertNull(m.replace("absent", 1));
        assertFalse(m.replace("a", 2, 3));
        assertEquals(1, m.putIfAbsent("a", 5));
        assertNull(m.compute("absent", (k, v) -> null));
        assertNull(m.computeIfPresent("absent", (k, v) -> 1));
        assertEquals(1, m.computeIfAbsent("a", k -> 2));
        assertNull(m.computeIfAbsent("absent", k -> null));
        m.putAll(Map.of());
        m.reload(Map.of("a", 1));
        assertEquals(r, m.revision());
        VersionedMap<String, Integer> empty = new VersionedMap<>();
        empty.clear();
        empty.replaceAll((k, v) -> v);
        assertEquals(0, empty.revision());
        assertEquals(List.of(new Change<>(1, "a", null, 1)), since(m, 0));
    }

    @Test
    void batchesCommitOneRevisionCoveringAllTheirChanges() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.putAll(Map.of("a", 1, "b", 2, "c", 3));
        assertEquals(1, m.revision());
        m.replaceAll((k, v) -> v * 10);
        assertEquals(2, m.revision());
        m.reload(Map.of("a", 10, "b", 21, "d", 4)); // a unchanged, b changed, c removed, d added
        assertEquals(3, m.revision());
        m.clear();
        assertEquals(4, m.revision());
        assertTrue(m.isEmpty());

        List<Change<String, Integer>> feed = since(m, 0);
        Map<Long, List<Change<String, Integer>>> byRev =
            feed.stream().collect(Collectors.groupingBy(Change::revision));
        assertEquals(Set.of(1L, 2L, 3L, 4L), byRev.keySet());
        assertEquals(3, byRev.get(1L).size());
        assertEquals(Set.of(new Change<>(2, "a", 1, 10), new Change<>(2, "b", 2, 20), new Change<>(2, "c", 3, 30)),
            Set.copyOf(byRev.get(2L)));
        assertEquals(Set.of(new Change<>(3, "b", 20, 21), new Change<>(3, "c", 30, null),
            new Change<>(3, "d", null, 4)), Set.copyOf(byRev.get(3L)));
        assertEquals(Set.of(new Change<>(4, "a", 10, null), new Change<>(4, "b", 21, null),
            new Change<>(4, "d", 4, null)), Set.copyOf(byRev.get(4L)));
    }

    @Test
    void replayingTheFeedOntoAnEmptyMapRebuildsTheContent() {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        java.util.Random rnd = new java.util.Random(42);
        for (int i = 0; i < 5_000; i++) {
            int k = rnd.nextInt(300);
            switch (rnd.nextInt(6)) {
                case 0 -> m.remove(k);
                case 1 -> m.merge(k, 1, Integer::sum);
                case 2 -> m.putAll(Map.of(k, i, k + 1000, i));
                case 3 -> m.computeIfPresent(k, (kk, v) -> v % 2 == 0 ? null : v + 1);
                default -> m.put(k, i);
            }
        }
        Map<Integer, Integer> replay = new HashMap<>();
        m.changesSince(0).forEach(c -> {
            if (c.newValue() == null) {
                assertEquals(c.oldValue(), replay.remove(c.key()));
            } else {
                assertEquals(c.oldValue(), replay.put(c.key(), c.newValue()));
            }
        });
        assertEquals(m, replay);
        assertEquals(m.snapshot(), replay);
    }

    @Test
    void historyIsBoundedByCountAndReportsCompaction() {
        VersionedMap<String, Integer> m = VersionedMap.<String, Integer>builder().historyCount(10).build();
        for (int i = 0; i < 25; i++) {
            m.put("k" + i, i);
        }
        assertEquals(25, m.revision());
        assertEquals(16, m.oldestRetainedRevision());
        assertEquals(10, since(m, 15).size());
        assertEquals(0, since(m, 25).size());
        CompactedException e = assertThrows(CompactedException.class, () -> m.changesSince(14));
        assertEquals(14, e.requestedRevision());
        assertEquals(16, e.oldestRetainedRevision());
        assertTrue(e.getMessage().contains("oldest retained revision is 16"), e.getMessage());
        assertThrows(CompactedException.class, () -> m.watch(3, changes -> { }));
        assertThrows(IllegalArgumentException.class, () -> m.changesSince(-1));
    }

    @Test
    void historyIsBoundedByEstimatedBytes() {
        VersionedMap<String, String> m = VersionedMap.<String, String>builder()
            .historyBytes(100)
            .sizeEstimator((k, o, n) -> k.length() + (o == null ? 0 : o.length()) + (n == null ? 0 : n.length()))
            .build();
        m.put("a", "x".repeat(40)); // 41
        m.put("b", "y".repeat(40)); // 41 -> 82
        assertEquals(1, m.oldestRetainedRevision());
        m.put("c", "z".repeat(40)); // 123 > 100: revision 1 goes
        assertEquals(2, m.oldestRetainedRevision());
        m.put("d", "w".repeat(200)); // alone over the bound: nothing retained
        assertEquals(5, m.oldestRetainedRevision());
        assertEquals(List.of(), m.changesSince(4));
        assertThrows(CompactedException.class, () -> m.changesSince(3));
        m.put("e", "v");
        assertEquals(1, m.changesSince(4).size());
    }

    @Test
    void batchesCountTowardsTheByteBoundByTheirChanges() {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder()
            .historyBytes(10 * VersionedMap.DEFAULT_CHANGE_BYTES).build();
        Map<Integer, Integer> nine = new HashMap<>();
        for (int i = 0; i < 9; i++) {
            nine.put(i, i);
        }
        m.putAll(nine);
        assertEquals(1, m.oldestRetainedRevision());
        m.put(100, 100);
        assertEquals(1, m.oldestRetainedRevision());
        m.put(101, 101); // 11 changes > 10
        assertEquals(2, m.oldestRetainedRevision());
    }

    @Test
    void countAndByteBoundsStayExactOverManyWrapsOfTheRing() {
        for (long bytesBound : new long[] {7, 100}) {
            VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().historyCount(10)
                .historyBytes(bytesBound).sizeEstimator((k, o, n) -> 1).build();
            VersionedMap<Integer, Integer> dflt = VersionedMap.<Integer, Integer>builder().historyCount(10)
                .historyBytes(bytesBound * VersionedMap.DEFAULT_CHANGE_BYTES).build();
            long retained = Math.min(10, bytesBound);
            for (int i = 1; i <= 5_000; i++) {
                if (i % 97 == 0) {
                    m.putAll(Map.of(-1, i, -2, i)); // a 2-change revision now and then
                    dflt.putAll(Map.of(-1, i, -2, i));
                } else {
                    m.put(i % 13, i);
                    dflt.put(i % 13, i);
                }
                for (VersionedMap<Integer, Integer> x : List.of(m, dflt)) {
                    long expectedOldest = x.revision() + 1 - retained;
                    long oldest = x.oldestRetainedRevision();
                    // a retained batch of 2 changes may push one more revision out by bytes
                    assertTrue(oldest == Math.max(1, expectedOldest) || oldest == Math.max(1, expectedOldest + 1),
                        "bound " + bytesBound + " at revision " + x.revision() + ": oldest " + oldest);
                    assertEquals(x.revision() - oldest + 1, x.changesSince(oldest - 1).stream().map(Change::revision)
                        .distinct().count());
                }
            }
        }
    }

    @Test
    void zeroHistoryKeepsNothingButStillCountsRevisions() {
        VersionedMap<String, Integer> m = VersionedMap.<String, Integer>builder().historyCount(0).build();
        m.put("a", 1);
        m.put("b", 2);
        assertEquals(2, m.revision());
        assertEquals(3, m.oldestRetainedRevision());
        assertEquals(0, m.changesSince(2).size());
        assertThrows(CompactedException.class, () -> m.changesSince(1));
    }

    @Test
    void theRingGrowsAndWrapsWithoutLosingRetainedChanges() {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().historyCount(100).build();
        for (int i = 1; i <= 1_000; i++) {
            m.put(i % 37, i);
            long from = Math.max(0, m.revision() - 100);
            List<Change<Integer, Integer>> tail = m.changesSince(from);
            assertEquals(m.revision() - from, tail.size());
            assertEquals(m.revision(), tail.get(tail.size() - 1).revision());
            assertEquals(i, tail.get(tail.size() - 1).newValue());
        }
    }
}
