package dev.syncmap.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syncmap.Snapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OrderedCopyTest {

    private static Map<Integer, String> shuffled(int n, long seed) {
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(i * 3);
        }
        java.util.Collections.shuffle(keys, new Random(seed));
        Map<Integer, String> m = new ConcurrentHashMap<>();
        keys.forEach(k -> m.put(k, "v" + k));
        return m;
    }

    private static List<Integer> ascending(int n) {
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(i * 3);
        }
        return keys;
    }

    @Test
    void streamFollowsNaturalKeyOrder() {
        List<Integer> keys = MapCopy.of(shuffled(10_000, 1)).sorted().stream().map(Map.Entry::getKey).toList();
        assertEquals(ascending(10_000), keys);
    }

    @Test
    void streamFollowsAComparator() {
        List<Integer> keys = MapCopy.of(shuffled(1_000, 2)).sorted(Comparator.reverseOrder()).stream()
            .map(Map.Entry::getKey).toList();
        List<Integer> expected = new ArrayList<>(ascending(1_000));
        java.util.Collections.reverse(expected);
        assertEquals(expected, keys);
    }

    @Test
    void toSortedMapIsANavigableCopy() {
        Map<Integer, String> source = shuffled(1_000, 3);
        NavigableMap<Integer, String> natural = MapCopy.of(source).toSortedMap();
        assertEquals(source, natural);
        assertEquals(0, natural.firstKey());
        assertEquals(2_997, natural.lastKey());
        assertEquals(30, natural.ceilingKey(28));
        NavigableMap<Integer, String> reversed = MapCopy.of(source).sorted(Comparator.reverseOrder()).toSortedMap();
        assertEquals(2_997, reversed.firstKey());
        NavigableMap<String, Integer> byValue = MapCopy.of(source).mapKeys(k -> "v" + k).mapValues(v -> v.length())
            .sorted(Comparator.comparing(String::length).thenComparing(Comparator.naturalOrder())).toSortedMap();
        assertEquals("v0", byValue.firstKey());
    }

    @Test
    void orderedCopyIntoADestinationWritesInKeyOrder() {
        LinkedHashMap<Integer, String> destination = new LinkedHashMap<>();
        MapCopy.of(shuffled(500, 4)).sorted().into(destination);
        assertEquals(ascending(500), new ArrayList<>(destination.keySet()));
        LinkedHashMap<Integer, String> viaToMap = MapCopy.of(shuffled(500, 5)).sorted().toMap(LinkedHashMap::new);
        assertEquals(ascending(500), new ArrayList<>(viaToMap.keySet()));
    }

    @Test
    void sortedSnapshotIteratesInKeyOrder() {
        Snapshot<Integer, String> snapshot = MapCopy.of(shuffled(300, 6)).sorted().toSnapshot();
        assertEquals(ascending(300), new ArrayList<>(snapshot.keySet()));
    }

    @Test
    void keysWithoutNaturalOrderFailBeforeAnyWrite() {
        Map<Object, Integer> source = new HashMap<>();
        source.put(new Object(), 1);
        source.put(new Object(), 2);
        Map<Object, Integer> destination = new HashMap<>(Map.of("x", 0));
        assertThrows(ClassCastException.class, () -> MapCopy.of(source).sorted().into(destination));
        assertThrows(ClassCastException.class, () -> MapCopy.of(source).toSortedMap());
        assertEquals(Map.of("x", 0), destination);
    }

    @Test
    void orderedCopyOfAMapUnderConcurrentWritesIsStillSorted() throws Exception {
        ConcurrentHashMap<Integer, Integer> source = new ConcurrentHashMap<>();
        for (int i = 0; i < 20_000; i++) {
            source.put(i, i);
        }
        Thread writer = new Thread(() -> {
            Random random = new Random(9);
            for (int i = 0; i < 200_000; i++) {
                source.put(random.nextInt(40_000), i);
            }
        });
        writer.start();
        List<Integer> keys = MapCopy.of(source).sorted().inChunks(100).stream().map(Map.Entry::getKey)
            .collect(Collectors.toList());
        writer.join();
        for (int i = 1; i < keys.size(); i++) {
            assertEquals(true, keys.get(i - 1) < keys.get(i), "at " + i);
        }
    }
}
