package dev.syncmap;

import dev.syncmap.internal.EntryCopies;
import dev.syncmap.internal.FaultHooks;
import dev.syncmap.internal.FunctionGuard;
import dev.syncmap.internal.HashMapSnapshot;
import dev.syncmap.internal.Locked;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A concurrent map whose whole content is an immutable table, replaced atomically by every write — the
 * Java counterpart of Go's {@code atomic.Value} holding a map. Readers load the current table once and never lock
 * or write shared memory; writers take a lock, copy the table, change the copy and publish it.
 * {@link #reload(Map)} replaces the whole content in one step, so a reader sees all of the old content or all of
 * the new, never a mix (the torn configuration reload that etcd once had to fix).
 *
 * <p>Best for small, rarely written maps read on hot paths: configuration, feature flags, routing tables.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Thread-safety:</b> every method may be called from any thread. Reads are wait-free (one acquire load
 *       and a lookup in an immutable {@link HashMap}); writes serialize on one lock.</li>
 *   <li><b>Nulls:</b> null keys and values are rejected with a {@link NullPointerException} naming the argument.
 *       </li>
 *   <li><b>Linearizable:</b> every single-key operation, {@code size}, {@code isEmpty}, {@code clear},
 *       {@code putAll}, {@code replaceAll}, {@code reload} and {@link #snapshot()}: each reads, or publishes, one
 *       table. A multi-key write is one publish: readers see none or all of it.</li>
 *   <li><b>Mapping functions</b> of {@code compute}, {@code computeIfAbsent}, {@code computeIfPresent},
 *       {@code merge} and {@code replaceAll} run at most once per call (per key for {@code replaceAll}) under the
 *       write lock. A function may read this map (it sees the content before the call) but must not modify it:
 *       that throws {@link IllegalStateException}.</li>
 *   <li><b>Iteration</b> (views, {@code forEach}, {@code equals}, {@code hashCode}, {@code toString},
 *       {@code containsValue}) is over the table current when the iterator is created: an exact point-in-time
 *       picture, unaffected by later writes, never throwing {@link java.util.ConcurrentModificationException}.
 *       Removal through a view's iterator writes through to the map (not to the picture being iterated).</li>
 *   <li><b>{@code size()}</b> is exact and O(1).</li>
 *   <li><b>Cost:</b> a read is O(1) expected. A write that changes the content copies the table: O(n) time and
 *       O(n) garbage, whatever the number of keys it changes. A write that changes nothing ({@code remove} of an
 *       absent key, {@code putIfAbsent} of a present one, a failed {@code replace}) answers from the current table
 *       without the lock and without copying.</li>
 *   <li><b>Keys with equal hash codes</b> share one {@link HashMap} bucket: {@link Comparable} keys form a
 *       balanced tree (O(log n) per lookup, O(n log n) per write's copy), other keys are found by scanning the
 *       bucket with {@code equals} (O(n) per lookup, O(n²) per write's copy). Nothing breaks; only speed suffers.
 *       </li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * <b>Invariant:</b> {@code table} always points to a snapshot whose {@code HashMap} is never modified after
 * the table was published; each publish stores a table whose {@code revision} is one more than its predecessor's.
 * Every write runs read-copy-publish entirely under {@code lock}, so no write is based on a stale table and none is
 * lost; a mapping function runs once because it runs inside that critical section.
 *
 * <p><b>Memory ordering:</b> a writer builds the new {@code HashMap} completely and then stores the table with
 * {@code setRelease}; a reader loads it with {@code getAcquire}, so everything the writer did before the store is
 * visible to it. Readers make no decision from any other shared variable, so volatile's stronger (store-load)
 * ordering would buy nothing. Writers read the table under the lock, whose release/acquire orders them.
 *
 * <p><b>Linearization points:</b> a write that changes the content, at its {@code setRelease}; any other
 * operation, at its single {@code getAcquire} of the table (under the lock or not). {@code reload} builds and
 * validates its table before taking the lock, so a rejected reload publishes nothing.
 *
 * <p><b>When user code throws.</b> The keys' {@code hashCode}/{@code equals} (while the next table is copied and
 * changed), the values' {@code equals} (conditional writes) and the mapping functions all run before the single
 * {@code setRelease} that publishes a write, on a private copy, under a lock released in a {@code finally}. So a
 * write that throws, an {@link OutOfMemoryError} while the copy is built (the {@code COPY_BUILD} fault site)
 * included, publishes nothing: the map is exactly as it was. That holds for the bulk writes too: {@code putAll},
 * {@code replaceAll} and {@code reload} are all-or-nothing.
 *
 * <p><b>Traded away:</b> write throughput (O(n) per write, writers serialized) and allocation, for reads that
 * cost the same as an unshared {@code HashMap}'s, free O(1) snapshots and point-in-time iteration.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class CopyOnWriteMap<K, V> extends AbstractConcurrentMap<K, V>
    implements ConcurrentMap<K, V>, Snapshottable<K, V>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private static final VarHandle TABLE =
        VarHandles.field(MethodHandles.lookup(), CopyOnWriteMap.class, "table", HashMapSnapshot.class);

    /** Serializes writers. */
    private final transient ReentrantLock lock = new ReentrantLock();

    /** The current immutable table; accessed through {@link #tableAcquire()} / {@link #setTableRelease}. */
    private transient HashMapSnapshot<K, V> table;

    /** Creates an empty map (revision 0). */
    public CopyOnWriteMap() {
        setTableRelease(HashMapSnapshot.of(new HashMap<>(), 0));
    }

    /**
     * Creates a map holding a copy of {@code content} (revision 0).
     *
     * @param content the initial mappings
     * @throws NullPointerException if {@code content}, or any key or value in it, is null
     */
    public CopyOnWriteMap(Map<? extends K, ? extends V> content) {
        setTableRelease(HashMapSnapshot.of(validatedCopy(content), 0));
    }

    @SuppressWarnings("unchecked")
    private HashMapSnapshot<K, V> tableAcquire() {
        return (HashMapSnapshot<K, V>) TABLE.getAcquire(this);
    }

    private void setTableRelease(HashMapSnapshot<K, V> t) {
        TABLE.setRelease(this, t);
    }

    /** Under the lock: publishes {@code next} as the content, one revision after the current table. */
    private void publishLocked(HashMap<K, V> next) {
        setTableRelease(HashMapSnapshot.of(next, tableAcquire().revision() + 1));
    }

    /**
     * Starts the next table: a private copy of {@code map}, built aside (it runs the keys' {@code hashCode}, and may
     * run out of memory), so nothing shared has changed if it throws. The {@code COPY_BUILD} fault site.
     */
    private static <K, V> HashMap<K, V> copyForWrite(HashMap<K, V> map) {
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.COPY_BUILD);
        }
        return new HashMap<>(map);
    }

    /** Copies {@code content} into a fresh table map, checking every key and value. */
    private static <K, V> HashMap<K, V> validatedCopy(Map<? extends K, ? extends V> content) {
        Objects.requireNonNull(content, "content");
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.COPY_BUILD);
        }
        HashMap<K, V> copy = new HashMap<>(Math.max(16, (int) (content.size() / 0.75f) + 1));
        for (Map.Entry<? extends K, ? extends V> e : content.entrySet()) {
            K k = e.getKey();
            V v = e.getValue();
            if (k == null) {
                throw new NullPointerException("content contains a null key");
            }
            if (v == null) {
                throw new NullPointerException("content contains a null value, for key " + k);
            }
            copy.put(k, v);
        }
        return copy;
    }

    /* ---------------- Snapshots and whole-content operations ---------------- */

    /**
     * Returns the current content as an immutable {@link Snapshot}. O(1): the current table is shared, not
     * copied. Linearizable. Its {@link Snapshot#revision()} counts the publishes that led to it: 0 for a new map,
     * plus one per write that changed the content (a {@code putAll}, {@code replaceAll}, {@code clear} or
     * {@code reload} counts once).
     *
     * @return the snapshot, never null
     */
    @Override
    public Snapshot<K, V> snapshot() {
        return tableAcquire();
    }

    /**
     * Replaces the whole content by a copy of {@code content}, in one atomic step: every reader sees either all
     * of the old content or all of the new. Every key and value is checked before anything is published, so a
     * null leaves the map unchanged. The copy is built before the write lock is taken; publishing is O(1).
     * Counts as one revision.
     *
     * @param content the new mappings, read once by iterating its entry set
     * @throws NullPointerException if {@code content}, or any key or value in it, is null; the message says
     *     which
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    public void reload(Map<? extends K, ? extends V> content) {
        FunctionGuard.checkNotInFunction(this, "reload");
        HashMap<K, V> next = validatedCopy(content);
        lock.lock();
        try {
            publishLocked(next);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds every mapping of {@code map}, as one atomic publish (one revision). Every key and value is checked
     * first: a null leaves this map unchanged. O(n + m).
     *
     * @throws NullPointerException if {@code map}, or any key or value in it, is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public void putAll(Map<? extends K, ? extends V> map) {
        FunctionGuard.checkNotInFunction(this, "putAll");
        requireValue(map, "map");
        HashMap<K, V> additions = new HashMap<>();
        for (Map.Entry<? extends K, ? extends V> e : map.entrySet()) {
            additions.put(requireValue(e.getKey(), "key in map"), requireValue(e.getValue(), "value in map"));
        }
        if (additions.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            HashMap<K, V> next = copyForWrite(tableAcquire().content());
            next.putAll(additions);
            publishLocked(next);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replaces every value with {@code function(key, value)}, as one atomic publish (one revision): readers see
     * no new value until all are computed. The function runs once per key. If it throws, or returns null (an
     * {@link NullPointerException}), nothing is published: the map is unchanged. O(n).
     *
     * @throws NullPointerException if {@code function} is null or returns null
     * @throws IllegalStateException if called from, or if the function modifies, this map from a mapping function
     */
    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        FunctionGuard.checkNotInFunction(this, "replaceAll");
        requireFunction(function, "function");
        locked(function, null, null, (m, f, unused, unused2) -> {
            HashMap<K, V> content = m.tableAcquire().content();
            if (!content.isEmpty()) {
                m.publishLocked(m.replacedCopy(content, f));
            }
            return null;
        });
    }

    /** A copy of {@code content} with every value replaced; under the lock, run as this map's function. */
    private HashMap<K, V> replacedCopy(HashMap<K, V> content, BiFunction<? super K, ? super V, ? extends V> function) {
        HashMap<K, V> next = copyForWrite(content);
        Object prev = FunctionGuard.enter(this);
        try {
            for (Map.Entry<K, V> e : next.entrySet()) {
                V value = function.apply(e.getKey(), e.getValue());
                if (value == null) {
                    throw new NullPointerException("function returned null for key " + e.getKey());
                }
                e.setValue(value); // not a structural change: the unpublished copy's iteration is unaffected
            }
        } finally {
            FunctionGuard.exit(prev);
        }
        return next;
    }

    /**
     * Removes every mapping, as one atomic publish (nothing is published if the map is already empty). O(1).
     *
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public void clear() {
        FunctionGuard.checkNotInFunction(this, "clear");
        lock.lock();
        try {
            if (!tableAcquire().content().isEmpty()) {
                publishLocked(new HashMap<>());
            }
        } finally {
            lock.unlock();
        }
    }

    /* ---------------- Queries (lock-free, one table each) ---------------- */

    /**
     * Returns the value of {@code key} in the current table. Wait-free, O(1) expected. Linearizable.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public V get(Object key) {
        return tableAcquire().content().get(requireKey(key));
    }

    /**
     * Tells whether the current table holds {@code key}. Wait-free, O(1) expected. Linearizable.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public boolean containsKey(Object key) {
        return tableAcquire().content().containsKey(requireKey(key));
    }

    /**
     * Tells whether some key maps to {@code value} in the current table. O(n), point-in-time.
     *
     * @throws NullPointerException if {@code value} is null
     */
    @Override
    public boolean containsValue(Object value) {
        return tableAcquire().content().containsValue(requireValue(value, "value"));
    }

    /** Returns the exact number of mappings in the current table. O(1), wait-free, linearizable. */
    @Override
    public int size() {
        return tableAcquire().content().size();
    }

    /** Tells whether the current table is empty. O(1), wait-free, linearizable. */
    @Override
    public boolean isEmpty() {
        return tableAcquire().content().isEmpty();
    }

    /**
     * Calls {@code action} for every mapping of the current table: a point-in-time pass, unaffected by
     * concurrent writes. The action may modify this map; it keeps seeing the table it started with.
     *
     * @throws NullPointerException if {@code action} is null
     */
    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        requireFunction(action, "action");
        tableAcquire().content().forEach(action);
    }

    /** Iterates over the table current at this call: an exact point-in-time picture. */
    @Override
    Iterator<Map.Entry<K, V>> entryIterator() {
        Iterator<Map.Entry<K, V>> it = tableAcquire().content().entrySet().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Map.Entry<K, V> next() {
                Map.Entry<K, V> e = it.next();
                return Map.entry(e.getKey(), e.getValue());
            }
        };
    }

    /** Compares the current table with {@code o} per {@link Map#equals}: one point-in-time picture. O(n). */
    @Override
    public boolean equals(Object o) {
        return o == this || tableAcquire().content().equals(o);
    }

    /** Returns the hash code of the current table per {@link Map#hashCode}. O(n). */
    @Override
    public int hashCode() {
        return tableAcquire().content().hashCode();
    }

    /** Returns the current table's content as {@code {k1=v1, k2=v2}}. O(n). */
    @Override
    public String toString() {
        return tableAcquire().content().toString();
    }

    /* ---------------- Single-key writes ---------------- */

    /**
     * Maps {@code key} to {@code value}: copies and republishes the table under the lock. O(n). Linearizable.
     *
     * @return the previous value, or null if the key was absent
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V put(K key, V value) {
        checkWrite("put", key, value);
        return locked(key, value, null, (m, k, v, unused) -> {
            HashMap<K, V> next = copyForWrite(m.tableAcquire().content());
            V previous = next.put(k, v);
            m.publishLocked(next);
            return previous;
        });
    }

    /**
     * Maps {@code key} to {@code value} if absent. A present key is answered from the current table without the
     * lock; otherwise O(n). Linearizable.
     *
     * @return the current value if present (nothing changed), or null if {@code value} was inserted
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V putIfAbsent(K key, V value) {
        checkWrite("putIfAbsent", key, value);
        V current = tableAcquire().content().get(key);
        if (current != null) {
            return current;
        }
        return locked(key, value, null, (m, k, v, unused) -> {
            HashMapSnapshot<K, V> t = m.tableAcquire();
            V now = t.content().get(k);
            if (now == null) {
                m.publishLocked(with(t.content(), k, v));
            }
            return now;
        });
    }

    /**
     * Removes {@code key}. An absent key is answered without the lock; otherwise O(n). Linearizable.
     *
     * @return the previous value, or null if the key was absent
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V remove(Object key) {
        checkWrite("remove", key);
        if (!tableAcquire().content().containsKey(key)) {
            return null;
        }
        return locked(key, null, null, (m, k, unused, unused2) -> {
            HashMapSnapshot<K, V> t = m.tableAcquire();
            V previous = t.content().get(k);
            if (previous != null) {
                HashMap<K, V> next = copyForWrite(t.content());
                next.remove(k);
                m.publishLocked(next);
            }
            return previous;
        });
    }

    /**
     * Removes {@code key} if its value {@code equals} {@code value}. A mismatch is answered without the lock;
     * otherwise O(n). Linearizable.
     *
     * @return whether the key was removed
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public boolean remove(Object key, Object value) {
        checkWrite("remove", key, value);
        V current = tableAcquire().content().get(key);
        if (current == null || !value.equals(current)) {
            return false;
        }
        return locked(key, value, null, (m, k, v, unused) -> {
            HashMapSnapshot<K, V> t = m.tableAcquire();
            V now = t.content().get(k);
            if (now == null || !v.equals(now)) {
                return false;
            }
            HashMap<K, V> next = copyForWrite(t.content());
            next.remove(k);
            m.publishLocked(next);
            return true;
        });
    }

    /**
     * Replaces the value of {@code key} if present. An absent key is answered without the lock; otherwise O(n).
     * Linearizable.
     *
     * @return the previous value, or null if the key was absent (nothing changed)
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V replace(K key, V value) {
        checkWrite("replace", key, value);
        if (!tableAcquire().content().containsKey(key)) {
            return null;
        }
        return locked(key, value, null, (m, k, v, unused) -> {
            HashMapSnapshot<K, V> t = m.tableAcquire();
            V previous = t.content().get(k);
            if (previous != null) {
                m.publishLocked(with(t.content(), k, v));
            }
            return previous;
        });
    }

    /**
     * Replaces the value of {@code key} with {@code newValue} if it {@code equals} {@code oldValue}. A mismatch
     * is answered without the lock; otherwise O(n). Linearizable.
     *
     * @return whether the value was replaced
     * @throws NullPointerException if any argument is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        checkReplace("replace", key, oldValue, newValue);
        V current = tableAcquire().content().get(key);
        if (current == null || !oldValue.equals(current)) {
            return false;
        }
        return locked(key, oldValue, newValue, (m, k, o, n) -> {
            HashMapSnapshot<K, V> t = m.tableAcquire();
            V now = t.content().get(k);
            if (now == null || !o.equals(now)) {
                return false;
            }
            m.publishLocked(with(t.content(), k, n));
            return true;
        });
    }

    /** Runs {@code body} under the write lock ({@link Locked#run}), released in a {@code finally}. */
    private <A, B, C, R> R locked(A a, B b, C c, Locked.Write<CopyOnWriteMap<K, V>, A, B, C, R> body) {
        return Locked.run(lock, this, a, b, c, body);
    }

    private static <K, V> HashMap<K, V> with(HashMap<K, V> map, K key, V value) {
        HashMap<K, V> next = copyForWrite(map);
        next.put(key, value);
        return next;
    }

    /* ---------------- Compute family (under the write lock) ---------------- */

    /**
     * If {@code key} is absent, computes its value with {@code mappingFunction} (once, under the write lock) and
     * inserts it unless null. A present key is answered without the lock. Atomic for the key; O(n) when it
     * inserts.
     *
     * @return the present or inserted value, or null if the function returned null
     * @throws NullPointerException if {@code key} or {@code mappingFunction} is null
     * @throws IllegalStateException if called from, or if the function modifies, this map from a mapping function
     */
    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        checkCompute("computeIfAbsent", key, mappingFunction, "mappingFunction");
        V current = tableAcquire().content().get(key);
        if (current != null) {
            return current;
        }
        return locked(key, mappingFunction, null, (m, k, f, unused) -> {
            HashMapSnapshot<K, V> t = m.tableAcquire();
            V now = t.content().get(k);
            if (now != null) {
                return now;
            }
            V value = FunctionGuard.call(m, f, k, null, (g, a, b) -> g.apply(a));
            if (value != null) {
                m.publishLocked(with(t.content(), k, value));
            }
            return value;
        });
    }

    /**
     * If {@code key} is present, replaces its value with {@code remappingFunction(key, value)} (run once, under
     * the write lock), or removes the key if that is null. An absent key is answered without the lock. Atomic
     * for the key; O(n) when it changes something.
     *
     * @return the new value, or null if the key is now absent
     * @throws NullPointerException if {@code key} or {@code remappingFunction} is null
     * @throws IllegalStateException if called from, or if the function modifies, this map from a mapping function
     */
    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        checkCompute("computeIfPresent", key, remappingFunction, "remappingFunction");
        if (!tableAcquire().content().containsKey(key)) {
            return null;
        }
        return locked(key, remappingFunction, null, (m, k, f, unused) -> {
            V old = m.tableAcquire().content().get(k);
            return old == null ? null : m.remapLocked(k, old, f);
        });
    }

    /**
     * Computes a new value for {@code key} from its current value (null if absent), running the function once
     * under the write lock, and stores it, or removes the key if the result is null. Atomic for the key; O(n)
     * when it changes something.
     *
     * @return the new value, or null if the key is now absent
     * @throws NullPointerException if {@code key} or {@code remappingFunction} is null
     * @throws IllegalStateException if called from, or if the function modifies, this map from a mapping function
     */
    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        checkCompute("compute", key, remappingFunction, "remappingFunction");
        return locked(key, remappingFunction, null,
            (m, k, f, unused) -> m.remapLocked(k, m.tableAcquire().content().get(k), f));
    }

    /**
     * Inserts {@code value} if {@code key} is absent; otherwise replaces its value with
     * {@code remappingFunction(current, value)} (run once, under the write lock), or removes the key if that is
     * null. Atomic for the key; O(n).
     *
     * @return the new value, or null if the key is now absent
     * @throws NullPointerException if {@code key}, {@code value} or {@code remappingFunction} is null
     * @throws IllegalStateException if called from, or if the function modifies, this map from a mapping function
     */
    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        checkWrite("merge", key, value);
        requireFunction(remappingFunction, "remappingFunction");
        return locked(key, value, remappingFunction, (m, k, v, f) -> {
            HashMap<K, V> current = m.tableAcquire().content();
            V old = current.get(k);
            if (old == null) {
                m.publishLocked(with(current, k, v));
                return v;
            }
            return m.remapLocked(k, old, (kk, o) -> f.apply(o, v));
        });
    }

    /** Under the lock: runs {@code function(key, old)} once and publishes its effect, if any. */
    private V remapLocked(K key, V old, BiFunction<? super K, ? super V, ? extends V> function) {
        V value = FunctionGuard.call(this, function, key, old, (f, a, b) -> f.apply(a, b));
        HashMap<K, V> current = tableAcquire().content();
        if (value != null) {
            publishLocked(with(current, key, value));
        } else if (old != null) {
            HashMap<K, V> next = copyForWrite(current);
            next.remove(key);
            publishLocked(next);
        }
        return value;
    }

    /* ---------------- Serialization ---------------- */

    /**
     * Serializes this map as a {@link SerializedMap}: one table, an exact point-in-time copy. The revision restarts
     * at 0 on reading.
     *
     * @return the serialized form
     */
    @Serial
    private Object writeReplace() {
        return new SerializedMap(SerializedMap.Kind.COPY_ON_WRITE, new long[0], null,
            EntryCopies.keysAndValues(tableAcquire().content()));
    }
}
