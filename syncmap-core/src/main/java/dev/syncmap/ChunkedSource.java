package dev.syncmap;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A lock-based map that can be copied a bounded chunk at a time, so that a copy of a huge map never holds the
 * map's lock for longer than it takes to copy one chunk.
 *
 * <p>A copier calls {@link #copyChunk(Cursor, int)} first with a {@code null} cursor, then again with each
 * {@link Chunk#next() next} {@link Cursor} it is given, until that cursor is {@code null}. Each call takes the map's lock
 * (or, for a striped map, the lock of the part it reads) for one short hold, copies at most {@code maxEntries}
 * mappings into a fresh list, releases the lock and returns. Nothing is held between calls: writers run freely
 * while the copier processes a chunk.
 *
 * <h2>The guarantee every implementation gives</h2>
 * Call the time from the first call to the call that returns a {@code null} cursor "the scan". Then:
 * <ul>
 *   <li>every key present in the map throughout the scan is delivered <b>exactly once</b>, with the value it had
 *       when its chunk was copied;</li>
 *   <li>a key inserted or removed during the scan is delivered <b>at most once</b>;</li>
 *   <li>no key is ever delivered twice, even when the map grows, shrinks or rehashes between calls;</li>
 *   <li>all mappings of one chunk taken under the same lock hold are an exact picture of that part of the map at
 *       one instant (for a single-lock map, the whole chunk).</li>
 * </ul>
 * This is the same guarantee as the weakly consistent iterators of {@code java.util.concurrent}, obtained with
 * bounded lock holds instead of lock-free traversal.
 *
 * <h2>How to implement it</h2>
 * The cursor must survive any number of inserts, removals and resizes between calls, so it cannot be a bucket
 * index or an iterator. The intended recipe orders the mappings by a fixed function of the key's hash code
 * (independent of the table's capacity) and makes the cursor "the position in that order reached so far"
 * (an open-hashing table whose buckets are kept sorted by that order, and which grows by splitting buckets in
 * order, can resume from such a position in O(chunk) whatever happened since). The map wraps that position in a
 * {@link Cursor} with {@link Cursor#issue(Object, Object)} and reads it back with
 * {@link Cursor#position(Object, Class)}, which rejects a cursor the map did not issue with an
 * {@link IllegalArgumentException}, as the contract requires.
 *
 * <p>A call may return fewer than {@code maxEntries} mappings, even none, while more remain (for instance when it
 * reaches the end of one stripe); only a {@code null} {@link Chunk#next()} ends the scan. A striped map may take
 * several stripe locks one after another within one call, but never holds any lock longer than it takes to copy
 * {@code maxEntries} mappings.
 *
 * <p>Thread-safety: implementations are thread-safe; a cursor is an immutable value and may be handed between
 * threads, and used again (two uses of the same cursor each resume from the same position). Nulls: the cursor is
 * {@code null} exactly at the start and at the end of a scan; entries never hold a null key or value.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public interface ChunkedSource<K, V> {

    /**
     * Copies, under one short hold of this map's lock, at most {@code maxEntries} mappings that come after
     * {@code cursor} in this map's scan order.
     *
     * @param cursor {@code null} to start a scan, or the {@link Chunk#next()} of the previous chunk of the same
     *     scan
     * @param maxEntries the largest number of mappings to copy, at least 1
     * @return the copied mappings and the cursor for the next call, never null
     * @throws IllegalArgumentException if {@code maxEntries < 1} or the cursor was not issued by this map
     */
    Chunk<K, V> copyChunk(Cursor cursor, int maxEntries);

    /**
     * One chunk of a scan: the mappings copied and where the next call resumes.
     *
     * @param entries the copied mappings, immutable key/value pairs in scan order; never null, may be empty
     * @param next the cursor to pass to the next call, or {@code null} when the scan is complete
     * @param <K> the type of keys
     * @param <V> the type of values
     */
    record Chunk<K, V>(List<Map.Entry<K, V>> entries, Cursor next) {

        /**
         * Validates and freezes the entry list.
         *
         * @param entries the copied mappings
         * @param next the cursor for the next call, or {@code null} at the end
         * @throws NullPointerException if {@code entries} or any entry is null
         */
        public Chunk {
            entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
        }

        /**
         * Tells whether this chunk ends the scan.
         *
         * @return {@code true} when {@link #next()} is null
         */
        public boolean isLast() {
            return next == null;
        }
    }

    /**
     * Where a scan stands: an immutable, opaque token that only the source that issued it can read.
     *
     * <p>A copier never looks inside: it passes the {@link Chunk#next()} of one call to the next call. An
     * implementation of {@link ChunkedSource} {@linkplain #issue(Object, Object) issues} a cursor around its own
     * record of the position (an immutable object of a private class) and, on the next call,
     * {@linkplain #position(Object, Class) reads it back}, which checks that the cursor is its own. So a cursor
     * handed to another map, or forged, is rejected with {@link IllegalArgumentException} instead of being
     * misread.
     *
     * <p>Equality is identity. A cursor keeps its issuer reachable. Thread-safety: immutable (if the position is,
     * as it must be); may be shared between threads and used any number of times.
     */
    final class Cursor {
        private final Object issuer;
        private final Object position;

        private Cursor(Object issuer, Object position) {
            this.issuer = issuer;
            this.position = position;
        }

        /**
         * Issues a cursor at {@code position}, to be read back only by {@code issuer}. For implementations of
         * {@link ChunkedSource}. O(1).
         *
         * @param issuer the object that will accept the cursor back, compared by identity: usually the map itself
         *     (or the table it scans, one per map)
         * @param position the issuer's record of where the scan stands; must be immutable
         * @return a new cursor
         * @throws NullPointerException if {@code issuer} or {@code position} is null
         */
        public static Cursor issue(Object issuer, Object position) {
            return new Cursor(Objects.requireNonNull(issuer, "issuer"), Objects.requireNonNull(position, "position"));
        }

        /**
         * Reads back the position of a cursor that {@code issuer} issued. For implementations of
         * {@link ChunkedSource}. O(1).
         *
         * @param issuer the object asking, compared by identity with the one that issued this cursor
         * @param type the class of the position it issued
         * @param <P> the type of the position
         * @return the position given to {@link #issue(Object, Object)}
         * @throws IllegalArgumentException if this cursor was issued by another object, or with a position of
         *     another type
         */
        public <P> P position(Object issuer, Class<P> type) {
            if (this.issuer != issuer || !type.isInstance(position)) {
                throw new IllegalArgumentException("cursor " + this + " was not issued by this map");
            }
            return type.cast(position);
        }

        /**
         * Describes the cursor for diagnostics: the issuer's class and the position.
         *
         * @return a string such as {@code "Cursor[LockedMap: ScanCursor[position=...]]"}
         */
        @Override
        public String toString() {
            return "Cursor[" + issuer.getClass().getSimpleName() + ": " + position + "]";
        }
    }
}
