package dev.syncmap;

import java.util.Comparator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * An immutable view of a {@link VersionedMap}'s whole content at one {@linkplain #revision() revision}, returned by
 * {@link VersionedMap#snapshot()}.
 *
 * <p>It copies nothing: it reads the map's table and resolves each key's value at its revision through the
 * version chains that writers keep for it while it is reachable. So it is taken in constant time, and
 * <ul>
 *   <li>{@link #get}, {@link #containsKey}: a map lookup plus a walk of that key's version chain (usually empty
 *       or one version long);</li>
 *   <li>{@link #size()}, {@link #isEmpty()}: exact, constant time (recorded at the cut);</li>
 *   <li>iteration ({@code entrySet()}, {@code keySet()}, {@code values()}, {@code forEach}, {@code equals},
 *       {@code hashCode}, {@code toString}): exactly the mappings at {@link #revision()}, each once, whatever
 *       writers do meanwhile; O(table size); in the map's internal (hash) order;</li>
 *   <li>{@link #sorted()} / {@link #sorted(Comparator)}: the same content in key order, as an immutable
 *       {@link NavigableMap} built on demand in O(n log n).</li>
 * </ul>
 * Every mutating method throws {@link UnsupportedOperationException}. Null keys are rejected with a
 * {@link NullPointerException} naming the argument.
 *
 * <p>Thread-safety: immutable; may be shared between threads without synchronization.
 *
 * <h2>Lifetime</h2>
 * Not {@link AutoCloseable}: there is nothing to close. Holding a snapshot never blocks the map's writers; it makes
 * them keep an old version (32 bytes) of each key they overwrite or remove, for as long as the snapshot is
 * reachable. Once it is unreachable, the garbage collector reports it (through a {@link java.lang.ref.Cleaner})
 * and writers stop keeping versions for it; the versions already kept are pruned by later writes.
 * So drop references to snapshots you are done with, and do not keep one for hours under a heavy write load; the
 * map itself holds on to its newest snapshot only until its next write (to hand the same one out again while
 * idle). A snapshot keeps its map reachable.
 *
 * <h2>Persistence</h2>
 * Not {@link java.io.Serializable}: it is a view of the live map, not a copy. To store or send one, write it with
 * {@code dev.syncmap.copy.SnapshotFormat} (a checksummed file that records its {@link #revision()}, from which a
 * replica can resume with {@link VersionedMap#changesSince}); to keep its content without keeping the map, copy
 * it ({@code MapCopy.of(snapshot).toHashMap()}); to serialize the whole map with its revision, serialize the
 * {@link VersionedMap}.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface VersionedSnapshot<K, V> extends Snapshot<K, V> {

    /**
     * Returns the revision this snapshot shows: every change up to and including it, none after.
     *
     * @return the revision
     */
    @Override
    long revision();

    /** Returns the exact number of mappings at {@link #revision()}; constant time. */
    @Override
    int size();

    /** Tells whether there were no mappings at {@link #revision()}; constant time. */
    @Override
    boolean isEmpty();

    /**
     * Returns the value {@code key} had at {@link #revision()}, or {@code null}.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    V get(Object key);

    /**
     * Tells whether {@code key} was mapped at {@link #revision()}.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    boolean containsKey(Object key);

    /**
     * Returns the mappings at {@link #revision()}: an immutable set whose iterator yields immutable entries,
     * consistently, in hash order.
     */
    @Override
    Set<Map.Entry<K, V>> entrySet();

    /**
     * Returns this snapshot's content in the key order configured on the map
     * ({@link VersionedMap.Builder#comparator}), natural order by default.
     *
     * @return an immutable sorted copy, built in O(n log n)
     * @throws ClassCastException if no comparator was configured and the keys are not {@link Comparable}
     */
    NavigableMap<K, V> sorted();

    /**
     * Returns this snapshot's content ordered by {@code comparator} ({@code null}: natural order).
     *
     * @param comparator the key order, or {@code null} for natural order
     * @return an immutable sorted copy, built in O(n log n)
     * @throws ClassCastException if {@code comparator} is null and the keys are not {@link Comparable}
     * @throws IllegalArgumentException if {@code comparator} considers two distinct keys equal
     */
    NavigableMap<K, V> sorted(Comparator<? super K> comparator);
}
