package dev.syncmap;

import java.util.Objects;

/**
 * One change to one key, as delivered by a map's change feed.
 *
 * <p>The changes of one multi-key operation ({@code putAll}, {@code replaceAll}, {@code clear}, {@code reload})
 * share its revision and are always delivered together.
 *
 * @param revision the revision that committed this change (strictly positive)
 * @param key the key changed, never null
 * @param oldValue the value before the change, or {@code null} if the key was absent
 * @param newValue the value after the change, or {@code null} if the change removed the key
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public record Change<K, V>(long revision, K key, V oldValue, V newValue) {

    /**
     * Validates the fields.
     *
     * @param revision the revision that made the change, positive
     * @param key the key changed, not null
     * @param oldValue the value before, or null if the key was absent
     * @param newValue the value after, or null for a removal
     * @throws IllegalArgumentException if {@code revision} is not positive or both values are null
     * @throws NullPointerException if {@code key} is null
     */
    public Change {
        Objects.requireNonNull(key, "key");
        if (revision <= 0) {
            throw new IllegalArgumentException("revision must be positive, got " + revision);
        }
        if (oldValue == null && newValue == null) {
            throw new IllegalArgumentException("a change needs an old value, a new value, or both (key " + key + ")");
        }
    }

    /**
     * Tells whether this change removed its key.
     *
     * @return {@code true} when {@link #newValue()} is null
     */
    public boolean isRemoval() {
        return newValue == null;
    }
}
