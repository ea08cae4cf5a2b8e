package dev.syncmap.testkit;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * DELIBERATELY BROKEN: every map operation is synchronized, but the views are the underlying {@link HashMap}'s,
 * unguarded, as with {@code Collections.synchronizedMap} used without the manual locking its Javadoc demands.
 * Single-key operations are atomic, so the counter and race checks pass; iterating a view while another thread
 * writes throws {@link java.util.ConcurrentModificationException}, which {@link MapStress#viewsUnderWrites()}
 * must report.
 */
final class FailFastViewsMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
    private final Map<K, V> delegate = new HashMap<>();

    @Override
    public synchronized V get(Object key) {
        return delegate.get(key);
    }

    @Override
    public synchronized boolean containsKey(Object key) {
        return delegate.containsKey(key);
    }

    @Override
    public synchronized V put(K key, V value) {
        return delegate.put(key, value);
    }

    @Override
    public synchronized V remove(Object key) {
        return delegate.remove(key);
    }

    @Override
    public synchronized V putIfAbsent(K key, V value) {
        return delegate.putIfAbsent(key, value);
    }

    @Override
    public synchronized boolean remove(Object key, Object value) {
        return delegate.remove(key, value);
    }

    @Override
    public synchronized boolean replace(K key, V oldValue, V newValue) {
        return delegate.replace(key, oldValue, newValue);
    }

    @Override
    public synchronized V replace(K key, V value) {
        return delegate.replace(key, value);
    }

    @Override
    public synchronized V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        return delegate.computeIfAbsent(key, mappingFunction);
    }

    @Override
    public synchronized V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        return delegate.computeIfPresent(key, remappingFunction);
    }

    @Override
    public synchronized V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        return delegate.compute(key, remappingFunction);
    }

    @Override
    public synchronized V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        return delegate.merge(key, value, remappingFunction);
    }

    @Override
    public synchronized int size() {
        return delegate.size();
    }

    @Override
    public synchronized void clear() {
        delegate.clear();
    }

    /** The broken part: the live, unsynchronized, fail-fast view of the underlying {@link HashMap}. */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return delegate.entrySet();
    }
}
