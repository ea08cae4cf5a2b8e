package dev.syncmap.testkit;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DELIBERATELY BROKEN: a {@link ConcurrentHashMap} with its own size counter, which {@code remove} decrements
 * <em>before</em> the removal that hashes the key: when the key's {@code hashCode} throws there, the key stays but
 * the count has dropped, and {@code size()} disagrees with iteration for good. {@link FaultInjection} must report
 * it ("size() is").
 */
final class MiscountingMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
    private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public int size() {
        return count.get();
    }

    @Override
    public V get(Object key) {
        return map.get(key);
    }

    @Override
    public V put(K key, V value) {
        V old = map.put(key, value);
        if (old == null) {
            count.incrementAndGet();
        }
        return old;
    }

    @Override
    public V remove(Object key) {
        if (!map.containsKey(key)) {
            return null;
        }
        count.decrementAndGet(); // BUG: counted before the removal, which may throw (the key's hashCode)
        return map.remove(key);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V old = map.putIfAbsent(key, value);
        if (old == null) {
            count.incrementAndGet();
        }
        return old;
    }

    @Override
    public boolean remove(Object key, Object value) {
        boolean removed = map.remove(key, value);
        if (removed) {
            count.decrementAndGet();
        }
        return removed;
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return map.replace(key, oldValue, newValue);
    }

    @Override
    public V replace(K key, V value) {
        return map.replace(key, value);
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return map.entrySet();
    }
}
