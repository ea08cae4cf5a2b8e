package dev.syncmap.replicate;

/**
 * What a sink's writer does when its spill queue reaches its bound (bytes or age of the oldest entry). Either
 * way it is logged and counted ({@code syncmap.replication.spill.bound.reached}, tagged with the policy); a
 * change is never dropped silently.
 */
public enum SpillBoundPolicy {
    /**
     * Stop accepting: the writer stops taking batches from the ring (it keeps trying to drain the spill into the
     * sink), so the ring fills and the source waits; the source map's bounded history absorbs the rest, and if it
     * is compacted past the pipeline the source re-anchors. The default.
     */
    STOP_READING,
    /**
     * Forget the spill and the sink's checkpoint and discard what arrives for the sink until it recovers; then
     * ask the source for a fresh anchor (a full copy), after which the sink equals the source again. Nothing is
     * lost because the anchor carries the source's whole content; the cost is one full copy.
     */
    REANCHOR
}
