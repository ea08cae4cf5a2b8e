package dev.syncmap.replicate;

/**
 * The protection state of one sink's writer ({@link Replicator#protectionStatus()}).
 *
 * @param sink the sink's name
 * @param target the sink now written: the sink itself, or its fallback after self-healing switched to it
 * @param breakerState the circuit breaker's state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN})
 * @param overloadLevel 0 to 3
 * @param writeP99Nanos the p99 of the write latency over the latency window
 * @param batchSize the adaptive batch size in force
 * @param spillEntries batches in the spill
 * @param spillBytes bytes in the spill
 * @param spillChanges changes in the spill
 * @param spilled changes written to the spill so far
 * @param drained changes drained from the spill into the sink so far
 * @param held changes held back (overload level 2) in memory
 * @param boundReached times the spill reached its bound
 * @param awaitingAnchor whether the sink waits for a fresh anchor (after its spill was dropped)
 * @param discarded changes discarded while awaiting the anchor (the anchor brings them)
 * @param selfHealReanchors re-anchors asked for by self-healing
 * @param fallbackSwitches switches to the fallback sink
 * @param corruptSpills spills found corrupt and replaced by a re-anchor
 */
public record SinkProtectionStatus(String sink, String target, String breakerState, int overloadLevel,
                                   long writeP99Nanos, int batchSize, long spillEntries, long spillBytes,
                                   long spillChanges, long spilled, long drained, int held, long boundReached,
                                   boolean awaitingAnchor, long discarded, long selfHealReanchors,
                                   long fallbackSwitches, long corruptSpills) {}
