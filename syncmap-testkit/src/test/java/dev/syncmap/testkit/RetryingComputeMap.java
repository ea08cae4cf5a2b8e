package dev.syncmap.testkit;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * DELIBERATELY BROKEN (for syncmap's promise, not for the JDK's): a map that implements only the basic
 * {@link ConcurrentMap} operations and inherits the interface's default {@code compute}, {@code computeIfAbsent},
 * {@code computeIfPresent} and {@code merge}. Those defaults are linearizable but optimistic: under contention
 * they run the function again, and racing {@code computeIfAbsent}s each run theirs. syncmap promises the function
 * runs at most once per call, so {@link MapStress}'s invocation counters must report this map, while Lincheck
 * (which checks results, not side effects) rightly passes it. {@link #get} yields after reading to widen the
 * window between the defaults' read and their compare-and-set.
 */
final class RetryingComputeMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
    private final ConcurrentHashMap<K, V> delegate = new ConcurrentHashMap<>();

    @Override
    public V get(Object key) {
        V value = delegate.get(key);
        Thread.yield();
        return value;
    }

    @Override
    public boolean containsKey(Object key) {
        return delegate.containsKey(key);
    }

    @Override
    public V put(K key, V value) {
        return delegate.put(key, value);
    }

    @Override
    public V remove(Object key) {
        return delegate.remove(key);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return delegate.putIfAbsent(key, value);
    }

    @Override
    public boolean remove(Object key, Object value) {
        return delegate.remove(key, value);
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return delegate.replace(key, oldValue, newValue);
    }

    @Override
    public V replace(K key, V value) {
        return delegate.replace(key, value);
    }

    @Override
    public int size() {
        return delegate.size();
    }

    @Override
    public void clear() {
        delegate.clear();
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return delegate.entrySet();
    }
}
