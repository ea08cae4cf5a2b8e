package dev.syncmap.bench.versioned;

import dev.syncmap.VersionedMap;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import scala.collection.concurrent.TrieMap;

/**
 * The three maps compared, each driven through its own cheapest API: {@code VersionedMap} and
 * {@code ConcurrentHashMap} through {@code java.util.Map} (one map class per fork, so each call site stays
 * monomorphic and is inlined behind one type check), {@code TrieMap} through {@link TrieMapView}: {@code lookup}/
 * {@code update}/{@code remove}, which return plain values where its {@code scala.collection.Map} methods would
 * allocate an {@code Option}.
 */
final class Subject {

    /** Names accepted by the {@code map} parameter of the benchmarks. */
    static final String VERSIONED = "VersionedMap";
    static final String CHM = "ConcurrentHashMap";
    static final String TRIE = "TrieMap";

    private final Map<Integer, Integer> m;

    Subject(Map<Integer, Integer> m) {
        this.m = m;
    }

    Integer get(Integer key) {
        return m.get(key);
    }

    void put(Integer key, Integer value) {
        m.put(key, value);
    }

    void remove(Integer key) {
        m.remove(key);
    }

    /** The object graph to measure, and to keep reachable: the map itself (a {@code TrieMap}, not its view). */
    Object map() {
        return m instanceof TrieMapView view ? view.trie : m;
    }

    static Subject create(String name) {
        return new Subject(switch (name) {
            case VERSIONED -> new VersionedMap<>();
            case CHM -> new ConcurrentHashMap<>();
            case TRIE -> new TrieMapView(new TrieMap<>());
            default -> throw new IllegalArgumentException("unknown map " + name);
        });
    }

    /**
     * Puts {@code keys[i] -> values[i]} for every {@code i}, one {@code put} each.
     *
     * @return this subject
     */
    Subject fill(Integer[] keys, Integer[] values) {
        for (int i = 0; i < keys.length; i++) {
            put(keys[i], values[i]);
        }
        return this;
    }

    /** Distinct boxed values for keys 0..n-1: {@code n + i}, none from the {@code Integer} cache once n > 127. */
    static Integer[] values(int n) {
        Integer[] values = new Integer[n];
        for (int i = 0; i < n; i++) {
            values[i] = Integer.valueOf(n + i);
        }
        return values;
    }

    /**
     * Scala's {@code TrieMap} as the three {@code java.util.Map} methods the benchmarks call, through the methods
     * that do not allocate: {@code put} and {@code remove} return null rather than the previous value (which
     * {@code TrieMap} would wrap in an {@code Option}). Nothing else is supported.
     */
    static final class TrieMapView extends AbstractMap<Integer, Integer> {
        final TrieMap<Integer, Integer> trie;

        TrieMapView(TrieMap<Integer, Integer> trie) {
            this.trie = trie;
        }

        // lookup is deprecated in Scala 2.13 in favour of getOrElse(k, null), which TrieMap inherits and which
        // allocates an Option per call; lookup is the only non-allocating read (apply throws on a miss).
        @SuppressWarnings("deprecation")
        @Override
        public Integer get(Object key) {
            return trie.lookup((Integer) key);
        }

        @Override
        public Integer put(Integer key, Integer value) {
            trie.update(key, value);
            return null;
        }

        @Override
        public Integer remove(Object key) {
            trie.remove((Integer) key);
            return null;
        }

        @Override
        public Set<Map.Entry<Integer, Integer>> entrySet() {
            throw new UnsupportedOperationException("a benchmark view of a TrieMap: get, put and remove only");
        }
    }
}
