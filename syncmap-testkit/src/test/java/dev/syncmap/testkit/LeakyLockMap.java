package dev.syncmap.testkit;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * DELIBERATELY BROKEN: a {@link HashMap} behind one {@link ReentrantLock}, correct except that {@code compute}
 * takes the lock and then looks the key up and runs the function <em>before</em> its {@code try/finally}: a key
 * whose {@code hashCode}/{@code equals} throws, or a function that throws, leaves the lock held forever, and every
 * later call from another thread hangs. {@link FaultInjection} must report it ("did not complete").
 */
final class LeakyLockMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V> {
    private final Map<K, V> map = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> function) {
        lock.lock();
        V old = map.get(key); // BUG: user code (hashCode, equals, the function) runs outside the try/finally
        V value = function.apply(key, old);
        try {
            if (value == null) {
                map.remove(key);
            } else {
                map.put(key, value);
            }
            return value;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public V get(Object key) {
        return locked(() -> map.get(key));
    }

    @Override
    public V put(K key, V value) {
        return locked(() -> map.put(key, value));
    }

    @Override
    public V remove(Object key) {
        return locked(() -> map.remove(key));
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return locked(() -> map.putIfAbsent(key, value));
    }

    @Override
    public boolean remove(Object key, Object value) {
        return locked(() -> map.remove(key, value));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return locked(() -> map.replace(key, oldValue, newValue));
    }

    @Override
    public V replace(K key, V value) {
        return locked(() -> map.replace(key, value));
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return locked(() -> Map.copyOf(map).entrySet());
    }

    /** What every method but compute does right: the action inside lock/try/finally. */
    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }
}
