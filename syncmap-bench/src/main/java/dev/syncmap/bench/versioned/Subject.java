package dev.syncmap.bench.versioned;

import dev.syncmap.VersionedMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import scala.collection.concurrent.TrieMap;

/**
 * The three maps compared, each driven through its own cheapest API: {@code VersionedMap} and
 * {@code ConcurrentHashMap} through {@code java.util.Map} (one map class per fork, so each call site stays
 * monomorphic and is inlined behind one type check), {@code TrieMap} through {@code lookup}/{@code update}/
 * {@code remove}, which return plain values where its {@code scala.collection.Map} methods would allocate an
 * {@code Option}.
 */
abstract class Subject {

    /** Names accepted by the {@code map} parameter of the benchmarks. */
    static final String VERSIONED = "VersionedMap";
    static final String CHM = "ConcurrentHashMap";
    static final String TRIE = "TrieMap";

    abstract Integer get(Integer key);

    abstract void put(Integer key, Integer value);

    abstract void remove(Integer key);

    /** The object graph to measure, and to keep reachable. */
    abstract Object map();

    static Subject create(String name) {
        return switch (name) {
            case VERSIONED -> new OfMap(new VersionedMap<>());
            case CHM -> new OfMap(new ConcurrentHashMap<>());
            case TRIE -> new Trie(new TrieMap<>());
            default -> throw new IllegalArgumentException("unknown map " + name);
        };
    }

    /**
     * Puts {@code keys[i] -> values[i]} for every {@code i}, one {@code put} each.
     *
     * @return this subject
     */
    final Subject fill(Integer[] keys, Integer[] values) {
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

    /** A {@code java.util.Map}. */
    static final class OfMap extends Subject {
        final Map<Integer, Integer> m;

        OfMap(Map<Integer, Integer> m) {
            this.m = m;
        }

        @Override
        Integer get(Integer key) {
            return m.get(key);
        }

        @Override
        void put(Integer key, Integer value) {
            m.put(key, value);
        }

        @Override
        void remove(Integer key) {
            m.remove(key);
        }

        @Override
        Object map() {
            return m;
        }
    }

    /** Scala's {@code TrieMap}, through the methods that do not allocate. */
    static final class Trie extends Subject {
        final TrieMap<Integer, Integer> m;

        Trie(TrieMap<Integer, Integer> m) {
            this.m = m;
        }

        // lookup is deprecated in Scala 2.13 in favour of getOrElse(k, null), which TrieMap inherits and which
        // allocates an Option per call; lookup is the only non-allocating read (apply throws on a miss).
        @SuppressWarnings("deprecation")
        @Override
        Integer get(Integer key) {
            return m.lookup(key);
        }

        @Override
        void put(Integer key, Integer value) {
            m.update(key, value);
        }

        @Override
        void remove(Integer key) {
            m.remove(key);
        }

        @Override
        Object map() {
            return m;
        }
    }
}
