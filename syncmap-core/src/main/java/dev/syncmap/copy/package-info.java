/**
 * Copy tools: consistent, failure-atomic, chunked and key-ordered copies of any map, and a checksummed binary
 * snapshot format.
 *
 * <h2>What is here</h2>
 * <ul>
 *   <li>{@link dev.syncmap.copy.MapCopy}: describe a copy fluently ({@code MapCopy.of(map)}, then transforms,
 *       filters, {@code sorted()}, {@code inChunks(...)}) and make it: {@code toSnapshot()}, {@code toHashMap()},
 *       {@code toSortedMap()}, {@code toMap(LinkedHashMap::new)}, {@code stream()}, or {@code into(destination)}
 *       all or nothing.</li>
 *   <li>{@link dev.syncmap.copy.Consistency}: what a copy promises, by kind of source: exact for a
 *       {@link dev.syncmap.Snapshottable} map ({@code VersionedMap}, {@code CopyOnWriteMap}, {@code LockedMap}),
 *       weakly consistent for other concurrent maps and for chunked scans.</li>
 *   <li>{@link dev.syncmap.copy.CopyProgressListener}: progress after each chunk, and cancellation.</li>
 *   <li>{@link dev.syncmap.copy.SnapshotFormat}, {@link dev.syncmap.copy.Codec},
 *       {@link dev.syncmap.copy.Codecs}: export a snapshot to a stream and import it back, verified, with
 *       {@link dev.syncmap.copy.SnapshotFormatException} saying exactly what is wrong with a bad file.</li>
 * </ul>
 *
 * <h2>Design, in three rules</h2>
 * <ol>
 *   <li><b>Read the source once, then write.</b> Every copy first stages the source's mappings (transformed,
 *       filtered, sorted) in private memory, and only then touches a destination; every import decodes and
 *       verifies the whole file first. So a failing transform, a cancelled copy or a corrupted file never leaves
 *       a destination half-written. The price is one reference pair per mapping (or the decoded entries).</li>
 *   <li><b>Undo, never swallow.</b> When the destination itself throws midway, an undo log restores it newest
 *       first; on a {@link java.util.concurrent.ConcurrentMap} each undo is conditional, so a concurrent writer's
 *       newer value is never reverted. An undo that fails is reported as a suppressed
 *       {@link dev.syncmap.copy.RollbackIncompleteException} on the original exception.</li>
 *   <li><b>Never hold a source's lock for more than one chunk.</b> Lock-free sources are iterated; O(1) snapshots
 *       are taken and iterated; lock-based maps implement {@link dev.syncmap.ChunkedSource} and are scanned one
 *       short lock hold per chunk with a cursor that survives resizes.</li>
 * </ol>
 *
 * <p>All classes here are immutable or confined to one call, and safe to use from any thread; null keys and
 * values are rejected everywhere, as by every map of {@code dev.syncmap}.
 */
package dev.syncmap.copy;
