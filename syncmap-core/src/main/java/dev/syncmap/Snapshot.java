package dev.syncmap;

import java.util.Map;

/**
 * An immutable, point-in-time view of a map's content at one {@linkplain #revision() revision}.
 *
 * <p>Every mutating method ({@code put}, {@code remove}, {@code clear}, the views' {@code remove}, ...) throws
 * {@link UnsupportedOperationException}. Iteration is consistent (it shows exactly the content at
 * {@link #revision()}, whatever writers do meanwhile) and {@code size()} is exact. Equality and hash code follow
 * {@link Map}: a snapshot equals any map with the same mappings. Null keys and values are never present;
 * querying with a null key throws {@link NullPointerException}.
 *
 * <p>Thread-safety: a snapshot may be shared freely between threads; it needs no synchronization.
 *
 * <h2>Lifetime and persistence</h2>
 * A snapshot holds no lock and no thread, and needs no closing: it lives as long as it is reachable. What it costs
 * while reachable is each implementation's to say ({@link VersionedSnapshot}: old versions of the keys overwritten
 * since; a copying snapshot: its copy). Whether it is {@link java.io.Serializable} is each implementation's too;
 * the portable way to store one, whatever the map, is {@code dev.syncmap.copy.SnapshotFormat}, which records its
 * {@linkplain #revision() revision}; {@code MapCopy.of(snapshot)} copies it into any map.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface Snapshot<K, V> extends Map<K, V> {

    /**
     * The revision of a snapshot that does not show one state of a map that counts revisions: a copy of a map
     * without revisions (a {@code HashMap}, a {@code StripedMap}), or a weakly consistent copy, one chunk at a
     * time, of a map that has them. {@code -1}.
     */
    long NO_REVISION = -1L;

    /**
     * Returns the revision of its source map that this snapshot shows: a number naming one state of that map's
     * content. It means the same for every map of this library:
     * <ul>
     *   <li><b>Equal revisions, equal content.</b> Two snapshots of the same map instance with equal revisions
     *       have equal content.</li>
     *   <li><b>Never backwards.</b> A snapshot taken after another one of the same map never has a smaller
     *       revision, and has a strictly greater one if the content changed in between.</li>
     *   <li><b>Order, not distance.</b> How much the revision grows per write is each map's business: a
     *       {@code LockedMap} counts the write calls that may have changed it (a {@code compute} that returned the
     *       old value counts); a {@code CopyOnWriteMap} each table it published; a {@code VersionedMap} each
     *       commit. Only a {@code VersionedMap}'s revision
     *       is also a position in a change feed: it is the {@link Change#revision()} of the last change the
     *       snapshot includes, from which {@code changesSince} and {@code watch} resume without a gap.</li>
     *   <li><b>Per map instance.</b> Revisions of different maps are not comparable. A deserialized
     *       {@code LockedMap} or {@code CopyOnWriteMap} starts again at 0; a {@code VersionedMap} keeps its
     *       revision.</li>
     *   <li><b>{@link #NO_REVISION}</b> ({@code -1}) when the snapshot does not show one state of a map with
     *       revisions (see there). Otherwise never negative; a new map starts at 0.</li>
     * </ul>
     * A copy ({@code MapCopy}, or a snapshot file read back by {@code SnapshotFormat}) carries the revision of
     * the source state it was made from, even when it was transformed or filtered on the way.
     *
     * @return the revision, or {@link #NO_REVISION}
     */
    long revision();
}
