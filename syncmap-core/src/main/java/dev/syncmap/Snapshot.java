package dev.syncmap;

import java.util.Map;

/**
 * An immutable, point-in-time view of a map's content at one {@linkplain #revision() revision}.
 *
 * <p>Every mutating method ({@code put}, {@code remove}, {@code clear}, the views' {@code remove}, ...) throws
 * {@link UnsupportedOperationException}. Iteration is consistent (it shows exactly the content at
 * {@link #revision()}, whatever writers do meanwhile) and {@code size()} is exact. Equality and hash code follow
 * {@link Map}: a snapshot equals any map with the same mappings. Null keys and values are never present;
 * querying with a null key throws {@link NullPointerException}.
 *
 * <p>Thread-safety: a snapshot may be shared freely between threads; it needs no synchronization.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface Snapshot<K, V> extends Map<K, V> {

    /**
     * Returns the revision this snapshot shows: the content after every change with a revision up to and
     * including this one, and none after it.
     *
     * @return the revision, {@code 0} for a snapshot of a map never modified
     */
    long revision();
}
