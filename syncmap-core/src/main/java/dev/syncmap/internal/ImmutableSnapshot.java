package dev.syncmap.internal;

import dev.syncmap.Snapshot;
import java.util.AbstractMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The immutability every {@link Snapshot} of this library shares: every mutator, including the {@link Map} default
 * methods, throws {@link UnsupportedOperationException} before looking at its arguments, even when it would change
 * nothing, so no mapping function ever runs. Subclasses say what the content is ({@link HashMapSnapshot}: a map
 * nobody modifies).
 *
 * <p>It has no state, so a {@link java.io.Serializable} subclass serializes only its own fields.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public abstract class ImmutableSnapshot<K, V> extends AbstractMap<K, V> implements Snapshot<K, V> {

    /** For subclasses. */
    protected ImmutableSnapshot() {}

    private static UnsupportedOperationException immutable() {
        return new UnsupportedOperationException("a snapshot is immutable");
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final V put(K key, V value) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final V remove(Object key) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final void putAll(Map<? extends K, ? extends V> m) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final void clear() {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final V putIfAbsent(K key, V value) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final boolean remove(Object key, Object value) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final boolean replace(K key, V oldValue, V newValue) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final V replace(K key, V value) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        throw immutable();
    }

    /** Always throws: a snapshot is immutable. */
    @Override
    public final V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        throw immutable();
    }
}
