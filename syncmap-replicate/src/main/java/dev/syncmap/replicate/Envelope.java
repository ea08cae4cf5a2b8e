package dev.syncmap.replicate;

import java.util.Objects;

/**
 * One replicated change, or a marker of the pipeline's framing, as it travels from a source to the sinks.
 *
 * <p>A {@link Kind#CHANGE} carries everything a sink needs to apply it idempotently and resolve it against
 * writes from other origins: the {@link #origin() origin} node, the {@link #originRevision() revision} that
 * committed it there, a {@link HybridLogicalClock hybrid logical clock} {@link #stamp() stamp}, the key, the new
 * value or {@code null} for a removal (a tombstone), and whether it is the {@link #endOfRevision() last change of
 * its revision}: the changes of one multi-key revision travel together and a sink that can applies them as a
 * unit. An {@link #expiresAtMillis() expiry} is set by the TTL transformer; sinks honour it.
 *
 * <p>An anchor (a full copy of the source at one revision, sent when a replica starts or the source's history
 * has been compacted past the pipeline) is framed by {@link Kind#ANCHOR_START} and {@link Kind#ANCHOR_END}
 * carrying the anchor revision; the changes between them are the snapshot's entries. At the end a sink removes
 * what it holds from this origin that the anchor did not mention (removals the pipeline never saw), so anchor +
 * the changes after it equal the source, with nothing missing and nothing extra.
 *
 * @param kind what this envelope is
 * @param origin the node that committed the change, never null
 * @param originRevision the revision at the origin: the change's revision, or an anchor's revision
 * @param stamp the hybrid logical clock stamp of the change (an anchor's stamp for anchor entries)
 * @param key the key; null only for anchor markers
 * @param value the new value, or null for a removal (and for markers)
 * @param endOfRevision whether this is the last change of its revision (always true for markers)
 * @param expiresAtMillis when the entry expires, in epoch milliseconds, or {@link #NO_EXPIRY}
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public record Envelope<K, V>(Kind kind, String origin, long originRevision, long stamp, K key, V value,
                             boolean endOfRevision, long expiresAtMillis) {

    /** {@link #expiresAtMillis()} of an entry that never expires. */
    public static final long NO_EXPIRY = Long.MAX_VALUE;

    /** What an envelope is. */
    public enum Kind {
        /** A change to one key (also an anchor's entry). */
        CHANGE,
        /** An anchor begins: the source's full content at {@link #originRevision()} follows. */
        ANCHOR_START,
        /** The anchor is complete: keys of this origin that it did not mention are to be removed. */
        ANCHOR_END
    }

    /**
     * Validates the fields.
     *
     * @param kind what this envelope is
     * @param origin the origin node id
     * @param originRevision the revision, not negative
     * @param stamp the stamp
     * @param key the key, required for a change
     * @param value the new value or null
     * @param endOfRevision whether the revision ends here
     * @param expiresAtMillis the expiry
     * @throws NullPointerException if kind or origin is null, or key is null for a change
     * @throws IllegalArgumentException if the revision is negative
     */
    public Envelope {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(origin, "origin");
        if (kind == Kind.CHANGE) {
            Objects.requireNonNull(key, "key");
        }
        if (originRevision < 0) {
            throw new IllegalArgumentException("originRevision must not be negative, got " + originRevision);
        }
    }

    /**
     * A change that never expires.
     *
     * @param origin the origin node id
     * @param originRevision the revision at the origin
     * @param stamp the HLC stamp
     * @param key the key
     * @param value the new value, or null for a removal
     * @param endOfRevision whether this is the last change of its revision
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the envelope
     */
    public static <K, V> Envelope<K, V> change(String origin, long originRevision, long stamp, K key, V value,
                                               boolean endOfRevision) {
        return new Envelope<>(Kind.CHANGE, origin, originRevision, stamp, key, value, endOfRevision, NO_EXPIRY);
    }

    /**
     * Tells whether this is a removal (a change without a new value).
     *
     * @return true for a tombstone
     */
    public boolean isRemoval() {
        return kind == Kind.CHANGE && value == null;
    }

    /**
     * Returns this change with another key and value (transformers use it).
     *
     * @param newKey the key
     * @param newValue the value, or null for a removal
     * @param <K2> the new key type
     * @param <V2> the new value type
     * @return a copy with the key and value replaced
     */
    public <K2, V2> Envelope<K2, V2> withKeyValue(K2 newKey, V2 newValue) {
        return new Envelope<>(kind, origin, originRevision, stamp, newKey, newValue, endOfRevision, expiresAtMillis);
    }

    /**
     * Returns this change with an expiry.
     *
     * @param epochMillis when the entry expires
     * @return a copy with the expiry set
     */
    public Envelope<K, V> withExpiry(long epochMillis) {
        return new Envelope<>(kind, origin, originRevision, stamp, key, value, endOfRevision, epochMillis);
    }

    /**
     * Returns the version this change carries, as a sink stores it.
     *
     * @return the version (value, stamp, origin, revision, expiry)
     */
    public Versioned<V> toVersioned() {
        return Versioned.of(value, stamp, origin, originRevision, expiresAtMillis);
    }
}
