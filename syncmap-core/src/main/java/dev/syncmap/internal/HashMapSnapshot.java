package dev.syncmap.internal;

import dev.syncmap.Snapshot;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@link Snapshot} backed by a private {@link HashMap} copy that nobody modifies after construction.
 *
 * <h2>Implementation notes</h2>
 * The copy is made by the owning map while it excludes writers (for {@code LockedMap}, under its read lock); after
 * that the table is only read. Both fields are {@code final}, so a snapshot handed to another thread through a data
 * race still shows the complete copy (final-field semantics). Every mutator throws
 * {@link UnsupportedOperationException} before looking at its arguments, so no mapping function ever runs.
 *
 * <p>Costs: construction O(n) (one copy); {@code get}/{@code containsKey} O(1) expected, as {@link HashMap};
 * iteration allocates one read-only entry wrapper per step.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class HashMapSnapshot<K, V> extends AbstractMap<K, V> implements Snapshot<K, V>, Serializable {

    private static final long serialVersionUID = 1L;

    /** Never modified after construction. */
    private final HashMap<K, V> content;
    /** The revision the content stands for. */
    private final long revision;

    private HashMapSnapshot(HashMap<K, V> content, long revision) {
        this.content = content;
        this.revision = revision;
    }

    /**
     * Copies {@code source} into a new snapshot. The caller must keep {@code source} unchanged during the call
     * (hold the lock that excludes its writers).
     *
     * @param source the content to copy; must hold no null key or value
     * @param revision the revision the content stands for
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the snapshot
     */
    public static <K, V> HashMapSnapshot<K, V> copyOf(Map<? extends K, ? extends V> source, long revision) {
        return new HashMapSnapshot<>(new HashMap<>(source), revision);
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
    public void forEach(BiConsumer<? super K, ? super V> action) {
        content.forEach(Objects.requireNonNull(action, "action"));
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return Collections.unmodifiableMap(content).entrySet();
    }

    @Override
    public Set<K> keySet() {
        return Collections.unmodifiableSet(content.keySet());
    }

    @Override
    public Collection<V> values() {
        return Collections.unmodifiableCollection(content.values());
    }

    @Override
    public int hashCode() {
        return content.hashCode();
    }

    /* ---------------- Mutators: all refused ---------------- */

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("a Snapshot is read-only");
    }

    @Override
    public V put(K key, V value) {
        throw readOnly();
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        throw readOnly();
    }

    @Override
    public V remove(Object key) {
        throw readOnly();
    }

    @Override
    public boolean remove(Object key, Object value) {
        throw readOnly();
    }

    @Override
    public void clear() {
        throw readOnly();
    }

    @Override
    public V putIfAbsent(K key, V value) {
        throw readOnly();
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        throw readOnly();
    }

    @Override
    public V replace(K key, V value) {
        throw readOnly();
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        throw readOnly();
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        throw readOnly();
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        throw readOnly();
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        throw readOnly();
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        throw readOnly();
    }
}
