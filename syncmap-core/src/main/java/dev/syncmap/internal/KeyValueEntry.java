package dev.syncmap.internal;

import java.util.Map;

/**
 * A {@link Map.Entry} holding a key and a value, neither ever null, with the entry contract's {@code equals},
 * {@code hashCode} and {@code toString}. Subclasses decide what {@link #setValue} does.
 *
 * @param <K> the type of the key
 * @param <V> the type of the value
 */
public abstract class KeyValueEntry<K, V> implements Map.Entry<K, V> {
    /** The key, never null. */
    protected final K key;
    /** The value, never null. */
    protected V value;

    /**
     * Holds {@code key} and {@code value}.
     *
     * @param key the key, not null
     * @param value the value, not null
     */
    protected KeyValueEntry(K key, V value) {
        this.key = key;
        this.value = value;
    }

    @Override
    public final K getKey() {
        return key;
    }

    @Override
    public final V getValue() {
        return value;
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && value.equals(e.getValue());
    }

    @Override
    public final int hashCode() {
        return key.hashCode() ^ value.hashCode();
    }

    @Override
    public final String toString() {
        return key + "=" + value;
    }
}
