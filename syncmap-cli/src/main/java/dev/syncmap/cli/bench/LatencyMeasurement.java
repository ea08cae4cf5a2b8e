package dev.syncmap.cli.bench;

/**
 * Latency percentiles of one contender under an open-loop (Poisson arrival) load, measured from each
 * operation's intended start so that a stall counts against every operation it delayed (no coordinated
 * omission). Immutable.
 *
 * @param map the contender
 * @param keys the key count
 * @param dist the key distribution
 * @param threads the load threads
 * @param targetOpsPerSecond the arrival rate asked for
 * @param achievedOpsPerSecond the completion rate reached
 * @param count the operations recorded
 * @param dropped operations that could not even be issued by the end of the run (the map fell behind); not in
 *                {@code count}
 * @param p50Ns median latency, nanoseconds
 * @param p90Ns 90th percentile, nanoseconds
 * @param p99Ns 99th percentile, nanoseconds
 * @param p999Ns 99.9th percentile, nanoseconds
 * @param maxNs the largest latency seen, nanoseconds
 * @param serviceP50Ns median service time (issue to completion, what a closed-loop harness reports), nanoseconds
 * @param serviceP99Ns 99th percentile service time, nanoseconds
 * @param serviceP999Ns 99.9th percentile service time, nanoseconds
 * @param p99GcShare the share (0 to 1) of the requests at or above the 99th percentile that overlapped a
 *                   garbage-collection pause (the rest of the tail is the map's own waiting); null in results
 *                   written before it was measured
 * @param p999GcShare the same for the 99.9th percentile, or null
 * @param gcPauses the collector's pauses during the measured window, or null
 * @param gcPauseNs their total length, nanoseconds, or null
 */
public record LatencyMeasurement(String map, int keys, String dist, int threads, double targetOpsPerSecond,
                                 double achievedOpsPerSecond, long count, long dropped, long p50Ns, long p90Ns,
                                 long p99Ns, long p999Ns, long maxNs, long serviceP50Ns, long serviceP99Ns,
                                 long serviceP999Ns, Double p99GcShare, Double p999GcShare, Integer gcPauses,
                                 Long gcPauseNs) {
}
