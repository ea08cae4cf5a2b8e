package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ContendersTest {

    static List<String> names() {
        return Contenders.names();
    }

    @Test
    void listsThePeersBaselineFirst() {
        assertEquals("ConcurrentHashMap", Contenders.names().get(0));
        assertTrue(Contenders.names().containsAll(
                List.of("ConcurrentHashMap", "SynchronizedMap", "NonBlockingHashMap", "TrieMap")));
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyContenderCreatesAFreshWorkingMap(String name) {
        Map<Integer, Integer> map = Contenders.create(name);
        assertNotSame(map, Contenders.create(name));
        assertTrue(map.isEmpty());
        assertNull(map.put(1, 10));
        assertEquals(10, map.put(1, 11));
        assertEquals(11, map.get(1));
        assertEquals(20, map.computeIfAbsent(2, k -> k * 10));
        assertEquals(20, map.computeIfAbsent(2, k -> -1));
        Map<Integer, Integer> bulk = new HashMap<>();
        for (int i = 100; i < 1100; i++) {
            bulk.put(i, i);
        }
        map.putAll(bulk);
        assertEquals(1002, map.size());
        long sum = 0;
        for (Map.Entry<Integer, Integer> e : map.entrySet()) {
            sum += e.getValue();
        }
        assertEquals(11 + 20 + (100 + 1099) * 1000 / 2, sum);
        assertEquals(11, map.remove(1));
        assertNull(map.get(1));
        assertEquals(1001, map.size());
        if (!name.equals("SynchronizedMap")) {
            assertTrue(map instanceof ConcurrentMap, name + " should be a ConcurrentMap");
        }
        assertFalse(Contenders.describe(name).isBlank());
        assertEquals(name, Contenders.canonicalName(name.toLowerCase()));
    }

    @ParameterizedTest
    @MethodSource("names")
    void snapshotsArePointInTimeWhereOfferedAndRefusedElsewhere(String name) {
        Map<Integer, Integer> map = Contenders.create(name);
        map.put(1, 1);
        if (Contenders.offersSnapshots(name)) {
            Map<Integer, Integer> snapshot = Contenders.snapshot(map);
            map.put(2, 2);
            map.remove(1);
            assertEquals(Map.of(1, 1), new HashMap<>(snapshot));
        } else {
            assertThrows(UnsupportedOperationException.class, () -> Contenders.snapshot(map));
        }
    }

    @Test
    void capabilitiesOfThePeers() {
        assertTrue(Contenders.offersSnapshots("TrieMap"));
        assertFalse(Contenders.offersSnapshots("ConcurrentHashMap"));
        assertFalse(Contenders.offersChangeFeed("TrieMap"));
        assertFalse(Contenders.offersChangeFeed("ConcurrentHashMap"));
        if (Contenders.names().contains("VersionedMap")) {
            assertTrue(Contenders.offersSnapshots("VersionedMap"));
            assertTrue(Contenders.offersChangeFeed("VersionedMap"));
        }
    }

    @Test
    void unknownNameFailsListingTheValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Contenders.create("HashTable"));
        assertTrue(e.getMessage().contains("'HashTable'"), e.getMessage());
        for (String name : Contenders.names()) {
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Contenders.offersSnapshots("nope"));
        assertThrows(IllegalArgumentException.class, () -> Contenders.offersChangeFeed(null));
    }
}
