package dev.syncmap.replicate;

/**
 * Sees every change that met a stored version from another origin, so users can see what was overwritten or
 * refused. Called on the sink's writer thread after the decision is applied; it must be quick, and what it
 * throws is counted and logged, never allowed to stop replication.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
@FunctionalInterface
public interface ConflictListener<K, V> {

    /**
     * One conflict.
     *
     * @param key the key
     * @param stored the version the replica held
     * @param incoming the arriving version
     * @param result what the replica holds now
     * @param outcome {@link Outcome#WON}, {@link Outcome#LOST} or {@link Outcome#MERGED}
     */
    void onConflict(K key, Versioned<V> stored, Versioned<V> incoming, Versioned<V> result, Outcome outcome);
}
