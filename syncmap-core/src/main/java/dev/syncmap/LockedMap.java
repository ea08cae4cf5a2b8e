package dev.syncmap;

import dev.syncmap.internal.EntryCopies;
import dev.syncmap.internal.FunctionGuard;
import dev.syncmap.internal.HashMapSnapshot;
import dev.syncmap.internal.HashOrderedTable;
import dev.syncmap.internal.VarHandles;
import java.io.Serial;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@link ConcurrentMap} made of one hash table guarded by one {@link ReentrantReadWriteLock}: Go's
 * {@code sync.RWMutex} + {@code map}, the simple baseline every other map of this library is measured against.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Linearizable.</b> Every method, including {@code putAll}, {@code clear}, {@code replaceAll},
 *       {@code size}, {@code containsValue}, {@code equals} and {@code hashCode}, takes effect at one instant while
 *       it holds the lock: a {@code putAll} that completes is seen entirely or not at all.</li>
 *   <li><b>Atomic compute.</b> {@code compute}, {@code computeIfAbsent}, {@code computeIfPresent}, {@code merge}
 *       and {@code replaceAll} run their function under the write lock, at most once per call (once per key for
 *       {@code replaceAll}). Other threads' reads and writes wait meanwhile, so keep functions short. A function
 *       may read this map; one that writes to it gets {@link IllegalStateException}.</li>
 *   <li><b>Exact iteration.</b> The views iterate a point-in-time copy of the whole map, taken under the read lock:
 *       each iteration shows exactly the content of one instant, whatever writers do meanwhile, and never throws
 *       {@link java.util.ConcurrentModificationException}. The copy is the same one {@link #snapshot()} returns and
 *       is shared by every iteration and snapshot until the next write: the first iteration after a write costs
 *       O(n), the next ones O(1) to start. A view's {@code size()} is read separately and is exact at its own
 *       instant.</li>
 *   <li><b>Nulls.</b> Null keys, values and functions are rejected with a {@link NullPointerException} naming the
 *       argument ({@code "key"}, {@code "value"}, {@code "remappingFunction"}, ...); a null query key too.</li>
 *   <li><b>Chunked copies.</b> As a {@link ChunkedSource}, the map can be copied a bounded chunk at a time
 *       ({@code MapCopy.of(map).inChunks(n, listener)}): each chunk is one short hold of the read lock, so a copy of
 *       a huge map never stalls writers for longer than one chunk. Such a copy is weakly consistent (see
 *       {@link ChunkedSource}); {@link #snapshot()} is the exact alternative, one hold over everything.</li>
 *   <li><b>Colliding keys.</b> O(1) expected per operation. Keys whose {@code hashCode()} is always equal share one
 *       chain, searched linearly: O(n) per operation among n such keys (the table keeps a hash-derived order for
 *       chunked scans, so it has no {@code HashMap}-style tree bins). The map stays correct.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * Invariant: {@code table}, {@code revision} and {@code cachedSnapshot} change only under the write lock.
 * Thread-safety is the lock's: a write's unlock happens-before the next lock of either kind, so every reader sees
 * the table as the last writer left it, and readers never overlap a writer.
 *
 * <p>{@code revision} counts the calls that may have changed the content (one per {@code putAll},
 * {@code clear} or {@code replaceAll} as a whole). It is this map's modification counter, not a
 * {@code VersionedMap} revision: two snapshots of one map with equal revisions have equal content, but a call that
 * changed nothing (a {@code compute} returning the old value) may still count.
 *
 * <p>{@code cachedSnapshot} is null or the copy of the current revision. Readers create it under the read lock,
 * so several may race to store equivalent copies (hence {@code setRelease}/{@code getAcquire}; the copy's fields
 * are final anyway); a writer clears it under the write lock, so no stale copy can be stored after a write. The
 * price: one copy of the map may be kept alive until the next write.
 *
 * <p><b>When user code throws.</b> The keys' {@code hashCode}/{@code equals}, the mapping functions and the
 * {@code forEach} action run under the lock; every lock is released in a {@code finally}, with nothing between
 * {@code lock()} and {@code try}. A single-key call that throws has changed nothing: a function runs before its
 * result is stored, and the table's {@code put}/{@code remove} change nothing when a key throws or an allocation
 * fails (the table allocates a node and any larger table before it links anything). The two bulk writes keep what they
 * did before the throw, and record it:
 * {@code putAll} the pairs before the failing key, {@code replaceAll} the values replaced before the failing call;
 * {@code changed()} runs in a {@code finally} for both, so the cached snapshot can never outlive a change.
 *
 * <p>Recursion: a mapping function runs under the write lock, and {@code forEach}'s action under the read lock.
 * A write from inside either would re-enter the table in the middle of an update, or deadlock trying to
 * upgrade a read lock. A per-thread function guard refuses writes from a function of this map; two cheap lock checks
 * ({@code isHeldByCurrentThread}, and the read hold count only when readers exist) also catch the indirect cases,
 * a function of another map called from ours that writes back to ours.
 *
 * <p>Traded away: readers and writers serialize on one lock word (no scaling with cores for writes, cache-line
 * traffic for reads), and a long mapping function stalls everyone. That is the point of the baseline.
 *
 * <p>Serialization: through a proxy holding the mappings copied under the read lock, and the fairness flag. The
 * lock is not serialized; a deserialized map gets a new one.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class LockedMap<K, V> extends LockedTableMap<K, V>
    implements ConcurrentMap<K, V>, Snapshottable<K, V>, ChunkedSource<K, V>, Serializable {

    private static final long serialVersionUID = 1L;

    private static final int DEFAULT_CAPACITY = 16;

    private static final VarHandle CACHED_SNAPSHOT =
        VarHandles.field(MethodHandles.lookup(), LockedMap.class, "cachedSnapshot", HashMapSnapshot.class);

    private final transient ReentrantReadWriteLock lock;
    private final transient ReentrantReadWriteLock.ReadLock readLock;
    private final transient ReentrantReadWriteLock.WriteLock writeLock;

    /** The content. Guarded by {@code lock}. */
    private final transient HashOrderedTable<K, V> table;

    /** Calls that may have changed the content. Written under the write lock, read under either lock. */
    private transient long revision;

    /**
     * Null, or the copy of the content at {@code revision}. Readers use {@link #CACHED_SNAPSHOT} (they race with each
     * other under the read lock); writers use plain access (the write lock excludes everyone).
     */
    private transient HashMapSnapshot<K, V> cachedSnapshot;

    /** Creates an empty map with a non-fair lock. */
    public LockedMap() {
        this(DEFAULT_CAPACITY, false);
    }

    /**
     * Creates an empty map with a non-fair lock, sized to hold {@code expectedSize} mappings without growing.
     *
     * @param expectedSize the number of mappings expected
     * @throws IllegalArgumentException if {@code expectedSize} is negative
     */
    public LockedMap(int expectedSize) {
        this(expectedSize, false);
    }

    /**
     * Creates an empty map.
     *
     * @param fair {@code true} for a fair lock (threads acquire it roughly in arrival order, so a stream of
     *     readers cannot starve a writer, at a large throughput cost); {@code false} for the faster non-fair lock
     */
    public LockedMap(boolean fair) {
        this(DEFAULT_CAPACITY, fair);
    }

    /**
     * Creates an empty map.
     *
     * @param expectedSize the number of mappings expected
     * @param fair whether the lock is fair; see {@link #LockedMap(boolean)}
     * @throws IllegalArgumentException if {@code expectedSize} is negative
     */
    public LockedMap(int expectedSize, boolean fair) {
        this.table = new HashOrderedTable<>(expectedSize); // rejects a negative expectedSize
        this.lock = new ReentrantReadWriteLock(fair);
        this.readLock = lock.readLock();
        this.writeLock = lock.writeLock();
    }

    /**
     * Tells whether this map's lock is fair.
     *
     * @return {@code true} if the lock was created fair
     */
    public boolean isFair() {
        return lock.isFair();
    }

    /* ---------------- Locking ---------------- */

    /**
     * Takes the write lock for a mutating method, after refusing the calls that would corrupt or deadlock.
     * Callers run {@link FunctionGuard#checkNotInFunction} first.
     */
    private void lockForWrite(String operation) {
        if (writeLock.isHeldByCurrentThread()) {
            // A mapping function of ours, reached through another map's function, writes back to us.
            throw recursiveUpdate(operation, "holds its write lock (it is running one of its mapping functions)");
        }
        if (lock.getReadLockCount() > 0 && lock.getReadHoldCount() > 0) {
            // This thread holds the read lock (inside forEach's action): waiting for the write lock never ends.
            throw recursiveUpdate(operation, "holds its read lock (it is running forEach's action)");
        }
        writeLock.lock();
    }

    private IllegalStateException recursiveUpdate(String operation, String why) {
        return new IllegalStateException("Recursive update: " + operation + " was called on a LockedMap by a thread"
            + " that " + why + "; a mapping function or forEach action must not modify its map");
    }

    /**
     * A write made under the write lock: the map and up to three arguments are passed in, so that each call site is
     * a non-capturing lambda (one constant instance, no allocation per call).
     */
    @FunctionalInterface
    private interface Write<K, V, A, B, C, R> {
        R apply(LockedMap<K, V> map, A a, B b, C c);
    }

    /**
     * Runs {@code write} for a mutating method: refuses a call from inside one of this map's functions, takes the
     * write lock ({@link #lockForWrite}) and releases it in a {@code finally}, whatever {@code write} throws.
     */
    private <A, B, C, R> R write(String operation, A a, B b, C c, Write<K, V, A, B, C, R> write) {
        FunctionGuard.checkNotInFunction(this, operation);
        return underWriteLock(operation, a, b, c, write);
    }

    /** Runs {@code write} under the write lock ({@link #lockForWrite}), released in a {@code finally}. */
    private <A, B, C, R> R underWriteLock(String operation, A a, B b, C c, Write<K, V, A, B, C, R> write) {
        lockForWrite(operation);
        try {
            return write.apply(this, a, b, c);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    Object tableWrite(TableWrite write, Object key, Object a, Object b) {
        String operation = write.operation;
        FunctionGuard.checkNotInFunction(this, operation);
        lockForWrite(operation);
        try {
            Object result = write.applyTo(table, key, a, b);
            if (write.changedContent(result)) {
                changed();
            }
            return result;
        } finally {
            writeLock.unlock();
        }
    }

    /** Records a change; called under the write lock after the table was (possibly) modified. */
    private void changed() {
        revision++;
        if (cachedSnapshot != null) { // plain access: the write lock excludes every other access
            cachedSnapshot = null;
        }
    }

    @SuppressWarnings("unchecked")
    private HashMapSnapshot<K, V> cachedSnapshotAcquire() {
        return (HashMapSnapshot<K, V>) CACHED_SNAPSHOT.getAcquire(this);
    }

    /* ---------------- Reads ---------------- */

    /** A read of the table, made under the read lock; the arguments are passed in so each call site is constant. */
    @FunctionalInterface
    private interface TableRead<K, V, A, B, R> {
        R apply(HashOrderedTable<K, V> table, A a, B b);
    }

    /** Runs {@code read} on the table under the read lock, released in a {@code finally}. */
    private <A, B, R> R underReadLock(A a, B b, TableRead<K, V, A, B, R> read) {
        readLock.lock();
        try {
            return read.apply(table, a, b);
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Returns the value of {@code key}, or null. Takes the read lock; O(1) expected.
     *
     * @throws NullPointerException naming {@code "key"} if {@code key} is null
     */
    @Override
    public V get(Object key) {
        requireKey(key);
        return underReadLock(key, null, (t, a, unused) -> t.get(a));
    }

    /**
     * Returns the value of {@code key}, or {@code defaultValue} (which may be null). Takes the read lock.
     *
     * @throws NullPointerException naming {@code "key"} if {@code key} is null
     */
    @Override
    public V getOrDefault(Object key, V defaultValue) {
        requireKey(key);
        return underReadLock(key, defaultValue, (t, a, b) -> t.getOrDefault(a, b));
    }

    /**
     * Tells whether {@code key} is mapped. Takes the read lock; O(1) expected.
     *
     * @throws NullPointerException naming {@code "key"} if {@code key} is null
     */
    @Override
    public boolean containsKey(Object key) {
        requireKey(key);
        return underReadLock(key, null, (t, a, unused) -> t.containsKey(a));
    }

    /**
     * Tells whether some key maps to {@code value}. Takes the read lock for an O(n) scan: exact at one instant.
     *
     * @throws NullPointerException naming {@code "value"} if {@code value} is null
     */
    @Override
    public boolean containsValue(Object value) {
        requireValue(value, "value");
        return underReadLock(value, null, (t, a, unused) -> t.containsValue(a));
    }

    /** Returns the number of mappings, exact at one instant (taken under the read lock). */
    @Override
    public int size() {
        readLock.lock();
        try {
            return table.size();
        } finally {
            readLock.unlock();
        }
    }

    /** Tells whether the map is empty, exact at one instant (taken under the read lock). */
    @Override
    public boolean isEmpty() {
        return underReadLock(null, null, (t, unused, unused2) -> t.isEmpty());
    }

    /**
     * Runs {@code action} on every mapping while holding the read lock: the action sees the content of one instant,
     * and writers wait until it returns. The action may read this map; writing to it throws
     * {@link IllegalStateException}.
     *
     * @throws NullPointerException naming {@code "action"} if {@code action} is null
     */
    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        requireFunction(action, "action");
        readLock.lock();
        try {
            Object previous = FunctionGuard.enter(this);
            try {
                table.forEach(action);
            } finally {
                FunctionGuard.exit(previous);
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Returns an immutable copy of the whole content, taken under the read lock, and its
     * {@linkplain Snapshot#revision() revision}: this map's modification counter (see the class notes). The copy
     * is cached until the next write, so a snapshot of an unchanged map costs O(1); otherwise O(n).
     */
    @Override
    public Snapshot<K, V> snapshot() {
        readLock.lock();
        try {
            HashMapSnapshot<K, V> snapshot = cachedSnapshotAcquire();
            if (snapshot == null) {
                snapshot = HashMapSnapshot.copyOf(table, revision);
                CACHED_SNAPSHOT.setRelease(this, snapshot);
            }
            return snapshot;
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Copies at most {@code maxEntries} mappings under one hold of the read lock; see {@link ChunkedSource} for the
     * scan's guarantee. Each call costs O({@code maxEntries}) under the lock, whatever this map's size.
     */
    @Override
    public Chunk<K, V> copyChunk(Cursor cursor, int maxEntries) {
        return underReadLock(cursor, maxEntries, (t, a, b) -> t.scan(a, b));
    }

    /** Iterates {@link #snapshot()}: exact at one instant, never throws ConcurrentModificationException. */
    @Override
    Iterator<Map.Entry<K, V>> entryIterator() {
        return snapshot().entrySet().iterator();
    }

    /**
     * Compares with another map per {@link Map#equals}, using one {@linkplain #snapshot() snapshot} of this map.
     *
     * @param o the object to compare
     * @return {@code true} if {@code o} is a map with the same mappings as this map had at one instant
     */
    @Override
    public boolean equals(Object o) {
        // check the argument before locking: equals(non-map) must never wait on the lock
        return o == this || (o instanceof Map<?, ?> && snapshot().equals(o));
    }

    /** Returns the hash code per {@link Map#hashCode}, computed under the read lock (exact at one instant). */
    @Override
    public int hashCode() {
        return underReadLock(null, null, (t, unused, unused2) -> t.hashCode());
    }

    /* ---------------- Writes ---------------- */

    /**
     * Copies every mapping of {@code m} into this map atomically: the argument is copied first (without our lock,
     * so two maps {@code putAll}-ing each other cannot deadlock, and a null in it changes nothing), then all of it
     * is written under one write lock. Other threads see none or all of it.
     *
     * <p>If a key's {@code hashCode} or {@code equals} throws, or an {@link Error} is thrown, while the pairs are
     * written, the pairs before it (in {@code m}'s iteration order) stay written and the rest are not, as with
     * {@link HashMap#putAll} and {@link java.util.concurrent.ConcurrentHashMap#putAll}; no pair is half-written, and
     * snapshots and iteration show exactly that content.
     *
     * @throws NullPointerException naming {@code "m"}, {@code "key"} or {@code "value"}
     * @throws IllegalStateException if called from a mapping function or {@code forEach} action of this map
     */
    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        FunctionGuard.checkNotInFunction(this, "putAll");
        Object[] kv = EntryCopies.keysAndValues(m);
        if (kv.length == 0) {
            return;
        }
        lockForWrite("putAll");
        try {
            putAllUnderLock(kv);
        } finally {
            changed(); // also when a key threw midway: the pairs before it were written
            writeLock.unlock();
        }
    }

    @SuppressWarnings("unchecked") // kv holds the K and V instances copied from a Map<? extends K, ? extends V>
    private void putAllUnderLock(Object[] kv) {
        for (int i = 0; i < kv.length; i += 2) {
            table.put((K) kv[i], (V) kv[i + 1]);
        }
    }

    /**
     * Removes every mapping, under one write lock (atomic).
     *
     * @throws IllegalStateException if called from a mapping function or {@code forEach} action of this map
     */
    @Override
    public void clear() {
        FunctionGuard.checkNotInFunction(this, "clear");
        lockForWrite("clear");
        try {
            if (!table.isEmpty()) {
                table.clear();
                changed();
            }
        } finally {
            writeLock.unlock();
        }
    }

    /* ---------------- Atomic functions ---------------- */

    /**
     * Returns {@code key}'s value, computing and storing it first if absent. A hit is served under the read lock;
     * a miss takes the write lock, looks again, and runs {@code mappingFunction} at most once, under the write
     * lock. A null result stores nothing.
     *
     * @throws NullPointerException naming {@code "key"} or {@code "mappingFunction"}
     * @throws IllegalStateException if called from a mapping function or {@code forEach} action of this map, or if
     *     {@code mappingFunction} modifies this map
     */
    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        checkCompute("computeIfAbsent", key, mappingFunction, "mappingFunction");
        readLock.lock();
        V existing;
        try {
            existing = table.get(key);
        } finally {
            readLock.unlock();
        }
        if (existing != null) {
            return existing;
        }
        // The thread was checked above, before the read lock.
        return underWriteLock("computeIfAbsent", key, mappingFunction, null, (m, k, f, unused) -> {
            int sizeBefore = m.table.size();
            V value = FunctionGuard.call(m, m.table, k, f, (t, a, b) -> t.computeIfAbsent(a, b));
            if (m.table.size() != sizeBefore) {
                m.changed();
            }
            return value;
        });
    }

    /**
     * Recomputes {@code key}'s value if it is mapped, under the write lock; {@code remappingFunction} runs at most
     * once. A null result removes the mapping.
     *
     * @throws NullPointerException naming {@code "key"} or {@code "remappingFunction"}
     * @throws IllegalStateException if called from a mapping function or {@code forEach} action of this map, or if
     *     {@code remappingFunction} modifies this map
     */
    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        requireKey(key);
        requireFunction(remappingFunction, "remappingFunction");
        return write("computeIfPresent", key, remappingFunction, null, (m, k, f, unused) -> {
            if (!m.table.containsKey(k)) {
                return null;
            }
            V value = FunctionGuard.call(m, m.table, k, f, (t, a, b) -> t.computeIfPresent(a, b));
            m.changed();
            return value;
        });
    }

    /**
     * Computes {@code key}'s new value from its current one (or null), under the write lock;
     * {@code remappingFunction} runs exactly once. A null result removes the mapping.
     *
     * @throws NullPointerException naming {@code "key"} or {@code "remappingFunction"}
     * @throws IllegalStateException if called from a mapping function or {@code forEach} action of this map, or if
     *     {@code remappingFunction} modifies this map
     */
    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        requireKey(key);
        requireFunction(remappingFunction, "remappingFunction");
        return write("compute", key, remappingFunction, null, (m, k, f, unused) -> {
            V value = FunctionGuard.call(m, m.table, k, f, (t, a, b) -> t.compute(a, b));
            m.changed();
            return value;
        });
    }

    /**
     * Stores {@code value} if {@code key} is absent, otherwise the result of {@code remappingFunction(old, value)}
     * (removing the mapping if it is null), under the write lock; the function runs at most once, and only when
     * {@code key} was mapped.
     *
     * @throws NullPointerException naming {@code "key"}, {@code "value"} or {@code "remappingFunction"}
     * @throws IllegalStateException if called from a mapping function or {@code forEach} action of this map, or if
     *     {@code remappingFunction} modifies this map
     */
    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        requireKey(key);
        requireValue(value, "value");
        requireFunction(remappingFunction, "remappingFunction");
        return write("merge", key, value, remappingFunction, (m, k, v, f) -> {
            V result;
            Object previous = FunctionGuard.enter(m);
            try {
                result = m.table.merge(k, v, f);
            } finally {
                FunctionGuard.exit(previous);
            }
            m.changed();
            return result;
        });
    }

    /**
     * Replaces every value with {@code function(key, value)}, all under one write lock: other threads see no
     * value or every value replaced. The function runs once per mapping. If it throws or returns null (a
     * {@link NullPointerException}), the values already replaced stay replaced, as with {@link HashMap}.
     *
     * @throws NullPointerException naming {@code "function"}, or if the function returns null
     * @throws IllegalStateException if called from a mapping function or {@code forEach} action of this map, or if
     *     {@code function} modifies this map
     */
    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        requireFunction(function, "function");
        FunctionGuard.checkNotInFunction(this, "replaceAll");
        lockForWrite("replaceAll");
        try {
            Object previous = FunctionGuard.enter(this);
            try {
                table.replaceAll((k, v) -> Objects.requireNonNull(function.apply(k, v),
                    "replaceAll's function returned null"));
            } finally {
                FunctionGuard.exit(previous);
                changed();
            }
        } finally {
            writeLock.unlock();
        }
    }

    /* ---------------- Serialization ---------------- */

    /**
     * Serializes this map as a {@link SerializedMap}: the lock's fairness and a snapshot's mappings.
     *
     * @return the serialized form
     */
    @Serial
    private Object writeReplace() {
        return new SerializedMap(SerializedMap.Kind.LOCKED, new long[] {isFair() ? 1 : 0}, null,
            EntryCopies.keysAndValues(snapshot()));
    }
}
