package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, failure 1: {@code putAll} (and {@code reload}) of a source that yields one key twice made two nodes for
 * the key: {@code size()} 2, two insert changes in one revision, and a zombie entry after {@code remove}. Like
 * {@code HashMap.putAll}, the last occurrence must win, with one change per key.
 */
class VersionedMapDuplicateKeyPutAllTest {

    /** A map whose entry set yields the given pairs as they are, repeats included. */
    static Map<String, Integer> repeating(Object... pairs) {
        List<Map.Entry<String, Integer>> entries = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>((String) pairs[i], (Integer) pairs[i + 1]));
        }
        return new AbstractMap<>() {
            @Override
            public Set<Map.Entry<String, Integer>> entrySet() {
                return new java.util.AbstractSet<>() {
                    @Override
                    public java.util.Iterator<Map.Entry<String, Integer>> iterator() {
                        return entries.iterator();
                    }

                    @Override
                    public int size() {
                        return entries.size();
                    }
                };
            }
        };
    }

    private static void assertOneNodePerKey(VersionedMap<String, Integer> m, Map<String, Integer> expected,
                                            long revisionBefore) {
        assertEquals(expected.size(), m.size(), "size");
        assertEquals(expected, new HashMap<>(m), "content");
        assertEquals(expected, new HashMap<>(m.snapshot()), "snapshot content");
        assertEquals(expected.size(), m.entrySet().stream().count(), "iteration yields each key once");
        assertEquals(revisionBefore + 1, m.revision(), "one revision");
        List<Change<String, Integer>> changes = m.changesSince(revisionBefore);
        assertEquals(expected.size(), changes.size(), "one change per key: " + changes);
        assertEquals(expected, changes.stream().collect(Collectors.toMap(Change::key, Change::newValue)),
            "each key's change carries its last value: " + changes);
    }

    @Test
    void putAllOfIdentityMapWithTwoEqualKeysMadeTwoNodesAndAZombie() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        IdentityHashMap<String, Integer> source = new IdentityHashMap<>();
        source.put(new String("k"), 1);
        source.put(new String("k"), 2);
        Integer last = null;
        for (Integer v : source.values()) {
            last = v; // the value met last in the source's iteration order is the one that must win
        }
        m.putAll(source);
        assertOneNodePerKey(m, Map.of("k", last), 0);

        assertEquals(last, m.remove("k"));
        assertNull(m.get("k"), "zombie entry after remove");
        assertFalse(m.containsKey("k"));
        assertEquals(0, m.size());
        assertEquals(Map.of(), new HashMap<>(m));
    }

    @Test
    void putAllOfEntrySetRepeatingAKeyMadeTwoInsertChanges() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.putAll(repeating("a", 1, "b", 2, "a", 3, "c", 4, "a", 5));
        assertOneNodePerKey(m, Map.of("a", 5, "b", 2, "c", 4), 0);
        m.remove("a");
        assertEquals(Map.of("b", 2, "c", 4), new HashMap<>(m));
    }

    @Test
    void putAllRepeatingAnExistingKeyWhileASnapshotIsHeldRecordsOneChangeFromTheOldValue() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("a", 0);
        VersionedSnapshot<String, Integer> before = m.snapshot();
        m.putAll(repeating("a", 1, "n", 7, "a", 2, "n", 8));
        assertOneNodePerKey(m, Map.of("a", 2, "n", 8), 1);
        List<Change<String, Integer>> changes = m.changesSince(1);
        Map<String, Integer> olds = new LinkedHashMap<>();
        changes.forEach(c -> olds.put(c.key(), c.oldValue()));
        assertEquals(0, olds.get("a"), "the change of a starts from its committed value");
        assertNull(olds.get("n"), "n was absent before the batch");
        assertEquals(Map.of("a", 0), new HashMap<>(before), "the snapshot keeps its view");
    }

    @Test
    void reloadOfASourceRepeatingAKeyKeepsItsLastValue() {
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.put("x", 1);
        m.reload(repeating("a", 1, "a", 2, "x", 1));
        assertEquals(2, m.size());
        assertEquals(Map.of("a", 2, "x", 1), new HashMap<>(m));
        assertEquals(List.of(new Change<>(2, "a", null, 2)), m.changesSince(1));
    }
}
