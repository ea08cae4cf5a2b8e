package dev.syncmap;

import dev.syncmap.internal.EntryCopies;
import dev.syncmap.internal.FaultHooks;
import dev.syncmap.internal.FunctionGuard;
import dev.syncmap.internal.Locked;
import dev.syncmap.internal.VarHandles;
import java.io.Serial;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A concurrent map built like Go's {@code sync.Map} (the design used up to Go 1.23): lookups of keys that have
 * settled in an immutable <em>read map</em> take no lock and write nothing shared, and so do value updates of
 * keys already present there. New keys go into a <em>dirty map</em> under a lock until enough lookups have missed
 * the read map to pay for promoting the dirty map to be the new read map.
 *
 * <p>Best for what {@code sync.Map} is for: a key set that is stable or only grows (caches, registries), read far
 * more often than written, or written by threads that each update their own disjoint keys. Workloads that keep
 * inserting and deleting different keys pay for copying the read map into a fresh dirty map after every promotion.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Thread-safety:</b> every method may be called from any thread. {@code get}, {@code containsKey},
 *       {@code put}, {@code replace} and {@code putIfAbsent}/{@code computeIfAbsent} of a present key, on a key in
 *       the read map, are lock-free; everything else takes one lock.</li>
 *   <li><b>Nulls:</b> null keys and values are rejected with a {@link NullPointerException} naming the argument
 *       ({@code "key"}, {@code "value"}, {@code "oldValue"}, {@code "mappingFunction"}, ...).</li>
 *   <li><b>Linearizable:</b> {@code get}, {@code containsKey}, {@code put}, {@code remove}, {@code putIfAbsent},
 *       both {@code replace}s, {@code remove(key, value)}, {@code compute}, {@code computeIfAbsent},
 *       {@code computeIfPresent}, {@code merge}, {@code size}, {@code isEmpty} and {@code clear}.</li>
 *   <li><b>Mapping functions</b> of {@code compute}, {@code computeIfAbsent}, {@code computeIfPresent},
 *       {@code merge} and {@code replaceAll} run at most once per call (per key for {@code replaceAll}), under the
 *       map's lock, atomically for their key even against the lock-free writers. A function may read this map but
 *       must not modify it: that throws {@link IllegalStateException}. Keep functions short: while one runs,
 *       every operation that needs the lock waits.</li>
 *   <li><b>{@link #size()}</b> is exact, linearizable and O(1), read under the lock (see the differences from Go
 *       below for what that costs).</li>
 *   <li><b>Iteration</b> (views, {@code forEach}, {@code equals}, {@code hashCode}, {@code toString},
 *       {@code containsValue}) never throws {@link java.util.ConcurrentModificationException}. Like Go's
 *       {@code Range}, creating an iterator first promotes the dirty map if there is one (O(1) under the lock) and
 *       then walks that read map, which holds every key present at that instant, without a lock. Exactly:
 *       each key is shown at most once; a key shown is shown with its value at the moment the iterator reaches it;
 *       a key present from the iterator's creation until it is reached is shown; a key absent from creation until
 *       it is reached is not shown; a key inserted after creation is not shown unless it reuses an entry the
 *       snapshot already holds (it was removed and re-inserted); keys not modified during the iteration appear
 *       exactly as they were at its start. It is not a point-in-time snapshot of the whole map.</li>
 *   <li><b>Bulk operations:</b> {@code putAll} checks every key and value first (a null leaves the map
 *       unchanged) and then puts them one at a time; {@code replaceAll} holds the lock throughout but is
 *       atomic per key only; {@code clear} is atomic.</li>
 *   <li><b>Keys with equal hash codes</b> live in {@link HashMap} buckets: {@link Comparable} keys in a balanced
 *       tree (O(log n) per lookup), others in a bucket scanned with {@code equals} (O(n) per lookup, so O(n²)
 *       to rebuild the dirty map). Nothing breaks; only speed suffers.</li>
 * </ul>
 *
 * <h2>Where it differs from Go's sync.Map, and why</h2>
 * <ol>
 *   <li><b>Every change of a key's presence takes the lock.</b> Go deletes a read-map key, and stores into a
 *       deleted entry, with a lock-free compare-and-swap. Here those two transitions take the lock (still no copy
 *       of anything: a delete only nulls the shared entry), so that a count of present keys kept under the lock
 *       is always exact and {@code size()} is O(1) and linearizable. Go has no {@code Len}; counting with
 *       {@code Range} is O(n) and not atomic. Loads, and stores to keys present in the read map, stay
 *       lock-free — the path {@code sync.Map} exists for.</li>
 *   <li><b>Atomic compute.</b> Go has no compute; Java requires one that is atomic and runs its function at most
 *       once. A compute takes the lock and parks a private <em>computing marker</em> holding the old value in the
 *       entry, so lock-free writers cannot slip in while the function runs (see implementation notes).</li>
 *   <li><b>Conditional operations compare with {@code equals}</b> ({@code replace(k, old, new)},
 *       {@code remove(k, v)}), where Go's {@code CompareAndSwap} compares interface values with {@code ==}.</li>
 *   <li><b>No promotion inside a mapping function.</b> A function reading this map may take the (reentrant)
 *       lock; promoting then would pull the structure from under the compute that is running, so it waits for
 *       the next miss.</li>
 *   <li><b>Removing a key absent from the read map</b> drops it from the dirty map, as Go does; a removal
 *       counts a miss, as Go's {@code LoadAndDelete} does; {@code put} of a new key does not, as Go's
 *       {@code Store} does not.</li>
 * </ol>
 *
 * <h2>Implementation notes</h2>
 * <b>Structure.</b> {@code readOnly} is an immutable pair (a {@link HashMap} of key to {@code Entry}, never
 * modified after it is published; and {@code amended}: the dirty map holds keys the read map lacks). {@code dirty}
 * (guarded by {@code lock}) is null unless amended, and then holds every live key. Both maps hold the <em>same</em>
 * {@code Entry} objects, so a value updated in an entry is seen through either. An entry's {@code value} is:
 * a value (present); {@code null} (deleted: the key is absent but the entry may be revived); {@code EXPUNGED}
 * (deleted and absent from {@code dirty}: only in the read map, until the next promotion forgets it); or a
 * {@code Computing} marker (present, being computed by the lock holder).
 *
 * <p><b>Invariants</b> (I1–I4 hold whenever the lock is free):
 * <ol>
 *   <li>{@code dirty != null} iff the published read map is amended; then every entry of the read map that is
 *       not expunged is also in {@code dirty}, under the same key.</li>
 *   <li>An expunged entry is never in {@code dirty} and never leaves the expunged state except under the lock,
 *       when it is put back into {@code dirty} ({@code insertLocked}). Only {@code amendLocked} expunges.</li>
 *   <li>{@code count} is the number of live entries holding a value (or a computing marker for a present key).</li>
 *   <li>No entry holds a computing marker: a marker exists only while the compute that parked it holds the
 *       lock.</li>
 * </ol>
 * A key's state is therefore carried by exactly one reachable entry; a non-expunged entry of any read map ever
 * published stays that key's entry until the next {@link #clear()} (an entry leaves the structure only by being
 * expunged and then left out of a promotion, or by {@code clear}).
 *
 * <p><b>Who may change an entry, and how.</b> Without the lock: only a CAS from one value to another value
 * ({@code put}, {@code replace}). With the lock: every other transition (value ↔ null, null → expunged,
 * expunged → value, value → marker → value/null). A lock-free writer that reads {@code null}, {@code EXPUNGED} or
 * a marker falls back to the locked path, which waits for any compute in progress. So under the lock, an entry's
 * presence cannot change behind the lock holder's back; only its value can, from value to value.
 *
 * <p><b>Memory ordering.</b> {@code readOnly} is written with {@code setRelease} (under the lock) and read with
 * {@code getAcquire}: the read map is fully built before the release, so a reader that acquires the pointer sees
 * the whole {@code HashMap}. That is all a reader needs: no lock-free path decides anything from the order of
 * two different variables (every cross-variable decision — is the key in the dirty map? is the entry still
 * reachable? — is re-made under the lock), so volatile's extra store-load fence would buy nothing. An entry's
 * value is read with {@code getAcquire} (so a value object published by another thread is seen fully built) and
 * written with {@code compareAndSet} or, by the lock holder when no lock-free writer can interfere (it reads a
 * state they never overwrite), {@code setRelease}.
 *
 * <p><b>Linearizability.</b> A lock-free {@code get} takes effect when it reads the entry's value. If it reached
 * the entry through a read map that has since been replaced, the entry is still the key's entry (I2, above) unless
 * it reads {@code EXPUNGED} — then the key was absent from the deletion that preceded the expunge until the
 * reinsertion that followed the replacement, an interval that overlaps the {@code get} — or a {@code clear} came
 * in between, in which case every lock-free operation still working on the old entries started before the clear
 * took effect and is ordered before it, in the order of its accesses to the entry. A lock-free write takes effect
 * at its successful CAS. A locked operation takes effect at its single write to the entry (or, if it changes
 * nothing, at its read under the lock); a key missing from the read map is only ever written under the lock.
 * {@code size} reads {@code count} under the lock, and every change of presence happens together with its update
 * of {@code count} inside one critical section, so {@code size} is ordered after every presence change whose
 * critical section ended before it locked and before every other.
 *
 * <p><b>Compute, at most once.</b> The compute family runs with the lock held. On a present key it first CASes
 * the entry from its value {@code v} to a fresh marker {@code Computing(v)}, retrying only that CAS if a lock-free
 * writer changed the value meanwhile (the function has not run yet). From then on lock-free writers see the marker
 * and go to the lock, and lock-free readers see the marker and return {@code v}: the compute has not taken effect.
 * It takes effect at the single {@code setRelease} of the function's result (or of {@code null}); if the function
 * throws, the old value is restored and nothing happened. A writer that read {@code v} just before the marker was
 * parked fails its CAS (a marker is a fresh object); if the result is {@code v} itself, its CAS may succeed after
 * the compute, which is correct since it then orders after the compute and saw its result. On an absent key no
 * marker is needed: every path that could make the key present takes the lock the compute holds.
 *
 * <p><b>When user code throws.</b> User code — the keys' {@code hashCode}/{@code equals} (in the read and dirty
 * {@code HashMap}s), the values' {@code equals} ({@code replace}/{@code remove} with an expected value) and the
 * mapping functions — always runs before the shared state it decides about is changed, or its change is undone; the
 * lock is always released in a {@code finally}. So a call that throws has changed nothing, and {@code count} always
 * agrees with the entries: a function that throws gets its key's old value restored from the marker; a deletion of a
 * key only in the dirty map removes it from the dirty map (which hashes it) before nulling its entry and counting; a
 * dirty-map rebuild is built aside and expunges nothing until it is complete ({@code amendLocked}); an insert that
 * throws after a rebuild leaves the map merely amended. The exceptions: {@code putAll} and {@code replaceAll} are
 * not atomic as a whole and keep the keys done before the throw; and an {@link Error} from a promotion (the
 * {@code COPY_BUILD} fault site, also reached by the dirty-map rebuild) at the end of a call that already changed a
 * key ({@code putIfAbsent}, {@code computeIfAbsent}, {@code remove}) propagates with the change done. The one gap
 * left: an {@link OutOfMemoryError} inside {@link HashMap#put} while it resizes the dirty map, after it linked the
 * new key, would leave {@code count} one short; the JDK's code, no fault site can reach it.
 *
 * <p><b>Layout.</b> The map object holds only fields written once or rarely ({@code lock}, {@code readOnly});
 * everything written under the lock on every slow path ({@code dirty}, {@code misses}, {@code count}) lives in a
 * separate object padded by 128 bytes on both sides, so those writes do not evict the line every reader loads.
 * Entries are not padded (as in Go): lock-free writers to neighbouring entries may share lines.
 *
 * <p><b>Traded away:</b> lock-free deletes (for an exact {@code size}); {@code size} waits for a running mapping
 * function; promotion and dirty-map rebuilds are O(n) copies made by an unlucky writer under the lock; a removed
 * key's entry lingers (as {@code null}, then {@code EXPUNGED}) until the second promotion after its removal.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class ReadDirtyMap<K, V> extends AbstractConcurrentMap<K, V>
    implements ConcurrentMap<K, V>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The state of an entry that was deleted and left out of the dirty map. */
    private static final Object EXPUNGED = new Object() {
        @Override
        public String toString() {
            return "EXPUNGED";
        }
    };

    private static final VarHandle READ_ONLY =
        VarHandles.field(MethodHandles.lookup(), ReadDirtyMap.class, "readOnly", ReadOnly.class);

    /** Guards the {@code WriterState} and all structural changes. */
    private final transient ReentrantLock lock = new ReentrantLock();

    /**
     * The published read map; accessed through {@link #readOnlyAcquire()} / {@link #setReadOnlyRelease}. Read by
     * every operation; written only by promotions and {@code clear}.
     */
    private transient ReadOnly<K> readOnly;

    /**
     * The state written under the lock, kept in its own padded object so that slow-path writes (a miss, a
     * presence change) do not invalidate the cache line of {@code readOnly} that lock-free readers load.
     */
    private final transient WriterState<K> ws = new WriterState<>();

    /** Creates an empty map. */
    public ReadDirtyMap() {
        setReadOnlyRelease(new ReadOnly<>(new HashMap<>(), false));
    }

    /* ---------------- Lock-guarded state, padded ---------------- */

    /**
     * 128 bytes before the lock-guarded fields (superclass fields are laid out first). The int fills the gap
     * after a compressed header, which HotSpot would otherwise fill with a subclass field (checked with JOL).
     */
    @SuppressWarnings("unused")
    private abstract static class WriterStatePadBefore {
        int headerGap;
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    /** The fields written under the lock. */
    private abstract static class WriterStateFields<K> extends WriterStatePadBefore {
        /** Every live key when the read map is amended; null otherwise. */
        HashMap<K, Entry> dirty;
        /** Lookups that had to consult the dirty map since the last promotion. */
        int misses;
        /** The number of present keys. */
        int count;
        /** How many times the dirty map was promoted; for tests and diagnostics. */
        long promotions;
    }

    /** 128 bytes after the lock-guarded fields. Every field is guarded by the map's lock. */
    @SuppressWarnings("unused")
    private static final class WriterState<K> extends WriterStateFields<K> {
        long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;
    }

    /* ---------------- Entries and the read map ---------------- */

    /** The immutable read map: never modified after publication. */
    private static final class ReadOnly<K> {
        final HashMap<K, Entry> map;
        final boolean amended;

        ReadOnly(HashMap<K, Entry> map, boolean amended) {
            this.map = map;
            this.amended = amended;
        }
    }

    /** A value parked in an entry while the lock holder computes its replacement. */
    private static final class Computing {
        /** The value before the compute, or null if the key was absent. */
        final Object old;

        Computing(Object old) {
            this.old = old;
        }
    }

    /** A key's slot, shared by the read and dirty maps. */
    private static final class Entry {
        private static final VarHandle VALUE =
            VarHandles.field(MethodHandles.lookup(), Entry.class, "value", Object.class);

        /** A value, null (deleted), EXPUNGED, or a Computing marker; accessed through VALUE only. */
        private Object value;

        Entry(Object value) {
            this.value = value;
        }

        Object valueAcquire() {
            return VALUE.getAcquire(this);
        }

        void setValueRelease(Object v) {
            VALUE.setRelease(this, v);
        }

        boolean casValue(Object expected, Object v) {
            return VALUE.compareAndSet(this, expected, v);
        }

        /** The value a reader sees: absent for null and EXPUNGED, the old value while being computed. */
        Object load() {
            Object p = valueAcquire();
            if (p instanceof Computing c) {
                return c.old;
            }
            return p == EXPUNGED ? null : p;
        }

        /**
         * Under the lock: marks a deleted entry expunged.
         *
         * @return whether the entry is expunged (and so must be left out of the dirty map)
         */
        boolean tryExpungeLocked() {
            Object p = valueAcquire();
            if (p == null) {
                // Presence changes only under the lock, so this CAS cannot lose; it stays a CAS so that a
                // violation of that rule would leave the entry in the dirty map rather than lose a value.
                return casValue(null, EXPUNGED) || valueAcquire() == EXPUNGED;
            }
            return p == EXPUNGED;
        }

        /**
         * Under the lock, on a present entry: replaces its value by a computing marker holding the value.
         *
         * @return the value replaced
         */
        Object parkComputingLocked() {
            while (true) {
                Object p = valueAcquire();
                // p is a value: under the lock only lock-free value-to-value CASes can race with us.
                if (casValue(p, new Computing(p))) {
                    return p;
                }
            }
        }
    }

    /** True for a value, false for null, EXPUNGED and a computing marker. */
    private static boolean isValue(Object p) {
        return p != null && p != EXPUNGED && !(p instanceof Computing);
    }

    @SuppressWarnings("unchecked")
    private ReadOnly<K> readOnlyAcquire() {
        return (ReadOnly<K>) READ_ONLY.getAcquire(this);
    }

    private void setReadOnlyRelease(ReadOnly<K> ro) {
        READ_ONLY.setRelease(this, ro);
    }

    @SuppressWarnings("unchecked")
    private static <V> V cast(Object value) {
        return (V) value;
    }

    /** Where a key stands, found under the lock. */
    private static final class Located {
        /** The key's entry in the read map (possibly expunged), or null. */
        final Entry readEntry;
        /** The key's live entry (in the read map and not expunged, or in the dirty map), or null. */
        final Entry live;
        /** Whether the read map was amended at the lookup. */
        final boolean amended;

        Located(Entry readEntry, Entry live, boolean amended) {
            this.readEntry = readEntry;
            this.live = live;
            this.amended = amended;
        }

        /** Whether the lookup had to go to the dirty map: a miss, as Go counts them. */
        boolean missedRead() {
            return readEntry == null && amended;
        }
    }

    private Located locateLocked(Object key) {
        ReadOnly<K> ro = readOnlyAcquire();
        Entry e = ro.map.get(key);
        if (e != null) {
            return new Located(e, e.valueAcquire() == EXPUNGED ? null : e, ro.amended);
        }
        return new Located(null, ro.amended ? ws.dirty.get(key) : null, ro.amended);
    }

    /* ---------------- Structure changes (all under the lock) ---------------- */

    /**
     * Makes the dirty map the read map, so that its keys become lock-free. O(1): the dirty map is published as
     * it is and a fresh one is built (O(n)) only when a new key is next inserted. Called under the lock, when
     * misses reach the dirty map's size, and before iterating.
     */
    private void promoteDirty() {
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.COPY_BUILD);
        }
        setReadOnlyRelease(new ReadOnly<>(ws.dirty, false));
        ws.dirty = null;
        ws.misses = 0;
        ws.promotions++;
    }

    /** Counts a miss if the lookup that found {@code at} had to go to the dirty map; under the lock. */
    private void countMissLocked(Located at) {
        if (at.missedRead()) {
            missLocked();
        }
    }

    /** Counts a miss and promotes once the misses have cost as much as copying the dirty map would. */
    private void missLocked() {
        if (lock.getHoldCount() > 1) {
            return; // inside a mapping function of this map: its compute holds references into the structure
        }
        ws.misses++;
        if (ws.dirty != null && ws.misses >= ws.dirty.size()) {
            promoteDirty();
        }
    }

    /**
     * Builds the dirty map from the (not amended) read map and publishes the read map as amended, expunging deleted
     * entries so they need not be copied. The copy runs the keys' {@code hashCode} (and may run out of memory) and
     * is built aside, before anything shared changes: if it throws, no entry has been expunged and the map is as it
     * was (I1, I2). Only then are the deleted entries expunged and the new state published, which cannot throw.
     */
    private void amendLocked(ReadOnly<K> ro) {
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.COPY_BUILD);
        }
        HashMap<K, Entry> d = new HashMap<>(Math.max(16, (int) (ro.map.size() / 0.75f) + 1));
        boolean anyDeleted = false;
        for (Map.Entry<K, Entry> me : ro.map.entrySet()) {
            Object p = me.getValue().valueAcquire();
            if (p == null) {
                anyDeleted = true; // expunged below; presence changes only under our lock, so it stays deleted
            } else if (p != EXPUNGED) {
                d.put(me.getKey(), me.getValue());
            }
        }
        ReadOnly<K> amended = new ReadOnly<>(ro.map, true);
        if (anyDeleted) {
            for (Entry e : ro.map.values()) {
                if (e.valueAcquire() == null) {
                    e.tryExpungeLocked();
                }
            }
        }
        ws.dirty = d;
        setReadOnlyRelease(amended);
    }

    /** Makes an absent key present with {@code value}. */
    private void insertLocked(K key, Located at, Object value) {
        if (at.readEntry != null) {
            // The read map holds the key's expunged entry (I2: so dirty != null): revive it in the dirty map.
            ws.dirty.put(key, at.readEntry);
            at.readEntry.setValueRelease(value);
        } else {
            ReadOnly<K> ro = readOnlyAcquire();
            if (!ro.amended) {
                amendLocked(ro);
            }
            ws.dirty.put(key, new Entry(value)); // if the key throws here, the map is merely amended
        }
        ws.count++;
    }

    /**
     * Makes a present key absent if its live entry still holds {@code expected} (a value, or this call's computing
     * marker). A key of the read map is deleted by a CAS, which fails only if a lock-free writer swapped the value
     * (the caller then reads it again). A key only in the dirty map was never in any read map, so no lock-free thread
     * can reach its entry: it is first removed from the dirty map, the one step that runs user code (the key's
     * {@code hashCode}/{@code equals}), so that if that throws nothing has changed; then the entry is nulled.
     *
     * @return whether the key was deleted
     */
    private boolean tryDeleteLocked(Object key, Located at, Object expected) {
        if (at.readEntry == null) {
            ws.dirty.remove(key);
            at.live.setValueRelease(null);
        } else if (!at.live.casValue(expected, null)) {
            return false;
        }
        ws.count--;
        return true;
    }

    /* ---------------- Queries ---------------- */

    /**
     * Returns the value of {@code key}. Lock-free when the key is in the read map, or when it is absent and the
     * read map is not amended; otherwise takes the lock and counts a miss. Linearizable. O(1) expected.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public V get(Object key) {
        requireKey(key);
        ReadOnly<K> ro = readOnlyAcquire();
        Entry e = ro.map.get(key);
        if (e == null && ro.amended) {
            e = missedEntry(key);
        }
        return e == null ? null : cast(e.load());
    }

    private Entry missedEntry(Object key) {
        lock.lock();
        try {
            Located at = locateLocked(key);
            countMissLocked(at);
            return at.live;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells whether {@code key} is present; same cost and consistency as {@link #get}.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /**
     * Returns the number of present keys: exact and linearizable, O(1), read under the lock (so it waits for a
     * mapping function that is running).
     */
    @Override
    public int size() {
        lock.lock();
        try {
            return ws.count;
        } finally {
            lock.unlock();
        }
    }

    /** Tells whether the map is empty; as {@link #size()}. */
    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    /* ---------------- Writes ---------------- */

    /**
     * Maps {@code key} to {@code value}. Lock-free (one CAS) when the key is present in the read map; otherwise
     * takes the lock, and inserting a key absent from the read map into a non-amended map first copies the read
     * map into a new dirty map (O(n)). Linearizable.
     *
     * @return the previous value, or null if the key was absent
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V put(K key, V value) {
        checkWrite("put", key, value);
        Entry e = readOnlyAcquire().map.get(key);
        if (e != null) {
            for (Object p = e.valueAcquire(); isValue(p); p = e.valueAcquire()) {
                if (e.casValue(p, value)) {
                    return cast(p);
                }
            }
        }
        return locked(key, value, null, (m, k, v, unused) -> {
            Located at = m.locateLocked(k);
            if (at.live == null || at.live.valueAcquire() == null) {
                if (at.live == null) {
                    m.insertLocked(k, at, v);
                } else {
                    at.live.setValueRelease(v);
                    m.ws.count++;
                }
                return null;
            }
            return cast(swapLocked(at.live, v));
        });
    }

    /** {@link #readMapFirst}'s answer when the lock must decide. */
    private static final Object TAKE_LOCK = new Object();
    /** A {@link ValueAttempt}'s answer when its compare-and-set lost a race: read the value again. */
    private static final Object RETRY = new Object();

    /** One lock-free step of a write on a read-map entry holding value {@code p}: a result, TAKE_LOCK or RETRY. */
    @FunctionalInterface
    private interface ValueAttempt<A, B> {
        Object attempt(Entry e, Object p, A a, B b);
    }

    /**
     * The lock-free part of {@code replace} and {@code remove}: answers {@code absent} when the read map shows the
     * key deleted (or lacks it and is not amended), {@link #TAKE_LOCK} when only the lock can tell (the key is
     * only in the dirty map, or a computation holds it), and otherwise what {@code attempt} answers for the
     * entry's current value, read again while it answers {@link #RETRY}.
     */
    private <A, B> Object readMapFirst(Object key, A a, B b, Object absent, ValueAttempt<A, B> attempt) {
        ReadOnly<K> ro = readOnlyAcquire();
        Entry e = ro.map.get(key);
        if (e == null) {
            return ro.amended ? TAKE_LOCK : absent;
        }
        while (true) {
            Object p = e.valueAcquire();
            if (p == null || p == EXPUNGED) {
                return absent;
            }
            if (p instanceof Computing) {
                return TAKE_LOCK;
            }
            Object answer = attempt.attempt(e, p, a, b);
            if (answer != RETRY) {
                return answer;
            }
        }
    }

    /** Runs {@code body} under the write lock ({@link Locked#run}), released in a {@code finally}. */
    private <A, B, C, R> R locked(A a, B b, C c, Locked.Write<ReadDirtyMap<K, V>, A, B, C, R> body) {
        return Locked.run(lock, this, a, b, c, body);
    }

    /** Under the lock, on a present entry: replaces its value, racing only with lock-free value swaps. */
    private static Object swapLocked(Entry e, Object value) {
        while (true) {
            Object p = e.valueAcquire();
            if (e.casValue(p, value)) {
                return p;
            }
        }
    }

    /**
     * Maps {@code key} to {@code value} if it is absent. Lock-free when the key is present in the read map;
     * otherwise as {@link #put}. Linearizable.
     *
     * @return the current value if present (nothing changed), or null if {@code value} was inserted
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V putIfAbsent(K key, V value) {
        checkWrite("putIfAbsent", key, value);
        Entry e = readOnlyAcquire().map.get(key);
        if (e != null) {
            Object p = e.valueAcquire();
            if (isValue(p)) {
                return cast(p);
            }
        }
        return locked(key, value, null, (m, k, v, unused) -> {
            Located at = m.locateLocked(k);
            Object result = null;
            if (at.live == null) {
                m.insertLocked(k, at, v);
            } else {
                Object p = at.live.valueAcquire();
                if (p == null) {
                    at.live.setValueRelease(v);
                    m.ws.count++;
                } else {
                    result = p;
                }
            }
            m.countMissLocked(at);
            return cast(result);
        });
    }

    /**
     * Replaces the value of {@code key} if it is present. Lock-free when the key is in the read map (or absent
     * and the read map not amended). Linearizable.
     *
     * @return the previous value, or null if the key was absent (nothing changed)
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V replace(K key, V value) {
        checkWrite("replace", key, value);
        Object fast = readMapFirst(key, value, null, null, (e, p, v, unused) -> e.casValue(p, v) ? p : RETRY);
        if (fast != TAKE_LOCK) {
            return cast(fast);
        }
        return locked(key, value, null, (m, k, v, unused) -> {
            Located at = m.locateLocked(k);
            if (at.live == null || at.live.valueAcquire() == null) {
                return null;
            }
            return cast(swapLocked(at.live, v));
        });
    }

    /**
     * Replaces the value of {@code key} with {@code newValue} if it is currently {@code equals} to
     * {@code oldValue}. Lock-free when the key is in the read map (or absent and the read map not amended).
     * Linearizable.
     *
     * @return whether the value was replaced
     * @throws NullPointerException if any argument is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        checkReplace("replace", key, oldValue, newValue);
        Object fast = readMapFirst(key, oldValue, newValue, Boolean.FALSE,
            (e, p, o, n) -> !o.equals(p) ? Boolean.FALSE : e.casValue(p, n) ? Boolean.TRUE : RETRY);
        if (fast != TAKE_LOCK) {
            return (Boolean) fast;
        }
        return locked(key, oldValue, newValue, (m, k, o, n) -> {
            Entry live = m.locateLocked(k).live;
            if (live == null) {
                return false;
            }
            while (true) {
                Object p = live.valueAcquire();
                if (p == null || !o.equals(p)) {
                    return false;
                }
                if (live.casValue(p, n)) {
                    return true;
                }
            }
        });
    }

    /**
     * Removes {@code key}. Answers "absent" without the lock when the read map shows the key deleted (or lacks
     * it and is not amended); otherwise takes the lock. A key of the read map is removed in O(1) by nulling its
     * shared entry: nothing is copied. Linearizable.
     *
     * @return the previous value, or null if the key was absent
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V remove(Object key) {
        checkWrite("remove", key);
        if (readMapFirst(key, null, null, null, (e, p, unused, unused2) -> TAKE_LOCK) == null) {
            return null; // absent, seen without the lock
        }
        return locked(key, null, null, (m, k, unused, unused2) -> {
            Located at = m.locateLocked(k);
            Object previous = null;
            if (at.live != null) {
                // may race with lock-free value swaps only: presence changes under our lock
                while ((previous = at.live.valueAcquire()) != null && !m.tryDeleteLocked(k, at, previous)) {
                    Thread.onSpinWait();
                }
            }
            m.countMissLocked(at);
            return cast(previous);
        });
    }

    /**
     * Removes {@code key} if its value is {@code equals} to {@code value}. Answers {@code false} without the
     * lock when the read map shows the key absent or holding another value; otherwise takes the lock.
     * Linearizable.
     *
     * @return whether the key was removed
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public boolean remove(Object key, Object value) {
        checkWrite("remove", key, value);
        Object fast = readMapFirst(key, value, null, Boolean.FALSE,
            (e, p, v, unused) -> v.equals(p) ? TAKE_LOCK : Boolean.FALSE);
        if (fast != TAKE_LOCK) {
            return false; // absent or another value, seen without the lock
        }
        return locked(key, value, null, (m, k, v, unused) -> {
            Located at = m.locateLocked(k);
            boolean removed = false;
            if (at.live != null) {
                while (true) {
                    Object p = at.live.valueAcquire();
                    if (p == null || !v.equals(p)) {
                        break;
                    }
                    if (m.tryDeleteLocked(k, at, p)) {
                        removed = true;
                        break;
                    }
                }
            }
            m.countMissLocked(at);
            return removed;
        });
    }

    /**
     * Copies every mapping of {@code map} into this map. The argument is read once and every key and value
     * checked before anything is written, so a null leaves this map unchanged; the mappings are then
     * {@linkplain #put put} one at a time (not atomically as a whole). If a key's {@code hashCode} or {@code equals}
     * throws, the mappings before it (in the argument's iteration order) stay written and the rest are not.
     *
     * @throws NullPointerException if {@code map}, or any key or value in it, is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public void putAll(Map<? extends K, ? extends V> map) {
        FunctionGuard.checkNotInFunction(this, "putAll");
        requireValue(map, "map");
        List<Map.Entry<K, V>> pairs = new ArrayList<>(map.size());
        for (Map.Entry<? extends K, ? extends V> me : map.entrySet()) {
            K k = requireValue(me.getKey(), "key in map");
            V v = requireValue(me.getValue(), "value in map");
            pairs.add(Map.entry(k, v));
        }
        for (Map.Entry<K, V> pair : pairs) {
            put(pair.getKey(), pair.getValue());
        }
    }

    /**
     * Removes every key, atomically: O(1) under the lock (a fresh empty read map is published). Operations in
     * flight on the old structure are ordered before the clear.
     *
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public void clear() {
        FunctionGuard.checkNotInFunction(this, "clear");
        lock.lock();
        try {
            setReadOnlyRelease(new ReadOnly<>(new HashMap<>(), false));
            ws.dirty = null;
            ws.misses = 0;
            ws.count = 0;
        } finally {
            lock.unlock();
        }
    }

    /* ---------------- Compute family ---------------- */

    /**
     * If {@code key} is absent, computes a value with {@code mappingFunction} and inserts it unless it is null.
     * Lock-free when the key is present in the read map; otherwise the function runs once, under the lock, and
     * the call is atomic for the key. Linearizable.
     *
     * @return the present or inserted value, or null if the function returned null
     * @throws NullPointerException if {@code key} or {@code mappingFunction} is null
     * @throws IllegalStateException if called from, or if the function modifies, this map from a mapping function
     */
    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        checkCompute("computeIfAbsent", key, mappingFunction, "mappingFunction");
        Entry e = readOnlyAcquire().map.get(key);
        if (e != null) {
            Object p = e.valueAcquire();
            if (isValue(p)) {
                return cast(p);
            }
        }
        return locked(key, mappingFunction, null, (m, k, f, unused) -> {
            Located at = m.locateLocked(k);
            Object current = at.live == null ? null : at.live.valueAcquire();
            if (current != null) {
                return cast(current);
            }
            V value = FunctionGuard.call(m, f, k, null, (g, a, b) -> g.apply(a));
            if (value != null) {
                m.makePresentLocked(k, at, value);
            }
            m.countMissLocked(at);
            return value;
        });
    }

    /** Under the lock, on an absent key: inserts it, reviving its deleted live entry if it has one. */
    private void makePresentLocked(K key, Located at, Object value) {
        if (at.live == null) {
            insertLocked(key, at, value);
        } else {
            at.live.setValueRelease(value);
            ws.count++;
        }
    }

    /**
     * If {@code key} is present, replaces its value with {@code remappingFunction(key, value)}, or removes it if
     * that is null. The function runs at most once, under the lock; the call is atomic for the key, even against
     * lock-free writers. Answers "absent" without the lock when the read map shows the key absent. Linearizable.
     *
     * @return the new value, or null if the key is now absent
     * @throws NullPointerException if {@code key} or {@code remappingFunction} is null
     * @throws IllegalStateException if called from, or if the function modifies, this map from a mapping function
     */
    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        checkCompute("computeIfPresent", key, remappingFunction, "remappingFunction");
        ReadOnly<K> ro = readOnlyAcquire();
        Entry e = ro.map.get(key);
        if (e != null) {
            Object p = e.valueAcquire();
            if (p == null || p == EXPUNGED) {
                return null;
            }
        } else if (!ro.amended) {
            return null;
        }
        return locked(key, remappingFunction, null, (m, k, f, unused) -> {
            Located at = m.locateLocked(k);
            if (at.live == null || at.live.valueAcquire() == null) {
                return null;
            }
            return m.remapPresentLocked(k, at, f);
        });
    }

    /**
     * Computes a new value for {@code key} from its current value (null if absent) and stores it, or removes the
     * key if the result is null. The function runs exactly once, under the lock; the call is atomic for the key,
     * even against lock-free writers. Linearizable.
     *
     * @return the new value, or null if the key is now absent
     * @throws NullPointerException if {@code key} or {@code remappingFunction} is null
     * @throws IllegalStateException if called from, or if the function modifies, this map from a mapping function
     */
    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        checkCompute("compute", key, remappingFunction, "remappingFunction");
        return locked(key, remappingFunction, null, (m, k, f, unused) -> {
            Located at = m.locateLocked(k);
            if (at.live != null && at.live.valueAcquire() != null) {
                return m.remapPresentLocked(k, at, f);
            }
            V value = FunctionGuard.call(m, f, k, null, (g, a, b) -> g.apply(a, null));
            if (value != null) {
                m.makePresentLocked(k, at, value);
            }
            return value;
        });
    }

    /**
     * If {@code key} is absent, inserts {@code value}; otherwise replaces its value with
     * {@code remappingFunction(current, value)}, or removes the key if that is null. The function runs at most
     * once (never for an absent key), under the lock; the call is atomic for the key. Linearizable.
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
            Located at = m.locateLocked(k);
            if (at.live != null && at.live.valueAcquire() != null) {
                return m.remapPresentLocked(k, at, (kk, old) -> f.apply(old, v));
            }
            m.makePresentLocked(k, at, v);
            return v;
        });
    }

    /**
     * Under the lock, on a present key: parks a computing marker, runs the function once, and publishes its
     * result (or removes the key); restores the old value if the function, or the removal (the key's
     * {@code hashCode}/{@code equals}), throws.
     */
    private V remapPresentLocked(K key, Located at, BiFunction<? super K, ? super V, ? extends V> function) {
        Entry e = at.live;
        V old = cast(e.parkComputingLocked());
        V value;
        try {
            value = FunctionGuard.call(this, function, key, old, (f, a, b) -> f.apply(a, b));
            if (value == null) {
                tryDeleteLocked(key, at, e.valueAcquire()); // our marker: no other thread changes it, so it succeeds
            }
        } catch (Throwable t) {
            e.setValueRelease(old); // nothing happened
            throw t;
        }
        if (value != null) {
            e.setValueRelease(value);
        }
        return value;
    }

    /**
     * Replaces every value with {@code function(key, value)}. Holds the lock throughout (first promoting the
     * dirty map, as iteration does); each key is updated atomically, with the function run once for it, but
     * lock-free readers may see some keys updated and others not yet. If the function throws or returns null,
     * the keys already done keep their new values and the exception propagates. O(n).
     *
     * @throws NullPointerException if {@code function} is null or returns null
     * @throws IllegalStateException if called from, or if the function modifies, this map from a mapping function
     */
    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        FunctionGuard.checkNotInFunction(this, "replaceAll");
        requireFunction(function, "function");
        lock.lock();
        try {
            if (readOnlyAcquire().amended) {
                promoteDirty();
            }
            for (Map.Entry<K, Entry> me : readOnlyAcquire().map.entrySet()) {
                Entry e = me.getValue();
                if (!isValue(e.valueAcquire())) {
                    continue; // absent (null; EXPUNGED only exists while amended, I2)
                }
                K key = me.getKey();
                V old = cast(e.parkComputingLocked());
                V value;
                Object prev = FunctionGuard.enter(this);
                try {
                    value = function.apply(key, old);
                } catch (Throwable t) {
                    e.setValueRelease(old);
                    throw t;
                } finally {
                    FunctionGuard.exit(prev);
                }
                if (value == null) {
                    e.setValueRelease(old);
                    throw new NullPointerException("function returned null for key " + key);
                }
                e.setValueRelease(value);
            }
        } finally {
            lock.unlock();
        }
    }

    /* ---------------- Iteration ---------------- */

    /**
     * Promotes the dirty map if the read map is amended (under the lock; O(1)), then walks the read map without
     * the lock; see the class comment for exactly what it shows. Inside a mapping function of this map, where
     * promotion is deferred, it walks a copy of the dirty map instead (O(n)).
     */
    @Override
    Iterator<Map.Entry<K, V>> entryIterator() {
        ReadOnly<K> ro = readOnlyAcquire();
        Map<K, Entry> entries = ro.map;
        if (ro.amended) {
            lock.lock();
            try {
                ro = readOnlyAcquire();
                if (!ro.amended) {
                    entries = ro.map;
                } else if (lock.getHoldCount() == 1) {
                    promoteDirty();
                    entries = readOnlyAcquire().map;
                } else {
                    entries = new HashMap<>(ws.dirty);
                }
            } finally {
                lock.unlock();
            }
        }
        return new EntryIterator<>(entries.entrySet().iterator());
    }

    /** Walks (key, entry) pairs, skipping absent entries and reading each value when it is reached. */
    private static final class EntryIterator<K, V> implements Iterator<Map.Entry<K, V>> {
        private final Iterator<Map.Entry<K, Entry>> entries;
        private Map.Entry<K, V> next;

        EntryIterator(Iterator<Map.Entry<K, Entry>> entries) {
            this.entries = entries;
        }

        @Override
        public boolean hasNext() {
            while (next == null && entries.hasNext()) {
                Map.Entry<K, Entry> me = entries.next();
                Object v = me.getValue().load();
                if (v != null) {
                    next = Map.entry(me.getKey(), cast(v));
                }
            }
            return next != null;
        }

        @Override
        public Map.Entry<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Map.Entry<K, V> result = next;
            next = null;
            return result;
        }
    }

    /* ---------------- Diagnostics for tests ---------------- */

    /** The structure's state, for white-box tests in this package. */
    record DebugState(boolean amended, int readSize, int dirtySize, int misses, long promotions, int count) {}

    DebugState debugState() {
        lock.lock();
        try {
            ReadOnly<K> ro = readOnlyAcquire();
            int dirtySize = ws.dirty == null ? -1 : ws.dirty.size();
            return new DebugState(ro.amended, ro.map.size(), dirtySize, ws.misses, ws.promotions, ws.count);
        } finally {
            lock.unlock();
        }
    }

    /** The state of {@code key}'s entry in the read map: "none", "present", "deleted" or "expunged". */
    String readEntryState(Object key) {
        Entry e = readOnlyAcquire().map.get(key);
        if (e == null) {
            return "none";
        }
        Object p = e.valueAcquire();
        return p == null ? "deleted" : p == EXPUNGED ? "expunged" : "present";
    }

    /** Whether the dirty map holds {@code key} (false when there is no dirty map). */
    boolean dirtyContains(Object key) {
        lock.lock();
        try {
            return ws.dirty != null && ws.dirty.containsKey(key);
        } finally {
            lock.unlock();
        }
    }

    /* ---------------- Serialization ---------------- */

    /**
     * Serializes this map as a {@link SerializedMap}: the mappings that an iteration shows (so, under concurrent
     * writes, with the iteration's guarantees); the structure is rebuilt on reading.
     *
     * @return the serialized form
     */
    @Serial
    private Object writeReplace() {
        return new SerializedMap(SerializedMap.Kind.READ_DIRTY, new long[0], null, EntryCopies.keysAndValues(this));
    }
}
