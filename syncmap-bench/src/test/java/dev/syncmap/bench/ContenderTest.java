package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.Snapshottable;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ContenderTest {

    @Test
    void listsThePeersBaselineFirst() {
        assertEquals(Contender.ConcurrentHashMap, Contender.values()[0]);
        assertEquals(Contender.ConcurrentHashMap, Contender.BASELINE);
    }

    @ParameterizedTest
    @EnumSource(Contender.class)
    void everyContenderCreatesAFreshWorkingMap(Contender contender) {
        Map<Integer, Integer> map = contender.create();
        assertNotSame(map, contender.create());
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
        if (contender != Contender.SynchronizedMap) {
            assertTrue(map instanceof ConcurrentMap, contender + " should be a ConcurrentMap");
        }
        assertFalse(contender.description().isBlank());
        assertEquals(contender, Contender.named(contender.name().toLowerCase()));
        assertEquals(contender, Contender.named(" " + contender.name() + " "));
    }

    @ParameterizedTest
    @EnumSource(Contender.class)
    void snapshotsArePointInTimeWhereOfferedAndRefusedElsewhere(Contender contender) {
        Map<Integer, Integer> map = contender.create();
        map.put(1, 1);
        if (contender.offersSnapshots()) {
            Map<Integer, Integer> snapshot = contender.snapshot(map);
            map.put(2, 2);
            map.remove(1);
            assertEquals(Map.of(1, 1), new HashMap<>(snapshot));
        } else {
            assertThrows(UnsupportedOperationException.class, () -> contender.snapshot(map));
        }
        if (contender != Contender.TrieMap) {
            assertEquals(map instanceof Snapshottable, contender.offersSnapshots(),
                    contender + ": offersSnapshots() must say whether the map is Snapshottable");
        }
    }

    @Test
    void capabilities() {
        assertTrue(Contender.TrieMap.offersSnapshots());
        assertFalse(Contender.ConcurrentHashMap.offersSnapshots());
        assertFalse(Contender.TrieMap.offersChangeFeed());
        assertFalse(Contender.ConcurrentHashMap.offersChangeFeed());
        assertTrue(Contender.VersionedMap.offersSnapshots());
        assertTrue(Contender.VersionedMap.offersChangeFeed());
    }

    @Test
    void unknownNameFailsListingTheValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Contender.named("HashTable"));
        assertTrue(e.getMessage().contains("'HashTable'"), e.getMessage());
        for (Contender contender : Contender.values()) {
            assertTrue(e.getMessage().contains(contender.name()), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Contender.named(null));
    }
}
