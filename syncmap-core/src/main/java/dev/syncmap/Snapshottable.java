package dev.syncmap;

/**
 * A map that can produce a consistent, immutable {@link Snapshot} of its whole content.
 *
 * <p>Each implementation documents the cost of {@link #snapshot()} (constant for {@code VersionedMap} and
 * {@code CopyOnWriteMap}, a copy under a read lock for {@code LockedMap}). Copy tools use this interface to take
 * exact copies.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface Snapshottable<K, V> {

    /**
     * Returns a consistent, immutable view of the whole content at one instant (linearizable with the map's
     * other operations).
     *
     * @return the snapshot, never null
     */
    Snapshot<K, V> snapshot();
}
