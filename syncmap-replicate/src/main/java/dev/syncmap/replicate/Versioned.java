package dev.syncmap.replicate;

import java.util.Map;
import java.util.Objects;

/**
 * A value with the version that put it there, as a replica stores it and a {@link ConflictResolver} compares
 * it: the value (null for a tombstone: the key was removed at this version), the
 * {@link HybridLogicalClock hybrid logical clock} stamp and origin node of the write, the revision at the origin,
 * an expiry, and, for CRDT counters, each origin's contribution.
 *
 * @param value the value, or null for a tombstone
 * @param stamp the HLC stamp of the write
 * @param origin the origin node of the write
 * @param originRevision the revision at the origin
 * @param expiresAtMillis when the value expires (epoch ms), or {@link Envelope#NO_EXPIRY}
 * @param contributions for CRDT counters, each origin's latest contribution; empty otherwise; immutable
 * @param <V> the type of values
 */
public record Versioned<V>(V value, long stamp, String origin, long originRevision, long expiresAtMillis,
                           Map<String, V> contributions) {

    /**
     * Validates and freezes the fields.
     *
     * @param value the value or null
     * @param stamp the stamp
     * @param origin the origin, not null
     * @param originRevision the revision
     * @param expiresAtMillis the expiry
     * @param contributions per-origin contributions, not null (copied)
     */
    public Versioned {
        Objects.requireNonNull(origin, "origin");
        contributions = Map.copyOf(contributions);
    }

    /**
     * A version without per-origin contributions.
     *
     * @param value the value or null for a tombstone
     * @param stamp the stamp
     * @param origin the origin
     * @param originRevision the revision at the origin
     * @param expiresAtMillis the expiry
     * @param <V> the type of values
     * @return the version
     */
    public static <V> Versioned<V> of(V value, long stamp, String origin, long originRevision,
                                      long expiresAtMillis) {
        return new Versioned<>(value, stamp, origin, originRevision, expiresAtMillis, Map.of());
    }

    /**
     * Tells whether this is a tombstone.
     *
     * @return true if the key was removed at this version
     */
    public boolean isTombstone() {
        return value == null;
    }

    /**
     * Orders two versions by (stamp, origin): the order last-writer-wins uses. Total on distinct writes, since
     * one origin never issues one stamp twice.
     *
     * @param other the other version
     * @return negative, zero or positive as this version is older than, the same write as, or newer than other
     */
    public int compareStampTo(Versioned<?> other) {
        int c = Long.compare(stamp, other.stamp);
        return c != 0 ? c : origin.compareTo(other.origin);
    }

    /**
     * Tells whether two versions come from the same write (same origin, same revision there, same stamp).
     *
     * @param other the other version
     * @return true for a duplicate delivery of one write
     */
    public boolean sameWriteAs(Versioned<?> other) {
        return stamp == other.stamp && originRevision == other.originRevision && origin.equals(other.origin);
    }
}
