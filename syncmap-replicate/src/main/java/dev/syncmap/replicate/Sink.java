package dev.syncmap.replicate;

import java.util.List;

/**
 * Where a replication pipeline writes: a map replica, Redis, a Kafka topic. Each sink has its own writer thread
 * in the {@link Replicator}; one sink is never called from two threads at once.
 *
 * <p><b>Contract.</b> {@link #write} applies a batch <b>idempotently</b>: the pipeline re-sends changes after a
 * restart (everything after the sink's last checkpoint) and after a failed write, so applying a change twice
 * must have the effect of applying it once (version checks do it: see {@link MapReplicaSink}). Within a batch
 * the envelopes are in source order; a batch never splits a revision, and ends either at a revision's end or at
 * an anchor marker. A write that throws has applied any prefix of its batch, and the pipeline will send the
 * whole batch again (after retries, possibly from the durable spill). {@link Envelope.Kind#ANCHOR_START}/
 * {@link Envelope.Kind#ANCHOR_END} frame a full copy of the source: at the end the sink removes what it holds
 * from that origin that the copy did not mention.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface Sink<K, V> extends AutoCloseable {

    /**
     * Returns the sink's name, unique within a replicator: it names the checkpoint, metrics and logs.
     *
     * @return the name, letters, digits, '-', '_' and '.'
     */
    String name();

    /**
     * Applies a batch, idempotently.
     *
     * @param batch the envelopes, in source order, never empty; the list is reused after the call returns
     * @throws PoisonChangeException if a change can never be applied (the replicator stops, FAILED)
     * @throws Exception if the batch could not be applied (it will be sent again, after a backoff); an
     *     {@link Error} stops the replicator
     */
    void write(List<Envelope<K, V>> batch) throws Exception;

    /**
     * Makes everything written so far durable or visible where the sink buffers; called before a checkpoint
     * records the position. The default does nothing.
     *
     * @throws Exception if the flush failed (the checkpoint is then not advanced)
     */
    default void flush() throws Exception {}

    /**
     * Tells whether the sink's target is reachable and healthy (self-healing asks it before replaying). The
     * default says healthy.
     *
     * @return true if healthy
     */
    default boolean isHealthy() {
        return true;
    }

    /**
     * Tells whether the sink holds nothing of what its checkpoint says it has (an in-memory replica created
     * afresh in a new process): the replicator then ignores the checkpoint and anchors the sink. Asked once, at
     * start. The default is {@code false} (a durable target keeps what it was sent).
     *
     * @return true if the sink's state is empty and a checkpoint would lie about it
     */
    default boolean startsEmpty() {
        return false;
    }

    /**
     * Asks the sink to compress what it sends (or stop), for sinks that can: the writer turns it on at overload
     * level 1 and above and off again below. The default does nothing.
     *
     * @param on true to compress
     */
    default void setCompression(boolean on) {}

    /**
     * Called by the writer thread when it has had nothing to write for a while (expiry sweeps, keep-alives).
     * The default does nothing.
     */
    default void onIdle() {}

    /**
     * Hands the sink a way to ask for a fresh anchor at runtime (its target lost data it had acknowledged). Called
     * once by {@link Replicator#start()}, before the sink's first write; the request stays valid while the
     * replicator runs. The default ignores it.
     *
     * @param request asks the replicator for an anchor; see {@link AnchorRequest}
     */
    default void anchorRequests(AnchorRequest request) {}

    /** Releases the sink's resources. The default does nothing. */
    @Override
    default void close() {}
}
