package dev.syncmap.testkit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DELIBERATELY BROKEN: a {@link ConcurrentHashMap} with its own size counter, which {@code remove} decrements
 * <em>before</em> the removal that hashes the key: when the key's {@code hashCode} throws there, the key stays but
 * the count has dropped, and {@code size()} disagrees with iteration for good. {@link FaultInjection} must report
 * it ("size() is"). Only {@code put} and {@code remove} keep the count, which is all the check used needs.
 */
final class MiscountingMap<K, V> extends ConcurrentHashMap<K, V> {
    private static final long serialVersionUID = 1L;

    private final AtomicInteger count = new AtomicInteger();

    @Override
    public int size() {
        return count.get();
    }

    @Override
    public V put(K key, V value) {
        V old = super.put(key, value);
        if (old == null) {
            count.incrementAndGet();
        }
        return old;
    }

    @Override
    public V remove(Object key) {
        if (!containsKey(key)) {
            return null;
        }
        count.decrementAndGet(); // BUG: counted before the removal, which may throw (the key's hashCode)
        return super.remove(key);
    }
}
