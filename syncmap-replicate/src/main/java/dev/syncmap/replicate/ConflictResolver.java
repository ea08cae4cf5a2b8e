package dev.syncmap.replicate;

/**
 * Decides what a replica holds for a key when a change arrives: the stored version, the incoming one, or a merge
 * of both. Sinks that keep versions (the {@link MapReplicaSink map replica}, Redis, a {@code ReplicatedMap})
 * call it for every change that is not a duplicate.
 *
 * <p><b>Contract.</b> {@link #resolve} must be a pure function of its arguments (no clock, no randomness, no
 * state of its own), so every replica given the same changes decides the same. It must be <b>associative</b>
 * ({@code resolve(resolve(a, b), c)} equals {@code resolve(a, resolve(b, c))}): the pipeline folds the changes of
 * one batch to the same key into one before sending them. Resolvers that are also <b>commutative and
 * idempotent</b> (a join, as last-writer-wins and the CRDT counters are) converge whatever order changes arrive
 * in and however often; {@link #isOrderIndependent()} says which kind a resolver is, and replicas fed by several
 * origins should use only order-independent ones.
 *
 * <p><b>One origin's writes supersede each other.</b> A replica skips a change when it has already seen a later
 * revision of the same origin for that key (so replays are harmless), which means an origin's older write may
 * never be considered at all. A resolver must therefore never prefer an origin's older write over its newer one.
 * Stamps grow along each origin's revisions, so last-writer-wins, latest-update and the counters (whose values
 * are running totals) satisfy this by construction; {@link Resolvers#higherVersion} needs the user's versions to
 * grow along each origin's writes (a version column does), and a custom resolver has to argue it.
 *
 * <p>Custom resolvers implement this interface and are selected by class name in configuration (a public
 * no-argument constructor is then required): see {@link Resolvers#byClassName(String)}.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface ConflictResolver<K, V> {

    /**
     * Returns the version the replica should hold after {@code incoming} arrives.
     *
     * <p>Return {@code current} to keep it (the incoming change lost), {@code incoming} to take it, or a new
     * version for a merge (its stamp should be the larger of the two so later comparisons stay consistent).
     * Never called with a duplicate delivery of the stored write.
     *
     * @param key the key
     * @param current the stored version, or null if the replica has never seen the key
     * @param incoming the arriving version (a tombstone for a removal)
     * @return the version to hold; never null
     */
    Versioned<V> resolve(K key, Versioned<V> current, Versioned<V> incoming);

    /**
     * Tells whether the outcome is independent of the order and repetition of arrivals (the resolver is a
     * join: commutative, associative and idempotent). The default is {@code true}; a resolver that depends on
     * arrival order must override it.
     *
     * @return true if replicas converge whatever order changes arrive in
     */
    default boolean isOrderIndependent() {
        return true;
    }

    /**
     * A short name for metrics and logs. The default is the simple class name.
     *
     * @return the name
     */
    default String name() {
        return getClass().getSimpleName();
    }
}
