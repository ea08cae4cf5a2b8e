package dev.syncmap.copy;

import dev.syncmap.Snapshot;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An immutable {@link Snapshot} holding a copy: what {@link MapCopy#toSnapshot()} and
 * {@link SnapshotFormat#read} return when they cannot hand out a source's own snapshot.
 *
 * <p>Implementation notes: the content is an unmodifiable {@link LinkedHashMap}, so iteration follows the order
 * the copy was made in (key order for a sorted copy). It is fully built before the constructor returns and only
 * read afterwards; the {@code final} field makes it safely published to every thread. Every mutator, including
 * the {@link Map} default methods, throws {@link UnsupportedOperationException}, even when it would change
 * nothing; queries with a null key or value throw {@link NullPointerException}, as the {@link Snapshot} contract
 * asks.
 */
final class CopiedSnapshot<K, V> extends AbstractMap<K, V> implements Snapshot<K, V> {

    private final Map<K, V> content;
    private final long revision;

    /**
     * Creates a snapshot of the given mappings.
     *
     * @param entries the mappings, in iteration order, with distinct non-null keys and non-null values
     * @param revision the revision they show
     */
    CopiedSnapshot(List<? extends Map.Entry<? extends K, ? extends V>> entries, long revision) {
        Map<K, V> map = new LinkedHashMap<>(Math.max(16, (int) (entries.size() / 0.75f) + 1));
        for (Map.Entry<? extends K, ? extends V> e : entries) {
            map.put(e.getKey(), e.getValue());
        }
        this.content = Collections.unmodifiableMap(map);
        this.revision = revision;
    }

    @Override
    public long revision() {
        return revision;
    }

    @Override
    public int size() {
        return content.size();
    }

    @Override
    public boolean isEmpty() {
        return content.isEmpty();
    }

    @Override
    public V get(Object key) {
        return content.get(Objects.requireNonNull(key, "key"));
    }

    @Override
    public V getOrDefault(Object key, V defaultValue) {
        return content.getOrDefault(Objects.requireNonNull(key, "key"), defaultValue);
    }

    @Override
    public boolean containsKey(Object key) {
        return content.containsKey(Objects.requireNonNull(key, "key"));
    }

    @Override
    public boolean containsValue(Object value) {
        return content.containsValue(Objects.requireNonNull(value, "value"));
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return content.entrySet();
    }

    @Override
    public Set<K> keySet() {
        return content.keySet();
    }

    @Override
    public java.util.Collection<V> values() {
        return content.values();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || content.equals(o);
    }

    @Override
    public int hashCode() {
        return content.hashCode();
    }

    @Override
    public String toString() {
        return content.toString();
    }

    /* ---------------- Every mutator refuses ---------------- */

    private static UnsupportedOperationException immutable() {
        return new UnsupportedOperationException("a snapshot is immutable");
    }

    @Override
    public V put(K key, V value) {
        throw immutable();
    }

    @Override
    public V remove(Object key) {
        throw immutable();
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        throw immutable();
    }

    @Override
    public void clear() {
        throw immutable();
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        throw immutable();
    }

    @Override
    public V putIfAbsent(K key, V value) {
        throw immutable();
    }

    @Override
    public boolean remove(Object key, Object value) {
        throw immutable();
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        throw immutable();
    }

    @Override
    public V replace(K key, V value) {
        throw immutable();
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        throw immutable();
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        throw immutable();
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        throw immutable();
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        throw immutable();
    }
}
