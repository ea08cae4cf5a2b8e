package dev.syncmap;

import dev.syncmap.internal.EntryCopies;
import dev.syncmap.internal.FunctionGuard;
import dev.syncmap.internal.HashOrderedTable;
import dev.syncmap.internal.VarHandles;
import java.io.Serial;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@link ConcurrentMap} split into N independent stripes, each a {@link ReentrantReadWriteLock} and its own
 * hash table; a key's stripe is chosen by the high bits of a mixed hash code. Go's sharded maps (and etcd's
 * 64-way split of its lock): writers to different stripes never wait for each other.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Single-key operations are linearizable</b>: {@code get}, {@code put}, {@code remove},
 *       {@code putIfAbsent}, {@code replace}, and the functional ones below.</li>
 *   <li><b>Atomic compute.</b> {@code compute}, {@code computeIfAbsent}, {@code computeIfPresent} and
 *       {@code merge} are atomic for their key and run their function at most once. The function runs
 *       <em>without any lock held</em>: meanwhile readers see the old value, and writers of the same stripe wait.
 *       It may read any key of this map (no deadlock is possible); writing to this map throws
 *       {@link IllegalStateException}. {@code computeIfAbsent} (and {@code computeIfPresent}) first look under the
 *       stripe's read lock and take the write lock only on a miss (a hit), looking again under it.</li>
 *   <li><b>Multi-stripe operations are not atomic.</b> {@code putAll}, {@code clear} and {@code replaceAll} work
 *       stripe by stripe; each stripe's part is atomic (for {@code replaceAll}, even when the function throws: that
 *       stripe keeps its old values), but another thread may see some stripes done and others not.</li>
 *   <li><b>Iteration</b> (the views, {@code forEach}, {@code equals}, {@code toString}, serialization) visits the
 *       stripes in order, copying each under its read lock when it reaches it. Every stripe is shown exactly as it
 *       was at one instant, but different stripes at different instants: a key mapped during the whole iteration is
 *       seen once, with a value it had during the iteration; a key added or removed meanwhile may or may not be
 *       seen. Never throws {@link java.util.ConcurrentModificationException}; costs O(largest stripe) extra
 *       memory. {@code forEach}'s action runs outside every lock and may write to this map.</li>
 *   <li><b>{@code size()}</b> sums per-stripe counters read one after the other without locks: under concurrent
 *       writes it is not the size at any one instant (each term is exact for its stripe when read); when no write
 *       is in flight it is exact. {@code isEmpty()} likewise.</li>
 *   <li><b>Nulls</b> are rejected with a {@link NullPointerException} naming the argument, query keys included.</li>
 *   <li><b>Chunked copies.</b> As a {@link ChunkedSource}, the map can be copied a bounded chunk at a time
 *       ({@code MapCopy.of(map).inChunks(n, listener)}, or {@code MapCopy.of(map)} with the default chunk size):
 *       each stripe lock is held for at most one chunk's worth of copying. Weakly consistent, see
 *       {@link ChunkedSource}.</li>
 *   <li><b>Colliding keys.</b> Keys with equal hash codes land in one stripe and one chain of its table, searched
 *       linearly: O(n) per operation among n such keys (the tables keep a hash-derived order for chunked scans, so
 *       they have no {@code HashMap}-style tree bins); and they all contend on one stripe lock.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * <b>Choice of lock.</b> Each stripe has a non-fair {@link ReentrantReadWriteLock}. A {@code StampedLock}'s
 * optimistic read is out: a table read racing with a resize or a treeification can loop or throw before
 * validation could reject it. A plain {@code ReentrantLock} is cheaper per operation but serializes the readers of
 * a hot stripe (a hot key under skewed load); the read-write lock lets them proceed together. It also gives the
 * {@link Condition} that writers wait on while a computation is pending (below).
 *
 * <p><b>Per-stripe invariant.</b> A stripe's {@code table} and {@code size} change only under its write lock, and
 * only when {@code computingThread} is null or is the thread writing. A mapping function never runs under a lock:
 * {@code compute} takes the write lock, waits until no computation is pending, reads the old value, marks itself as
 * the stripe's {@code computingThread}, and releases the lock; it runs the function; then it takes the write lock
 * again, stores the result, clears the mark and wakes the waiting writers. While the mark is set no other thread
 * writes the stripe, so the old value the function saw is still current when the result is stored: the update is
 * atomic, and linearizes at the second lock. Readers ignore the mark and see the old value until then.
 *
 * <p><b>Why that and not the function under the lock:</b> with the function under stripe A's write lock, a function
 * that reads a key of stripe B waits for B's lock, and a thread computing in B whose function reads stripe A waits
 * for ours: a deadlock. Here a function waits only for read locks, and a write lock is only ever held across short
 * code (the table operation, with the keys' {@code hashCode}/{@code equals}), never across a function; writers wait
 * for functions, but functions never wait for writers, since writes from inside a function are refused by
 * a per-thread function guard (and, through another map's function, by the {@code computingThread == me} check).
 * The cost: a computation takes the write lock twice instead of once.
 *
 * <p><b>When user code throws.</b> User code is the keys' {@code hashCode}/{@code equals}, run under a stripe's
 * lock inside its table, and the mapping functions, run under no lock. Every lock is taken as
 * {@code lock(); try { ... }} with nothing in between; where the write lock is handed on to a computation
 * ({@code lookupForUpdate}, {@code lockForUpdate}) a {@code catch} releases it before rethrowing; a computation
 * mark is cleared in a {@code finally} ({@code abandonComputation}, {@code commitComputation}). So no exception
 * or {@link Error} leaves a stripe locked or marked. A single-key call that throws has changed nothing: the table's
 * {@code put} and
 * {@code remove} change nothing when a key throws or an allocation fails (the table allocates a node and any larger
 * table before it links anything), and a
 * computation whose function or final store throws ends without storing. {@code replaceAll} stores a stripe's new
 * values by position, without calling the keys again, so each stripe is all-or-nothing. A {@code putAll} whose key
 * throws keeps what it wrote before (as {@link java.util.concurrent.ConcurrentHashMap} does): the stripes done
 * before, and in that stripe the pairs before the key; never a half-written mapping, and the stripe's size counter
 * is republished in a {@code finally}.
 *
 * <p><b>Visibility.</b> Everything a stripe holds is published by its lock (unlock happens-before the next lock).
 * The only value read without a lock is the size counter ({@code getOpaque}/{@code setOpaque}: a statistic that
 * publishes nothing else, so coherence is all it needs).
 *
 * <p><b>Spreading and padding.</b> The stripe index is the top {@code log2(N)} bits of murmur3's {@code fmix32} of
 * {@code hashCode()}: every input bit affects them, so sequential or low-bit-identical hash codes still spread, and
 * they are unrelated to the bits of the other mix (Fibonacci hashing) that the stripe's table orders and places
 * its entries by. Each stripe's hot fields (the lock
 * references, the table, the size, the computation mark) sit between 128 bytes of padding on either side (two
 * cache lines: the adjacent-line prefetcher pairs lines), so writers of different stripes never share a cache line
 * through them; {@code StripedMapLayoutTest} checks the layout with JOL. The lock's own state word lives in a
 * JDK-owned object allocated after its stripe, which cannot be padded; the allocation order keeps stripes'
 * lock objects apart when they are created, but a copying GC may regroup them.
 *
 * <p>Serialization: through a proxy holding the stripe count and the mappings, copied stripe by stripe (so not a
 * point-in-time copy under concurrent writes). Locks are not serialized.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class StripedMap<K, V> extends LockedTableMap<K, V>
    implements ConcurrentMap<K, V>, ChunkedSource<K, V>, Serializable {

    private static final long serialVersionUID = 1L;

    /** The largest number of stripes a map may have. */
    public static final int MAX_STRIPES = 1 << 16;

    private static final VarHandle SIZE =
        VarHandles.field(MethodHandles.lookup(), StripeFields.class, "size", int.class);

    private final transient Stripe<K, V>[] stripes;

    /** {@code 32 - log2(stripes.length)}: the stripe index is the spread hash shifted right by this. */
    private final transient int shift;

    /**
     * Creates an empty map with the {@linkplain #defaultStripeCount() default number of stripes}, each table at its
     * smallest size.
     */
    public StripedMap() {
        this(0, defaultStripeCount());
    }

    /**
     * Creates an empty map sized for {@code expectedSize} mappings, with the
     * {@linkplain #defaultStripeCount() default number of stripes}: each stripe's table holds its share
     * ({@code expectedSize / stripes}, rounded up) without growing. A hint, as for the other maps' constructors; the
     * map grows past it as needed.
     *
     * @param expectedSize the number of mappings expected, not negative
     * @throws IllegalArgumentException if {@code expectedSize} is negative
     */
    public StripedMap(int expectedSize) {
        this(expectedSize, defaultStripeCount());
    }

    /**
     * Creates an empty map sized for {@code expectedSize} mappings with {@code stripes} stripes, rounded up to a
     * power of two.
     *
     * @param expectedSize the number of mappings expected, not negative (see {@link #StripedMap(int)})
     * @param stripes the number of stripes, from 1 to {@link #MAX_STRIPES}
     * @throws IllegalArgumentException if {@code expectedSize} is negative or {@code stripes} is out of range
     */
    @SuppressWarnings("unchecked") // a generic array: every element is created here as a Stripe<K, V>
    public StripedMap(int expectedSize, int stripes) {
        if (expectedSize < 0) {
            throw new IllegalArgumentException("expectedSize must not be negative, got " + expectedSize);
        }
        if (stripes < 1 || stripes > MAX_STRIPES) {
            throw new IllegalArgumentException(
                "stripes must be between 1 and " + MAX_STRIPES + " (rounded up to a power of two), got " + stripes);
        }
        int n = ceilingPowerOfTwo(stripes);
        int perStripe = (int) ((expectedSize + (long) n - 1) / n);
        Stripe<K, V>[] array = (Stripe<K, V>[]) new Stripe<?, ?>[n];
        for (int i = 0; i < n; i++) {
            array[i] = new Stripe<>(perStripe);
        }
        this.stripes = array;
        this.shift = 32 - Integer.numberOfTrailingZeros(n);
    }

    /**
     * Returns the number of stripes a map made by {@link #StripedMap()} has: the smallest power of two at least four
     * times {@link Runtime#availableProcessors()}, at most {@link #MAX_STRIPES}.
     *
     * @return the default stripe count in this JVM
     */
    public static int defaultStripeCount() {
        return ceilingPowerOfTwo((int) Math.min(MAX_STRIPES, 4L * Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Returns this map's number of stripes (a power of two).
     *
     * @return the stripe count
     */
    public int stripeCount() {
        return stripes.length;
    }

    private static int ceilingPowerOfTwo(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** Murmur3's 32-bit finalizer: a bijection in which every input bit affects every output bit. */
    static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** The index of {@code key}'s stripe: the top bits of its spread hash (a long shift, so 32 gives 0). */
    int stripeIndexOf(Object key) {
        return (int) (Integer.toUnsignedLong(spread(key.hashCode())) >>> shift);
    }

    private Stripe<K, V> stripeFor(Object key) {
        return stripes[stripeIndexOf(key)];
    }

    /* ---------------- Stripes ---------------- */

    /** Padding in front of a stripe's hot fields. Never read. */
    abstract static class StripeLeftPad {
        /** Fills the 4-byte gap after a compressed object header, so that no hot field can be placed there. */
        int gapFiller;
        long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
    }

    /** A stripe's hot fields: written (or their objects written) by every operation on the stripe. */
    abstract static class StripeFields<K, V> extends StripeLeftPad {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final ReentrantReadWriteLock.ReadLock readLock = lock.readLock();
        final ReentrantReadWriteLock.WriteLock writeLock = lock.writeLock();
        /** Signalled, under the write lock, when a pending computation ends. */
        final Condition computationDone = writeLock.newCondition();
        /** Guarded by {@code lock}. */
        final HashOrderedTable<K, V> table;
        /** {@code table.size()}, written under the write lock with setOpaque, read without a lock with getOpaque. */
        int size;
        /** The thread running a mapping function for this stripe, or null. Guarded by the write lock. */
        Thread computingThread;

        StripeFields(int expectedSize) {
            table = new HashOrderedTable<>(expectedSize);
        }
    }

    /** One stripe: its hot fields between two 128-byte pads. */
    static final class Stripe<K, V> extends StripeFields<K, V> {
        long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

        Stripe(int expectedSize) {
            super(expectedSize);
        }

        int sizeOpaque() {
            return (int) SIZE.getOpaque(this);
        }

        /** Publishes the table's size; called under the write lock after a change. */
        void sizeChanged() {
            SIZE.setOpaque(this, table.size());
        }

        /** One step of a chunked scan of this stripe's table, under its read lock. */
        Chunk<K, V> scan(Cursor cursor, int maxEntries) {
            readLock.lock();
            try {
                return table.scan(cursor, maxEntries);
            } finally {
                readLock.unlock();
            }
        }

        V get(Object key) {
            readLock.lock();
            try {
                return table.get(key);
            } finally {
                readLock.unlock();
            }
        }

        /**
         * Takes the write lock once no computation is pending on this stripe. On return the caller holds the
         * write lock and {@code computingThread} is null.
         */
        void lockForUpdate(String operation) {
            writeLock.lock();
            try {
                Thread me = Thread.currentThread();
                while (computingThread != null) {
                    if (computingThread == me) {
                        throw new IllegalStateException("Recursive update: " + operation + " was called on a"
                            + " StripedMap from inside one of its mapping functions (reached through another map's"
                            + " function); a mapping function must not modify its map");
                    }
                    computationDone.awaitUninterruptibly();
                }
            } catch (Throwable t) {
                writeLock.unlock();
                throw t;
            }
        }

        /**
         * Takes the write lock as {@link #lockForUpdate} does and looks {@code key} up under it. On a normal return
         * the caller holds the write lock; if the key's {@code hashCode} or {@code equals} throws, the lock is
         * released first.
         */
        V lookupForUpdate(Object key, String operation) {
            lockForUpdate(operation);
            try {
                return table.get(key);
            } catch (Throwable t) {
                writeLock.unlock();
                throw t;
            }
        }

        /**
         * Starts a computation over every mapping of the stripe ({@code replaceAll}): returns null if the stripe is
         * empty, otherwise a copy of its mappings as {@code [k0, v0, ...]} in the table's scan order, with this
         * thread marked as computing. Either way the write lock is released on return.
         */
        Object[] beginComputationOverAll(String operation) {
            lockForUpdate(operation);
            try {
                if (table.isEmpty()) {
                    return null;
                }
                Object[] kv = EntryCopies.keysAndValues(table);
                computingThread = Thread.currentThread();
                return kv;
            } finally {
                writeLock.unlock();
            }
        }

        /** Marks this thread as computing and releases the write lock taken by {@link #lockForUpdate}. */
        void beginComputation() {
            computingThread = Thread.currentThread();
            writeLock.unlock();
        }

        /** Ends a computation that stores nothing (its function threw, or had nothing to change). */
        void abandonComputation() {
            writeLock.lock();
            try {
                endComputation();
            } finally {
                writeLock.unlock();
            }
        }

        /** Ends a computation, storing {@code value} for {@code key} or removing it when {@code value} is null. */
        void commitComputation(K key, V old, V value) {
            writeLock.lock();
            try {
                if (value != null) {
                    table.put(key, value);
                } else if (old != null) {
                    table.remove(key);
                }
                sizeChanged();
            } finally {
                endComputation();
                writeLock.unlock();
            }
        }

        /**
         * Ends a computation begun by {@link #beginComputationOverAll}, storing each {@code kv[i + 1]} as the value
         * of {@code kv[i]}. The table has not changed since the copy (the computation mark kept every writer out), so
         * the values are stored by position, without calling the keys' {@code hashCode} or {@code equals}: nothing
         * here can throw, and the stripe's values change all together.
         */
        void commitComputation(Object[] kv) {
            writeLock.lock();
            try {
                table.replaceValuesInScanOrder(kv);
            } finally {
                endComputation();
                writeLock.unlock();
            }
        }

        private void endComputation() {
            computingThread = null;
            computationDone.signalAll();
        }

        /** Copies the table as {@code [k0, v0, ...]} under the read lock. */
        Object[] copyKeysAndValues() {
            readLock.lock();
            try {
                return table.isEmpty() ? NO_ENTRIES : EntryCopies.keysAndValues(table);
            } finally {
                readLock.unlock();
            }
        }
    }

    private static final Object[] NO_ENTRIES = {};

    /* ---------------- Chunked copies ---------------- */

    /** Where a chunked scan stands: a stripe, and the cursor of that stripe's table (null: from its start). */
    private static final class StripeCursor {
        final int stripe;
        final Cursor inner;

        StripeCursor(int stripe, Cursor inner) {
            this.stripe = stripe;
            this.inner = inner;
        }

        @Override
        public String toString() {
            return "StripeCursor[stripe=" + stripe + ", " + inner + "]";
        }
    }

    /**
     * Copies at most {@code maxEntries} mappings, visiting the stripes in order and each under its own read lock;
     * see {@link ChunkedSource} for the scan's guarantee. One call may take several stripes' locks one after the
     * other, never two at once, and never copies more than {@code maxEntries} mappings under one hold.
     */
    @Override
    public Chunk<K, V> copyChunk(Cursor cursor, int maxEntries) {
        int stripe = 0; // a maxEntries below 1 is rejected by the first stripe's scan
        Cursor inner = null;
        if (cursor != null) {
            StripeCursor c = cursor.position(this, StripeCursor.class);
            stripe = c.stripe;
            inner = c.inner;
        }
        List<Map.Entry<K, V>> out = new ArrayList<>();
        while (stripe < stripes.length) {
            Chunk<K, V> part = stripes[stripe].scan(inner, maxEntries - out.size());
            out.addAll(part.entries());
            if (part.next() != null) {
                return new Chunk<>(out, Cursor.issue(this, new StripeCursor(stripe, part.next())));
            }
            stripe++;
            inner = null;
            if (out.size() == maxEntries && stripe < stripes.length) {
                return new Chunk<>(out, Cursor.issue(this, new StripeCursor(stripe, null)));
            }
        }
        return new Chunk<>(out, null);
    }

    /* ---------------- Reads ---------------- */

    /**
     * Returns the value of {@code key}, or null. Takes the key's stripe read lock; O(1) expected.
     *
     * @throws NullPointerException naming {@code "key"}
     */
    @Override
    public V get(Object key) {
        requireKey(key);
        return stripeFor(key).get(key);
    }

    /**
     * Tells whether {@code key} is mapped. Takes the key's stripe read lock; O(1) expected.
     *
     * @throws NullPointerException naming {@code "key"}
     */
    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /**
     * Tells whether some key maps to {@code value}, scanning stripe by stripe under each one's read lock: O(n),
     * weakly consistent (see the class comment).
     *
     * @throws NullPointerException naming {@code "value"}
     */
    @Override
    public boolean containsValue(Object value) {
        requireValue(value, "value");
        for (Stripe<K, V> stripe : stripes) {
            stripe.readLock.lock();
            try {
                if (stripe.table.containsValue(value)) {
                    return true;
                }
            } finally {
                stripe.readLock.unlock();
            }
        }
        return false;
    }

    /**
     * Returns the sum of the stripes' counters, read without locks: exact when no write is in flight, otherwise
     * not necessarily the size at any one instant. O(stripes).
     */
    @Override
    public int size() {
        long sum = 0;
        for (Stripe<K, V> stripe : stripes) {
            sum += stripe.sizeOpaque();
        }
        return (int) Math.min(sum, Integer.MAX_VALUE);
    }

    /** Tells whether every stripe's counter is zero; same consistency as {@link #size()}. */
    @Override
    public boolean isEmpty() {
        for (Stripe<K, V> stripe : stripes) {
            if (stripe.sizeOpaque() != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs {@code action} on every mapping, stripe by stripe, each stripe copied under its read lock (weakly
     * consistent, see the class comment). The action runs without any lock held and may read and write this map.
     *
     * @throws NullPointerException naming {@code "action"}
     */
    @Override
    @SuppressWarnings("unchecked") // the copy holds this map's keys and values
    public void forEach(BiConsumer<? super K, ? super V> action) {
        requireFunction(action, "action");
        for (Stripe<K, V> stripe : stripes) {
            Object[] kv = stripe.copyKeysAndValues();
            for (int i = 0; i < kv.length; i += 2) {
                action.accept((K) kv[i], (V) kv[i + 1]);
            }
        }
    }

    /** Iterates stripe by stripe; see the class comment for what is seen. */
    @Override
    Iterator<Map.Entry<K, V>> entryIterator() {
        return new StripeIterator();
    }

    /** Returns the hash code per {@link Map#hashCode}: the sum of the stripes' hash codes, each under its lock. */
    @Override
    public int hashCode() {
        int h = 0;
        for (Stripe<K, V> stripe : stripes) {
            stripe.readLock.lock();
            try {
                h += stripe.table.hashCode();
            } finally {
                stripe.readLock.unlock();
            }
        }
        return h;
    }

    private final class StripeIterator implements Iterator<Map.Entry<K, V>> {
        private int nextStripe;
        private Object[] kv = NO_ENTRIES;
        private int position;

        @Override
        public boolean hasNext() {
            while (position == kv.length) {
                if (nextStripe == stripes.length) {
                    return false;
                }
                kv = stripes[nextStripe++].copyKeysAndValues();
                position = 0;
            }
            return true;
        }

        @Override
        @SuppressWarnings("unchecked") // the copy holds this map's keys and values
        public Map.Entry<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            K key = (K) kv[position];
            V value = (V) kv[position + 1];
            position += 2;
            return new AbstractMap.SimpleImmutableEntry<>(key, value);
        }
    }

    /* ---------------- Single-key writes ---------------- */

    @Override
    Object tableWrite(TableWrite write, Object key, Object a, Object b) {
        String operation = write.operation;
        FunctionGuard.checkNotInFunction(this, operation);
        Stripe<K, V> stripe = stripeFor(key);
        stripe.lockForUpdate(operation); // waits out a computation pending on the stripe
        try {
            Object result = write.applyTo(stripe.table, key, a, b);
            if (write.changedSize(result)) {
                stripe.sizeChanged();
            }
            return result;
        } finally {
            stripe.writeLock.unlock();
        }
    }

    /* ---------------- Atomic functions ---------------- */

    /**
     * Returns {@code key}'s value, computing and storing it first if absent. A hit is served under the stripe's
     * read lock. On a miss the write lock is taken, the key looked up again, and {@code mappingFunction} run at
     * most once, without any lock held (see the class notes); a null result stores nothing. Concurrent callers for
     * the same key wait for the first one's function instead of running their own.
     *
     * @throws NullPointerException naming {@code "key"} or {@code "mappingFunction"}
     * @throws IllegalStateException if called from a mapping function of this map, or if
     *     {@code mappingFunction} modifies this map
     */
    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        checkCompute("computeIfAbsent", key, mappingFunction, "mappingFunction");
        Stripe<K, V> stripe = stripeFor(key);
        V existing = stripe.get(key);
        if (existing != null) {
            return existing;
        }
        existing = stripe.lookupForUpdate(key, "computeIfAbsent");
        if (existing != null) {
            stripe.writeLock.unlock();
            return existing;
        }
        stripe.beginComputation();
        V value;
        try {
            value = FunctionGuard.call(this, mappingFunction, key, null, (f, a, b) -> f.apply(a));
        } catch (Throwable t) {
            stripe.abandonComputation();
            throw t;
        }
        stripe.commitComputation(key, null, value);
        return value;
    }

    /**
     * Recomputes {@code key}'s value if it is mapped; {@code remappingFunction} runs at most once, without any lock
     * held (see the class notes). A miss is answered under the stripe's read lock. A null result removes the
     * mapping.
     *
     * @throws NullPointerException naming {@code "key"} or {@code "remappingFunction"}
     * @throws IllegalStateException if called from a mapping function of this map, or if
     *     {@code remappingFunction} modifies this map
     */
    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        checkCompute("computeIfPresent", key, remappingFunction, "remappingFunction");
        Stripe<K, V> stripe = stripeFor(key);
        if (stripe.get(key) == null) {
            return null;
        }
        V old = stripe.lookupForUpdate(key, "computeIfPresent");
        if (old == null) {
            stripe.writeLock.unlock();
            return null;
        }
        return runComputation(stripe, key, old, remappingFunction);
    }

    /**
     * Computes {@code key}'s new value from its current one (or null); {@code remappingFunction} runs exactly
     * once, without any lock held (see the class notes). A null result removes the mapping.
     *
     * @throws NullPointerException naming {@code "key"} or {@code "remappingFunction"}
     * @throws IllegalStateException if called from a mapping function of this map, or if
     *     {@code remappingFunction} modifies this map
     */
    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        checkCompute("compute", key, remappingFunction, "remappingFunction");
        Stripe<K, V> stripe = stripeFor(key);
        V old = stripe.lookupForUpdate(key, "compute");
        return runComputation(stripe, key, old, remappingFunction);
    }

    /**
     * Stores {@code value} if {@code key} is absent (no function call, one write lock), otherwise the result of
     * {@code remappingFunction(old, value)}, run once without any lock held; a null result removes the mapping.
     *
     * @throws NullPointerException naming {@code "key"}, {@code "value"} or {@code "remappingFunction"}
     * @throws IllegalStateException if called from a mapping function of this map, or if
     *     {@code remappingFunction} modifies this map
     */
    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        checkWrite("merge", key, value);
        requireFunction(remappingFunction, "remappingFunction");
        Stripe<K, V> stripe = stripeFor(key);
        V old = stripe.lookupForUpdate(key, "merge");
        if (old == null) {
            try {
                stripe.table.put(key, value);
                stripe.sizeChanged();
            } finally {
                stripe.writeLock.unlock();
            }
            return value;
        }
        stripe.beginComputation();
        V result;
        try {
            result = FunctionGuard.call(this, remappingFunction, old, value, (f, a, b) -> f.apply(a, b));
        } catch (Throwable t) {
            stripe.abandonComputation();
            throw t;
        }
        stripe.commitComputation(key, old, result);
        return result;
    }

    /** Runs {@code function(key, old)} as the stripe's computation; the caller holds the write lock on entry. */
    private V runComputation(Stripe<K, V> stripe, K key, V old, BiFunction<? super K, ? super V, ? extends V> function) {
        stripe.beginComputation();
        V value;
        try {
            value = FunctionGuard.call(this, function, key, old, (f, a, b) -> f.apply(a, b));
        } catch (Throwable t) {
            stripe.abandonComputation();
            throw t;
        }
        stripe.commitComputation(key, old, value);
        return value;
    }

    /* ---------------- Multi-stripe writes ---------------- */

    /**
     * Replaces every value with {@code function(key, value)}, stripe by stripe. Each stripe is one computation:
     * its mappings are copied, the function runs once per mapping without any lock held, and the results are stored
     * together; if the function throws (or returns null: {@link NullPointerException}) that stripe keeps its old
     * values, and the stripes before it keep their new ones. Not atomic across stripes.
     *
     * @throws NullPointerException naming {@code "function"}, or if the function returns null
     * @throws IllegalStateException if called from a mapping function of this map, or if {@code function}
     *     modifies this map
     */
    @Override
    @SuppressWarnings("unchecked") // kv holds this map's keys and values
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        requireFunction(function, "function");
        FunctionGuard.checkNotInFunction(this, "replaceAll");
        for (Stripe<K, V> stripe : stripes) {
            Object[] kv = stripe.beginComputationOverAll("replaceAll");
            if (kv == null) {
                continue;
            }
            try {
                Object previous = FunctionGuard.enter(this);
                try {
                    for (int i = 0; i < kv.length; i += 2) {
                        kv[i + 1] = Objects.requireNonNull(function.apply((K) kv[i], (V) kv[i + 1]),
                            "replaceAll's function returned null");
                    }
                } finally {
                    FunctionGuard.exit(previous);
                }
            } catch (Throwable t) {
                stripe.abandonComputation();
                throw t;
            }
            stripe.commitComputation(kv);
        }
    }

    /**
     * Copies every mapping of {@code m} into this map. The argument is copied first (without our locks, so a null
     * in it changes nothing), then written stripe by stripe, each stripe's share under one write lock. Not atomic
     * across stripes. If a key's {@code hashCode} or {@code equals} throws (or an {@link Error} is thrown), the
     * mappings already written stay: those of the stripes done before, and the pairs of that stripe before the key;
     * none of the rest is written.
     *
     * @throws NullPointerException naming {@code "m"}, {@code "key"} or {@code "value"}
     * @throws IllegalStateException if called from a mapping function of this map
     */
    @Override
    @SuppressWarnings("unchecked") // kv holds K and V instances copied from a Map<? extends K, ? extends V>
    public void putAll(Map<? extends K, ? extends V> m) {
        FunctionGuard.checkNotInFunction(this, "putAll");
        Object[] kv = EntryCopies.keysAndValues(m);
        int pairs = kv.length / 2;
        if (pairs == 0) {
            return;
        }
        // Counting sort of the pairs by stripe, so each stripe is locked once.
        int[] stripeOfPair = new int[pairs];
        int[] start = new int[stripes.length + 1];
        for (int p = 0; p < pairs; p++) {
            stripeOfPair[p] = stripeIndexOf(kv[2 * p]);
            start[stripeOfPair[p] + 1]++;
        }
        for (int s = 0; s < stripes.length; s++) {
            start[s + 1] += start[s];
        }
        int[] order = new int[pairs];
        int[] next = start.clone();
        for (int p = 0; p < pairs; p++) {
            order[next[stripeOfPair[p]]++] = p;
        }
        for (int s = 0; s < stripes.length; s++) {
            if (start[s] == start[s + 1]) {
                continue;
            }
            Stripe<K, V> stripe = stripes[s];
            stripe.lockForUpdate("putAll");
            try {
                for (int i = start[s]; i < start[s + 1]; i++) {
                    int p = order[i];
                    stripe.table.put((K) kv[2 * p], (V) kv[2 * p + 1]);
                }
            } finally {
                stripe.sizeChanged();
                stripe.writeLock.unlock();
            }
        }
    }

    /**
     * Removes every mapping, stripe by stripe, each under its write lock. Not atomic across stripes: a concurrent
     * reader may see some stripes cleared and others not, and a concurrent writer's mapping may survive.
     *
     * @throws IllegalStateException if called from a mapping function of this map
     */
    @Override
    public void clear() {
        FunctionGuard.checkNotInFunction(this, "clear");
        for (Stripe<K, V> stripe : stripes) {
            stripe.lockForUpdate("clear");
            try {
                stripe.table.clear();
                stripe.sizeChanged();
            } finally {
                stripe.writeLock.unlock();
            }
        }
    }

    /* ---------------- Serialization ---------------- */

    /**
     * Serializes this map as a {@link SerializedMap}: the stripe count and the mappings, copied stripe by stripe.
     *
     * @return the serialized form
     */
    @Serial
    private Object writeReplace() {
        return new SerializedMap(SerializedMap.Kind.STRIPED, new long[] {stripes.length}, null,
            EntryCopies.keysAndValues(this));
    }
}
