package dev.syncmap.copy;

import dev.syncmap.Snapshot;
import dev.syncmap.Snapshottable;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Test-only copy-on-write map with O(1) snapshots, standing in for {@code CopyOnWriteMap} and
 * {@code VersionedMap}: every write swaps in a new immutable {@link CopiedSnapshot} with the next revision, so
 * {@code putAll} is one atomic batch. O(n) per write; fine for tests.
 */
final class CowTestMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, Snapshottable<K, V> {

    private final AtomicReference<Snapshot<K, V>> current =
        new AtomicReference<>(new CopiedSnapshot<>(new ArrayList<>(), 0));

    @Override
    public Snapshot<K, V> snapshot() {
        return current.get();
    }

    /** The content at one instant: a read-only view of a snapshot. */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return current.get().entrySet();
    }

    /** Swaps in {@code change(old content)} atomically; returns the old snapshot. */
    private Snapshot<K, V> update(UnaryOperator<LinkedHashMap<K, V>> change) {
        while (true) {
            Snapshot<K, V> old = current.get();
            LinkedHashMap<K, V> next = change.apply(new LinkedHashMap<>(old));
            if (next == null) {
                return old;
            }
            if (current.compareAndSet(old, new CopiedSnapshot<>(new ArrayList<>(next.entrySet()),
                    old.revision() + 1))) {
                return old;
            }
        }
    }

    @Override
    public int size() {
        return current.get().size();
    }

    @Override
    public V get(Object key) {
        return current.get().get(Objects.requireNonNull(key, "key"));
    }

    @Override
    public boolean containsKey(Object key) {
        return current.get().containsKey(Objects.requireNonNull(key, "key"));
    }

    @Override
    public V put(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return update(m -> {
            m.put(key, value);
            return m;
        }).get(key);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> all) {
        update(m -> {
            m.putAll(all);
            return m;
        });
    }

    @Override
    public V remove(Object key) {
        Objects.requireNonNull(key, "key");
        return update(m -> m.remove(key) == null ? null : m).get(key);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return update(m -> m.putIfAbsent(key, value) == null ? m : null).get(key);
    }

    @Override
    public boolean remove(Object key, Object value) {
        Objects.requireNonNull(key, "key");
        Snapshot<K, V> old = update(m -> m.remove(key, value) ? m : null);
        return value != null && value.equals(old.get(key));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        Objects.requireNonNull(newValue, "newValue");
        Snapshot<K, V> old = update(m -> m.replace(key, oldValue, newValue) ? m : null);
        return oldValue.equals(old.get(key));
    }

    @Override
    public V replace(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return update(m -> m.replace(key, value) == null ? null : m).get(key);
    }

    @Override
    public void clear() {
        update(m -> {
            m.clear();
            return m;
        });
    }
}
