/**
 * JMH benchmarks for the performance targets of {@link dev.syncmap.VersionedMap} (issue 3), each measured beside
 * {@link java.util.concurrent.ConcurrentHashMap} and Scala's {@code scala.collection.concurrent.TrieMap}, with
 * {@code Integer} keys from precomputed arrays, 1k and 1M keys; run with {@code -t 1} and {@code -t 2}.
 *
 * <ul>
 *   <li>{@link dev.syncmap.bench.versioned.SnapshotTargetBenchmark}: {@code snapshot()} at 1k/1M keys (target: under
 *       1 &micro;s at 1M), beside {@code TrieMap.snapshot()}/{@code readOnlySnapshot()} and a
 *       {@code new HashMap<>(chm)} copy;</li>
 *   <li>{@link dev.syncmap.bench.versioned.GetTargetBenchmark}: {@code get} at 100:0 and 97:3 read:write (target:
 *       at least 1.0&times; ConcurrentHashMap);</li>
 *   <li>{@link dev.syncmap.bench.versioned.WriteTargetBenchmark}: {@code put}/{@code remove} with the feed on (target:
 *       at least 0.7&times; ConcurrentHashMap; run with {@code -prof gc} for bytes per operation);</li>
 *   <li>{@link dev.syncmap.bench.versioned.FootprintMain}: memory per entry with JOL (target: at most
 *       1.25&times; ConcurrentHashMap).</li>
 * </ul>
 *
 * <p>Example: {@code java -jar syncmap-bench/target/benchmarks.jar 'versioned.*' -t 2 -prof gc}.
 */
package dev.syncmap.bench.versioned;
