package dev.syncmap.copy;

import dev.syncmap.ChunkedSource;
import dev.syncmap.Snapshot;
import dev.syncmap.Snapshottable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A copy of a map, described fluently and made by a terminal operation: consistent when the source allows it,
 * optionally transformed, filtered, key-ordered and read in chunks with progress reports, delivered as an
 * immutable {@link Snapshot}, a fresh map, an ordered stream, or written failure-atomically into a destination.
 *
 * <pre>{@code
 * Snapshot<String, Long> copy = MapCopy.of(sessions).toSnapshot();          // exact for a Snapshottable map
 * CopyResult r = MapCopy.of(prices)
 *         .mapValues(p -> p * 100)
 *         .inChunks(10_000, progress -> { bar.update(progress.fractionDone()); return !cancelled; })
 *         .into(replica);                                                     // all or nothing
 * NavigableMap<String, Long> ordered = MapCopy.of(sessions).toSortedMap();
 * }</pre>
 *
 * <h2>Which consistency a source gets</h2>
 * The source is read once per terminal operation, by the first of these rules that applies
 * ({@link #consistency()} tells the outcome in advance):
 * <ol>
 *   <li>a {@link Snapshot}: iterated as is; {@link Consistency#EXACT}, its revision;</li>
 *   <li>a {@link ChunkedSource} read {@linkplain #inChunks(int, CopyProgressListener) in chunks}: scanned with
 *       one short lock hold per chunk; {@link Consistency#WEAKLY_CONSISTENT} ({@code LockedMap} and
 *       {@code StripedMap} take this path, so a huge map is never locked
 *       for the whole copy);</li>
 *   <li>a {@link Snapshottable} map: its {@code snapshot()}, then iterating that; {@link Consistency#EXACT}, the
 *       snapshot's revision. {@code VersionedMap} and {@code CopyOnWriteMap} snapshot in constant time;
 *       {@code LockedMap} copies itself under its read lock, so writers wait for the whole copy;</li>
 *   <li>another {@link ChunkedSource}: scanned in chunks of {@value #DEFAULT_CHUNK_SIZE};
 *       {@link Consistency#WEAKLY_CONSISTENT};</li>
 *   <li>a {@link ConcurrentMap}: its entry-set iterator, which takes no long lock;
 *       {@link Consistency#WEAKLY_CONSISTENT}. For {@link java.util.concurrent.ConcurrentHashMap} every key present
 *       throughout appears exactly once, with the value its bin held when the iterator passed it (a key its
 *       iterator delivers twice is kept once, see {@link Consistency#WEAKLY_CONSISTENT}). For syncmap's
 *       {@code StripedMap} and {@code ReadDirtyMap} the same holds (each documents its iterator: a stripe, or
 *       the read-only map promoted at the iterator's start, is traversed with per-key current values);</li>
 *   <li>any other map: iterated directly; {@link Consistency#UNSYNCHRONIZED}.</li>
 * </ol>
 * A copy that is not {@link Consistency#EXACT} records {@link Snapshot#NO_REVISION}; an exact one records the
 * revision of the source state it was made from (see {@link Snapshot#revision()}).
 *
 * <h2>Order of work</h2>
 * A terminal operation first reads the whole source into a private staging list, applying the transforms and
 * filters of this description in the order they were added, then sorts the list if asked, then delivers it.
 * Transforms, filters and progress listeners therefore run on the calling thread, with no lock of the source
 * held; a failure or cancellation anywhere in that phase happens before any destination is touched. The cost is
 * memory for one reference pair per copied mapping, plus a hash map over the copied keys when the source is
 * iterated as a {@link ConcurrentMap} (to drop keys its iterator repeats) or keys are transformed (to detect
 * collisions).
 *
 * <h2>Nulls and thread-safety</h2>
 * Null keys and values are rejected: a source that yields one, or a transform that returns one, makes the
 * terminal operation throw {@link NullPointerException} naming the key. A {@code MapCopy} is immutable: every
 * configuring method returns a new description, and one description may be used any number of times, from any
 * thread (each terminal operation reads the source anew).
 *
 * @param <K> the type of the copy's keys
 * @param <V> the type of the copy's values
 */
public final class MapCopy<K, V> {

    /** The chunk size used to read a {@link ChunkedSource} when no chunk size was given. */
    public static final int DEFAULT_CHUNK_SIZE = 4096;

    /** One step of the per-entry pipeline; returns {@code null} to drop the entry. */
    @FunctionalInterface
    private interface Step {
        Map.Entry<?, ?> apply(Map.Entry<?, ?> entry);
    }

    /** How the source is read; see the class documentation for the rules. */
    private enum Plan {
        SNAPSHOT_ITSELF(Consistency.EXACT),
        CHUNKED_SOURCE(Consistency.WEAKLY_CONSISTENT),
        SNAPSHOTTABLE(Consistency.EXACT),
        CONCURRENT_ITERATION(Consistency.WEAKLY_CONSISTENT),
        PLAIN_ITERATION(Consistency.UNSYNCHRONIZED);

        final Consistency consistency;

        Plan(Consistency consistency) {
            this.consistency = consistency;
        }
    }

    /** The copied mappings of one read, and what they promise. */
    private record Staged<K, V>(List<Map.Entry<K, V>> entries, long revision, Consistency consistency) {}

    private final Map<?, ?> source;
    private final Step pipeline;
    private final boolean keysMapped;
    private final Comparator<? super K> order;
    private final int chunkSize;
    private final CopyProgressListener listener;

    private MapCopy(Map<?, ?> source, Step pipeline, boolean keysMapped, Comparator<? super K> order,
                    int chunkSize, CopyProgressListener listener) {
        this.source = source;
        this.pipeline = pipeline;
        this.keysMapped = keysMapped;
        this.order = order;
        this.chunkSize = chunkSize;
        this.listener = listener;
    }

    /**
     * Describes a copy of {@code source}, unchanged, unordered and read in one piece. Nothing is read yet.
     *
     * @param source the map to copy
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the description
     * @throws NullPointerException if {@code source} is null
     */
    public static <K, V> MapCopy<K, V> of(Map<? extends K, ? extends V> source) {
        return new MapCopy<>(Objects.requireNonNull(source, "source"), null, false, null, 0, null);
    }

    /* ---------------- Configuration (each returns a new description) ---------------- */

    private Step then(Step next) {
        Step first = pipeline;
        return first == null ? next : e -> {
            Map.Entry<?, ?> mid = first.apply(e);
            return mid == null ? null : next.apply(mid);
        };
    }

    /**
     * Adds a key transform. Two source keys mapped to equal keys make the terminal operation fail with
     * {@link IllegalStateException} before anything is written.
     *
     * @param keyMapper maps each key; must not return null; an exception it throws aborts the copy
     * @param <K2> the new key type
     * @return the new description
     * @throws IllegalStateException if called after {@link #sorted()} (sort the transformed keys instead)
     */
    @SuppressWarnings("unchecked")
    public <K2> MapCopy<K2, V> mapKeys(Function<? super K, ? extends K2> keyMapper) {
        Objects.requireNonNull(keyMapper, "keyMapper");
        requireUnsorted("mapKeys");
        Step step = e -> {
            Object key = keyMapper.apply((K) e.getKey());
            if (key == null) {
                throw new NullPointerException("keyMapper returned null for key " + e.getKey());
            }
            return Map.entry(key, e.getValue());
        };
        return new MapCopy<>(source, then(step), true, null, chunkSize, listener);
    }

    /**
     * Adds a value transform.
     *
     * @param valueMapper maps each value; must not return null; an exception it throws aborts the copy
     * @param <V2> the new value type
     * @return the new description
     */
    @SuppressWarnings("unchecked")
    public <V2> MapCopy<K, V2> mapValues(Function<? super V, ? extends V2> valueMapper) {
        Objects.requireNonNull(valueMapper, "valueMapper");
        Step step = e -> {
            Object value = valueMapper.apply((V) e.getValue());
            if (value == null) {
                throw new NullPointerException("valueMapper returned null for key " + e.getKey());
            }
            return Map.entry(e.getKey(), value);
        };
        return new MapCopy<>(source, then(step), keysMapped, order, chunkSize, listener);
    }

    /**
     * Keeps only the mappings the predicate accepts (as transformed by the steps added before this one).
     *
     * @param predicate tests each key and value; an exception it throws aborts the copy
     * @return the new description
     */
    @SuppressWarnings("unchecked")
    public MapCopy<K, V> filter(BiPredicate<? super K, ? super V> predicate) {
        Objects.requireNonNull(predicate, "predicate");
        Step step = e -> predicate.test((K) e.getKey(), (V) e.getValue()) ? e : null;
        return new MapCopy<>(source, then(step), keysMapped, order, chunkSize, listener);
    }

    /**
     * Orders the copy by the keys' natural order: {@link #stream()}, {@link #toSnapshot()}'s iteration,
     * {@link #toMap(Supplier)} and the writes of {@link #into(Map)} follow it. Sorting costs O(n log n) after
     * the source has been read, with no lock held.
     *
     * @return the new description
     * @throws ClassCastException from the terminal operation, if a key is not {@link Comparable}
     */
    @SuppressWarnings("unchecked")
    public MapCopy<K, V> sorted() {
        return sorted((Comparator<? super K>) (Comparator<?>) Comparator.naturalOrder());
    }

    /**
     * Orders the copy by a comparator (see {@link #sorted()}). Keys the comparator finds equal keep their
     * relative order; they are still distinct keys.
     *
     * @param comparator the key order
     * @return the new description
     */
    public MapCopy<K, V> sorted(Comparator<? super K> comparator) {
        Objects.requireNonNull(comparator, "comparator");
        return new MapCopy<>(source, pipeline, keysMapped, comparator, chunkSize, listener);
    }

    /**
     * Reads the source in chunks of at most {@code chunkSize} mappings, with no progress reports.
     *
     * @param chunkSize the chunk size, at least 1
     * @return the new description
     * @see #inChunks(int, CopyProgressListener)
     */
    public MapCopy<K, V> inChunks(int chunkSize) {
        return inChunks(chunkSize, progress -> true);
    }

    /**
     * Reads the source in chunks of at most {@code chunkSize} mappings and reports progress after each chunk.
     * A {@link ChunkedSource} is then scanned with one lock hold per chunk (never longer), even when it is also
     * {@link Snapshottable}; a snapshot or a concurrent map is iterated with a report every {@code chunkSize}
     * mappings. The listener is called at least once (once for an empty source), with no source lock held, and
     * may cancel the copy ({@link CopyCancelledException}).
     *
     * @param chunkSize the chunk size, at least 1
     * @param listener receives the progress after each chunk
     * @return the new description
     * @throws IllegalArgumentException if {@code chunkSize < 1}
     */
    public MapCopy<K, V> inChunks(int chunkSize, CopyProgressListener listener) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, got " + chunkSize);
        }
        Objects.requireNonNull(listener, "listener");
        return new MapCopy<>(source, pipeline, keysMapped, order, chunkSize, listener);
    }

    private void requireUnsorted(String operation) {
        if (order != null) {
            throw new IllegalStateException(operation + " after sorted(): add sorted() after the key transform");
        }
    }

    /* ---------------- Inspection ---------------- */

    private Plan plan() {
        if (source instanceof Snapshot<?, ?>) {
            return Plan.SNAPSHOT_ITSELF;
        }
        if (chunkSize > 0 && source instanceof ChunkedSource<?, ?>) {
            return Plan.CHUNKED_SOURCE;
        }
        if (source instanceof Snapshottable<?, ?>) {
            return Plan.SNAPSHOTTABLE;
        }
        if (source instanceof ChunkedSource<?, ?>) {
            return Plan.CHUNKED_SOURCE;
        }
        if (source instanceof ConcurrentMap<?, ?>) {
            return Plan.CONCURRENT_ITERATION;
        }
        return Plan.PLAIN_ITERATION;
    }

    /**
     * Tells what a terminal operation of this description will promise, from the kind of source and whether it
     * is read in chunks (see the class documentation). Reads nothing.
     *
     * @return the consistency
     */
    public Consistency consistency() {
        return plan().consistency;
    }

    /* ---------------- Terminal operations ---------------- */

    /**
     * Returns the copy as an immutable {@link Snapshot}. When the source is itself a snapshot or is
     * {@link Snapshottable}, and nothing is transformed, filtered, sorted or reported, the source's own snapshot
     * is returned: O(1) for {@code VersionedMap} and {@code CopyOnWriteMap}. Otherwise the snapshot holds a copy
     * (iteration in the copy's order) and its {@link Snapshot#revision()} is the source snapshot's revision, or
     * {@link Snapshot#NO_REVISION} when the copy is not exact.
     *
     * @return the snapshot
     */
    @SuppressWarnings("unchecked")
    public Snapshot<K, V> toSnapshot() {
        if (pipeline == null && order == null && chunkSize == 0) {
            if (source instanceof Snapshot<?, ?> s) {
                return (Snapshot<K, V>) s;
            }
            if (source instanceof Snapshottable<?, ?> s) {
                return (Snapshot<K, V>) s.snapshot();
            }
        }
        Staged<K, V> staged = read();
        return new CopiedSnapshot<>(staged.entries(), staged.revision());
    }

    /**
     * Returns the copy as a new {@link HashMap}.
     *
     * @return a fresh, mutable map owned by the caller
     */
    public HashMap<K, V> toHashMap() {
        Staged<K, V> staged = read();
        HashMap<K, V> copy = new HashMap<>(Math.max(16, (int) (staged.entries().size() / 0.75f) + 1));
        for (Map.Entry<K, V> e : staged.entries()) {
            copy.put(e.getKey(), e.getValue());
        }
        return copy;
    }

    /**
     * Puts the copy, in the copy's order, into a fresh map from {@code factory} ({@code LinkedHashMap::new}
     * keeps that order).
     *
     * @param factory makes the empty map to fill
     * @param <M> the type of map
     * @return the filled map
     */
    public <M extends Map<K, V>> M toMap(Supplier<M> factory) {
        Objects.requireNonNull(factory, "factory");
        Staged<K, V> staged = read();
        M copy = Objects.requireNonNull(factory.get(), "factory returned null");
        for (Map.Entry<K, V> e : staged.entries()) {
            copy.put(e.getKey(), e.getValue());
        }
        return copy;
    }

    /**
     * Returns the copy as a new {@link TreeMap}, ordered by the comparator given to {@link #sorted(Comparator)},
     * or else by the keys' natural order.
     *
     * @return a fresh, mutable navigable map owned by the caller
     * @throws ClassCastException if natural order is used and a key is not {@link Comparable}
     */
    public NavigableMap<K, V> toSortedMap() {
        TreeMap<K, V> copy = new TreeMap<>(order);
        for (Map.Entry<K, V> e : read().entries()) {
            copy.put(e.getKey(), e.getValue());
        }
        return copy;
    }

    /**
     * Returns the copy as a sequential stream of immutable entries, in the copy's order (key order after
     * {@link #sorted()}). The source is read completely before this method returns; the stream only walks the
     * copy.
     *
     * @return the stream
     */
    public Stream<Map.Entry<K, V>> stream() {
        return read().entries().stream();
    }

    /**
     * Writes the copy into {@code destination}, all or nothing: it adds the copied keys and replaces the values
     * of keys already there, in the copy's order, and leaves other keys alone.
     *
     * <p><b>Failure atomicity.</b> Everything that can fail on the source side (reading, transforms, filters, the
     * duplicate-key check, sorting, the progress listener, cancellation) happens before the first write, so such
     * a failure leaves the destination untouched. If the destination throws on a write, every write already
     * done is undone, newest first (restoring previous values, removing added keys), and the original exception
     * is rethrown. If an undo step throws too, the remaining steps still run and the original exception carries
     * a suppressed {@link RollbackIncompleteException} naming the keys that could not be restored, with each
     * undo failure suppressed inside it.
     *
     * <p><b>Concurrent writers to the destination.</b> The writes are not atomic to observers: another thread
     * may see part of the copy, and, after a failure, part of it disappear again. Writes by other threads are
     * never lost: on a {@link ConcurrentMap} destination an undo step is conditional (it restores a key only if
     * it still holds the value the copy wrote), so a key that another thread changed meanwhile keeps that
     * thread's value. A destination that is not a {@link ConcurrentMap} must not be modified by anyone else
     * during the copy.
     *
     * @param destination the map to write into
     * @return what was written
     * @throws CopyCancelledException if the progress listener cancelled the copy
     * @throws IllegalStateException if {@link #mapKeys} mapped two source keys to the same key
     */
    public CopyResult into(Map<? super K, ? super V> destination) {
        Objects.requireNonNull(destination, "destination");
        Staged<K, V> staged = read();
        return UndoLog.apply(destination, staged.entries(), staged.revision(), staged.consistency());
    }

    /* ---------------- Reading the source ---------------- */

    /**
     * Accumulates the transformed mappings of one read and reports progress. A source whose iterator may deliver
     * a key twice (see {@link Consistency#WEAKLY_CONSISTENT}) and a key transform both need a map from staged key
     * to its position in the list, to keep one entry per key; other reads append to the list only.
     */
    private final class Stager {
        final List<Map.Entry<K, V>> entries;
        final Map<Object, Integer> positionOf;
        final List<Object> sourceKeys;
        final long totalEstimate;
        long read;
        long chunkIndex;

        Stager(long totalEstimate, boolean sourceMayRepeatKeys) {
            this.totalEstimate = totalEstimate;
            int expected = (int) Math.min(Math.max(totalEstimate, 0), 1 << 24);
            this.entries = new ArrayList<>(expected);
            this.positionOf = keysMapped || sourceMayRepeatKeys ? new HashMap<>() : null;
            this.sourceKeys = keysMapped ? new ArrayList<>(expected) : null;
        }

        @SuppressWarnings("unchecked")
        void add(Object key, Object value) {
            if (key == null) {
                throw new NullPointerException("the source yielded a null key; copies reject null keys");
            }
            if (value == null) {
                throw new NullPointerException("the source maps key " + key + " to null; copies reject null values");
            }
            read++;
            Map.Entry<?, ?> e = Map.entry(key, value);
            if (pipeline != null) {
                e = pipeline.apply(e);
                if (e == null) {
                    return;
                }
            }
            if (positionOf != null) {
                Integer earlier = positionOf.putIfAbsent(e.getKey(), entries.size());
                if (earlier != null) {
                    Object earlierSourceKey = sourceKeys == null ? key : sourceKeys.get(earlier);
                    if (!earlierSourceKey.equals(key)) {
                        throw new IllegalStateException("mapKeys maps two source keys, " + earlierSourceKey + " and "
                            + key + ", to the same key " + e.getKey() + "; nothing was written");
                    }
                    // the source's iterator delivered this key again: keep one entry, with the later value
                    entries.set(earlier, (Map.Entry<K, V>) e);
                    return;
                }
                if (sourceKeys != null) {
                    sourceKeys.add(key);
                }
            }
            entries.add((Map.Entry<K, V>) e);
        }

        void chunkDone() {
            if (listener != null) {
                CopyProgress progress = new CopyProgress(chunkIndex, read, totalEstimate);
                if (!listener.onChunk(progress)) {
                    throw new CopyCancelledException(progress);
                }
            }
            chunkIndex++;
        }

        Staged<K, V> finish(long revision, Consistency consistency) {
            if (order != null) {
                entries.sort(Map.Entry.comparingByKey(order));
            }
            return new Staged<>(Collections.unmodifiableList(entries), revision, consistency);
        }
    }

    private Staged<K, V> read() {
        Plan plan = plan();
        switch (plan) {
            case SNAPSHOT_ITSELF:
                return iterate((Snapshot<?, ?>) source, ((Snapshot<?, ?>) source).revision(), plan);
            case SNAPSHOTTABLE:
                Snapshot<?, ?> snapshot = ((Snapshottable<?, ?>) source).snapshot();
                return iterate(snapshot, snapshot.revision(), plan);
            case CHUNKED_SOURCE:
                return scan((ChunkedSource<?, ?>) source);
            default:
                return iterate(source, Snapshot.NO_REVISION, plan);
        }
    }

    private Staged<K, V> iterate(Map<?, ?> map, long revision, Plan plan) {
        Stager stager = new Stager(map.size(), plan == Plan.CONCURRENT_ITERATION);
        int perChunk = chunkSize > 0 ? chunkSize : Integer.MAX_VALUE;
        Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
        do {
            for (int inChunk = 0; inChunk < perChunk && it.hasNext(); inChunk++) {
                Map.Entry<?, ?> e = it.next();
                stager.add(e.getKey(), e.getValue());
            }
            stager.chunkDone();
        } while (it.hasNext());
        return stager.finish(revision, plan.consistency);
    }

    private Staged<K, V> scan(ChunkedSource<?, ?> chunked) {
        Stager stager = new Stager(source.size(), false);
        int perChunk = chunkSize > 0 ? chunkSize : DEFAULT_CHUNK_SIZE;
        ChunkedSource.Cursor cursor = null;
        do {
            ChunkedSource.Chunk<?, ?> chunk = chunked.copyChunk(cursor, perChunk);
            if (chunk.entries().size() > perChunk) {
                throw new IllegalStateException(chunked.getClass().getName() + ".copyChunk returned "
                    + chunk.entries().size() + " entries, more than the " + perChunk + " asked for");
            }
            for (Map.Entry<?, ?> e : chunk.entries()) {
                stager.add(e.getKey(), e.getValue());
            }
            cursor = chunk.next();
            stager.chunkDone();
        } while (cursor != null);
        return stager.finish(Snapshot.NO_REVISION, Consistency.WEAKLY_CONSISTENT);
    }
}
