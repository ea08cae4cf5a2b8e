package dev.syncmap.replicate;

/**
 * A sink's way to ask its {@link Replicator} for a fresh anchor while the pipeline runs: the sink found that its
 * target lost what it was sent (a Redis that restarted empty, a store restored from an older copy). Handed to the
 * sink once by {@link Sink#anchorRequests} before the first write.
 *
 * <p>Asynchronous and coalesced: the call returns at once; the replicator retires its source, takes a snapshot
 * after the call and sends every sink an anchor (sinks that have everything skip it as duplicates), then the
 * changes after it. Requests made while an anchor is already pending are folded into it; requests made when the
 * replicator is not running are ignored. Thread-safe; never throws.
 */
@FunctionalInterface
public interface AnchorRequest {

    /**
     * Asks for an anchor.
     *
     * @param reason why, for the log (names what was lost)
     */
    void request(String reason);
}
