package dev.syncmap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.ChunkedSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class HashOrderedTableTest {

    /** A key whose hash code is chosen by the test, to force ties. */
    record Collider(int id, int hash) {
        @Override
        public int hashCode() {
            return hash;
        }
    }

    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        Random random = new Random(1);
        HashOrderedTable<Integer, Integer> table = new HashOrderedTable<>();
        Map<Integer, Integer> model = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            int key = random.nextInt(5_000);
            switch (random.nextInt(3)) {
                case 0 -> assertEquals(model.put(key, i), table.put(key, i));
                case 1 -> assertEquals(model.remove(key), table.remove(key));
                default -> assertEquals(model.get(key), table.get(key));
            }
            assertEquals(model.size(), table.size());
        }
        Map<Integer, Integer> all = new HashMap<>();
        table.forEach(all::put);
        assertEquals(model, all);
        table.clear();
        assertEquals(0, table.size());
        assertNull(table.get(1));
    }

    /** The Map face (defaults built on get/put/remove, entry set, equals, hashCode) against a HashMap oracle. */
    @Test
    void mapOperationsMatchAHashMap() {
        Random random = new Random(2);
        HashOrderedTable<Integer, Integer> table = new HashOrderedTable<>(1_000);
        Map<Integer, Integer> model = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            int key = random.nextInt(2_000);
            int value = random.nextInt(10);
            switch (random.nextInt(9)) {
                case 0 -> assertEquals(model.putIfAbsent(key, value), table.putIfAbsent(key, value));
                case 1 -> assertEquals(model.replace(key, value), table.replace(key, value));
                case 2 -> assertEquals(model.replace(key, value, i), table.replace(key, value, i));
                case 3 -> assertEquals(model.remove(key, value), table.remove(key, value));
                case 4 -> assertEquals(model.compute(key, (k, v) -> v == null ? Integer.valueOf(value) : v % 3 == 0 ? null : Integer.valueOf(v + 1)),
                    table.compute(key, (k, v) -> v == null ? Integer.valueOf(value) : v % 3 == 0 ? null : Integer.valueOf(v + 1)));
                case 5 -> assertEquals(model.computeIfAbsent(key, k -> k + value),
                    table.computeIfAbsent(key, k -> k + value));
                case 6 -> assertEquals(model.computeIfPresent(key, (k, v) -> v > 5 ? null : Integer.valueOf(v + 2)),
                    table.computeIfPresent(key, (k, v) -> v > 5 ? null : Integer.valueOf(v + 2)));
                case 7 -> assertEquals(model.merge(key, value, (a, b) -> a + b > 12 ? null : Integer.valueOf(a + b)),
                    table.merge(key, value, (a, b) -> a + b > 12 ? null : Integer.valueOf(a + b)));
                default -> assertEquals(model.containsKey(key), table.containsKey(key));
            }
        }
        assertEquals(model, table);
        assertEquals(table, model);
        assertEquals(model.hashCode(), table.hashCode());
        assertEquals(model.size(), table.entrySet().size());
        assertTrue(table.containsValue(model.values().iterator().next()));
        model.replaceAll((k, v) -> k + v);
        table.replaceAll((k, v) -> k + v);
        assertEquals(model, table);
        assertThrows(NullPointerException.class, () -> table.replaceAll((k, v) -> null));
        assertThrows(NullPointerException.class, () -> table.put(1, null));
        assertThrows(IllegalArgumentException.class, () -> new HashOrderedTable<Integer, Integer>(-1));
    }

    @Test
    void forEachVisitsInUnsignedOrder() {
        HashOrderedTable<Integer, Integer> table = new HashOrderedTable<>();
        for (int i = 0; i < 10_000; i++) {
            table.put(i * 7919, i);
        }
        List<Integer> orders = new ArrayList<>();
        table.forEach((k, v) -> orders.add(HashOrderedTable.orderOf(k)));
        for (int i = 1; i < orders.size(); i++) {
            assertTrue(Integer.compareUnsigned(orders.get(i - 1), orders.get(i)) <= 0, "order at " + i);
        }
    }

    /** Runs a scan with random changes between chunks and checks the exactly-once guarantee. */
    private static void scanUnderChanges(long seed, int maxEntries, boolean colliding) {
        Random random = new Random(seed);
        HashOrderedTable<Object, Integer> table = new HashOrderedTable<>();
        Set<Object> stable = new HashSet<>();
        int stableCount = colliding ? 300 : 2_000;
        int transientCap = colliding ? 600 : 20_000;
        for (int i = 0; i < stableCount; i++) {
            Object key = colliding ? new Collider(i, i % 37) : (Object) ("stable-" + i);
            stable.add(key);
            table.put(key, i);
        }
        Set<Object> delivered = new HashSet<>();
        ChunkedSource.Cursor cursor = null;
        int transientId = 0;
        int calls = 0;
        do {
            ChunkedSource.Chunk<Object, Integer> chunk = table.scan(cursor, maxEntries);
            assertTrue(chunk.entries().size() <= maxEntries);
            for (Map.Entry<Object, Integer> e : chunk.entries()) {
                assertTrue(delivered.add(e.getKey()), "delivered twice: " + e.getKey());
            }
            cursor = chunk.next();
            // churn: add many transient keys (forcing resizes), remove some, overwrite stable values
            // bounded: the scan must be able to catch up with the keys added ahead of it
            int adds = transientId < transientCap ? random.nextInt(colliding ? 30 : 300) : 0;
            for (int i = 0; i < adds; i++) {
                Object key = colliding ? new Collider(100_000 + transientId++, random.nextInt(37))
                    : (Object) ("transient-" + transientId++);
                table.put(key, -1);
            }
            for (int i = 0; i < (colliding ? 5 : 50); i++) {
                Object key = colliding ? new Collider(100_000 + random.nextInt(Math.max(1, transientId)),
                    random.nextInt(37)) : (Object) ("transient-" + random.nextInt(Math.max(1, transientId)));
                table.remove(key);
            }
            calls++;
        } while (cursor != null);
        for (Object key : stable) {
            assertTrue(delivered.contains(key), "stable key missing: " + key);
        }
        assertTrue(calls > 1);
    }

    @Test
    void scanDeliversEveryStableKeyExactlyOnceAcrossResizes() {
        for (long seed = 0; seed < 20; seed++) {
            scanUnderChanges(seed, 1 + (int) seed * 13, false);
        }
    }

    @Test
    void scanHandlesKeysWithEqualHashCodesSplitAcrossChunks() {
        for (long seed = 0; seed < 10; seed++) {
            scanUnderChanges(seed, 1 + (int) seed, true);
        }
    }

    @Test
    void scanOfAnAlmostEmptyLargeTableDoesBoundedWorkPerCall() {
        HashOrderedTable<Integer, Integer> table = new HashOrderedTable<>();
        for (int i = 0; i < 100_000; i++) {
            table.put(i, i);
        }
        for (int i = 3; i < 100_000; i++) {
            table.remove(i);
        }
        Set<Integer> seen = new HashSet<>();
        ChunkedSource.Cursor cursor = null;
        int calls = 0;
        do {
            ChunkedSource.Chunk<Integer, Integer> chunk = table.scan(cursor, 1);
            chunk.entries().forEach(e -> seen.add(e.getKey()));
            cursor = chunk.next();
            calls++;
        } while (cursor != null);
        assertEquals(Set.of(0, 1, 2), seen);
        // 262,144 buckets visited at most 68 per call: the scan needed many short calls, not one long one
        assertTrue(calls > 1_000, "calls: " + calls);
    }

    @Test
    void scanRejectsForeignCursorsAndBadSizes() {
        HashOrderedTable<Integer, Integer> a = new HashOrderedTable<>();
        HashOrderedTable<Integer, Integer> b = new HashOrderedTable<>();
        for (int i = 0; i < 10; i++) {
            a.put(i, i);
        }
        ChunkedSource.Cursor cursor = a.scan(null, 2).next();
        assertThrows(IllegalArgumentException.class, () -> b.scan(cursor, 2));
        assertThrows(IllegalArgumentException.class, () -> a.scan(ChunkedSource.Cursor.issue(a, "nope"), 2));
        assertThrows(IllegalArgumentException.class, () -> a.scan(null, 0));
    }

    @Test
    void aCursorCanBeReused() {
        HashOrderedTable<Integer, Integer> table = new HashOrderedTable<>();
        for (int i = 0; i < 100; i++) {
            table.put(i, i);
        }
        ChunkedSource.Cursor cursor = table.scan(null, 10).next();
        assertEquals(table.scan(cursor, 10).entries(), table.scan(cursor, 10).entries());
    }

    @Test
    void lastChunkEndsTheScanEvenWhenItIsFull() {
        HashOrderedTable<Integer, Integer> table = new HashOrderedTable<>();
        for (int i = 0; i < 10; i++) {
            table.put(i, i);
        }
        ChunkedSource.Chunk<Integer, Integer> chunk = table.scan(null, 10);
        assertEquals(10, chunk.entries().size());
        assertTrue(chunk.isLast());
        assertTrue(new HashOrderedTable<Integer, Integer>().scan(null, 5).isLast());
    }
}
