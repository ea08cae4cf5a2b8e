package dev.syncmap.bench.versioned;

import dev.syncmap.VersionedMap;
import java.util.concurrent.ConcurrentHashMap;
import scala.collection.concurrent.TrieMap;

/**
 * The three maps compared, each driven through its own cheapest API (no adapters in the measured path):
 * {@code TrieMap} through {@code lookup}/{@code update}/{@code remove}, which return plain values where its
 * {@code scala.collection.Map} methods would allocate an {@code Option}.
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
            case VERSIONED -> new Versioned(new VersionedMap<>());
            case CHM -> new Chm(new ConcurrentHashMap<>());
            case TRIE -> new Trie(new TrieMap<>());
            default -> throw new IllegalArgumentException("unknown map " + name);
        };
    }

    static final class Versioned extends Subject {
        final VersionedMap<Integer, Integer> m;

        Versioned(VersionedMap<Integer, Integer> m) {
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

    static final class Chm extends Subject {
        final ConcurrentHashMap<Integer, Integer> m;

        Chm(ConcurrentHashMap<Integer, Integer> m) {
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

    static final class Trie extends Subject {
        final TrieMap<Integer, Integer> m;

        Trie(TrieMap<Integer, Integer> m) {
            this.m = m;
        }

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

    /** Distinct boxed keys 0..n-1 (not from the Integer cache beyond 127, like real keys). */
    static Integer[] keys(int n) {
        Integer[] k = new Integer[n];
        for (int i = 0; i < n; i++) {
            k[i] = Integer.valueOf(i); // beyond 127 each is its own object
        }
        return k;
    }
}
