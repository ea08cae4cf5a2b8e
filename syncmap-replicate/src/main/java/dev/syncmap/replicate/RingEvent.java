package dev.syncmap.replicate;

/**
 * One slot of the pipeline's ring buffer, reused for every envelope that passes through it (the ring is
 * pre-allocated; only the envelope itself is allocated per change).
 *
 * <p>Each stage writes the fields it owns before the ring's sequence barrier publishes the slot to the next
 * stage, which is what makes the plain fields safe: the source writes all of them, then publishes; the transform
 * stage may replace {@link #envelope} (or null it to drop the change); the resolve stage may null it (folded into
 * a later slot of the same batch) or replace it (the fold's result). The position fields ({@link #revision},
 * {@link #endOfRevision}, {@link #kind}) are never changed after the source, so a dropped change still advances
 * the sinks' positions.
 */
final class RingEvent<K, V> {
    Envelope<K, V> envelope;
    Envelope.Kind kind;
    long revision;
    boolean endOfRevision;
    /** System.nanoTime() when the source read the change (lag). */
    long readNanos;

    void set(Envelope<K, V> e, long nanos) {
        envelope = e;
        kind = e.kind();
        revision = e.originRevision();
        endOfRevision = e.endOfRevision();
        readNanos = nanos;
    }

    void clear() {
        envelope = null;
        kind = null;
    }
}
