package dev.syncmap.replicate;

import java.util.Objects;

/**
 * Which resolver a replica uses, and optionally a candidate on trial beside it (a gray release): on the keys of
 * the candidate's {@link KeyShare} the candidate decides too, on the same stored and incoming versions, and
 * where its decision differs from the active resolver's the difference is counted (the active decision is the
 * one applied). Promote the candidate or drop it by installing a new policy
 * ({@link Replicator#setResolverPolicy}) — no restart.
 *
 * <p>Immutable.
 *
 * @param active the resolver whose decisions are applied
 * @param candidate the resolver on trial, or null
 * @param share the keys the candidate is tried on, or null without a candidate
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public record ResolverPolicy<K, V>(ConflictResolver<K, V> active, ConflictResolver<K, V> candidate,
                                   KeyShare share) {

    /**
     * Validates the fields.
     *
     * @param active not null
     * @param candidate or null
     * @param share not null exactly when there is a candidate
     */
    public ResolverPolicy {
        Objects.requireNonNull(active, "active resolver");
        if ((candidate == null) != (share == null)) {
            throw new IllegalArgumentException("a candidate resolver needs a key share, and a share a candidate");
        }
    }

    /**
     * A policy with one resolver and no candidate.
     *
     * @param active the resolver
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the policy
     */
    public static <K, V> ResolverPolicy<K, V> of(ConflictResolver<K, V> active) {
        return new ResolverPolicy<>(active, null, null);
    }

    /**
     * This policy with a candidate on trial.
     *
     * @param trial the candidate
     * @param on the keys it is tried on
     * @return the new policy
     */
    public ResolverPolicy<K, V> withCandidate(ConflictResolver<K, V> trial, KeyShare on) {
        return new ResolverPolicy<>(active, Objects.requireNonNull(trial, "candidate"), Objects.requireNonNull(on,
            "share"));
    }

    /**
     * The candidate becomes the active resolver, with no candidate left.
     *
     * @return the new policy
     * @throws IllegalStateException if there is no candidate
     */
    public ResolverPolicy<K, V> promote() {
        if (candidate == null) {
            throw new IllegalStateException("no candidate resolver to promote");
        }
        return of(candidate);
    }

    /**
     * The candidate is dropped.
     *
     * @return the policy with the active resolver alone
     */
    public ResolverPolicy<K, V> dropCandidate() {
        return of(active);
    }
}
