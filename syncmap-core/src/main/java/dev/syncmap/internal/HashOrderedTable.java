package dev.syncmap.internal;

import dev.syncmap.ChunkedSource;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * A single-threaded chained hash table whose entries are kept in a fixed order derived from their keys' hash
 * codes, so that it can be scanned a chunk at a time with a cursor that survives inserts, removals and resizes.
 * It is the backing table for lock-based maps that implement {@link ChunkedSource}: the map guards it with its
 * own lock and calls {@link #scan(Object, int)} under that lock.
 *
 * <h2>Implementation notes</h2>
 * <b>Scan order.</b> Every key gets a 32-bit <i>order</i>: its hash code, mixed ({@code h ^ h >>> 16}) and then
 * multiplied by the 32-bit golden ratio (Fibonacci hashing). Both steps are bijections of {@code int}, so keys
 * with different hash codes always have different orders. Entries are scanned in increasing <em>unsigned</em>
 * order.
 *
 * <p><b>Layout.</b> With 2<sup>b</sup> buckets, an entry lives in bucket {@code order >>> (32 - b)}: its top
 * {@code b} bits. Bucket {@code i} therefore holds exactly the orders in {@code [i << (32-b), (i+1) << (32-b))},
 * buckets in index order are in scan order, and each chain is kept sorted by unsigned order (ties in insertion
 * order). Doubling the table splits bucket {@code i} into {@code 2i} and {@code 2i+1} by the next bit, keeping
 * both halves sorted. Capacity never shrinks (as {@link java.util.HashMap}).
 *
 * <p><b>Cursor.</b> A cursor is {@code (position, tiedKeys)}, meaning "every entry whose order is below
 * {@code position} has been dealt with, and so have the keys in {@code tiedKeys}, whose order is exactly
 * {@code position}". It speaks only of orders, never of buckets, so it stays valid across any change to the
 * table: resuming starts at bucket {@code position >>> (32 - b)} of whatever the capacity is now and skips what
 * the cursor covers. Hence a key present throughout a scan is delivered exactly once, and no key twice. The tied
 * keys are needed only for distinct keys with equal hash codes, and are almost always zero or one key.
 *
 * <p><b>Bounded work per call.</b> A call delivers at most {@code maxEntries} entries and visits at most
 * {@code 4 * maxEntries + 64} buckets; when it runs out of bucket visits (a large table left almost empty by
 * removals), it returns the entries found so far with a cursor at the next bucket boundary. So the caller's lock
 * is held for O(maxEntries) time, whatever the table's size.
 *
 * <p><b>As a {@link Map}.</b> The table is a {@link Map} so that a lock-based map can use it where it would use a
 * {@link java.util.HashMap}: {@code get}, {@code containsKey}, {@code put}, {@code remove}, {@code clear},
 * {@code forEach} and {@code replaceAll} are direct; {@code putIfAbsent}, {@code replace}, {@code compute},
 * {@code computeIfAbsent}, {@code computeIfPresent} and {@code merge} are {@link Map}'s defaults, built on
 * {@code get}, {@code put} and {@code remove} (correct here because the owner holds its lock around the whole
 * call). Its entry set iterates in scan order; entries support {@code setValue}, the iterator does not support
 * {@code remove}. Null keys and values are rejected.
 *
 * <p><b>When user code throws.</b> The keys' {@code hashCode} and {@code equals} are the only user code the table
 * runs (and the functions passed to {@code forEach}, {@code replaceAll} and the {@link Map} defaults). {@code put}
 * finds its key first, then allocates the new node and, when the table must grow, the doubled bucket array, and only
 * then links anything; {@code remove} unlinks only after its key is found: so an exception or {@link Error} from a
 * key, or an {@link OutOfMemoryError} from an allocation, leaves the table exactly as it was. {@code replaceAll}
 * stops at a function that throws, keeping the values replaced before it (as {@link java.util.HashMap});
 * {@link #replaceValuesInScanOrder} is the all-or-nothing alternative. The allocations are the
 * {@link FaultHooks} sites {@code NODE_ALLOCATION} and {@code TABLE_GROWTH}.
 *
 * <p>Traded away: compared with {@link java.util.HashMap}, no tree bins (many keys with equal hash codes make
 * their chain long: O(n) per operation among n colliding keys, and a chunked scan of them O(n) per chunk) and
 * sorted insertion into a chain (chains average under one entry, so this costs nothing measurable). Not
 * thread-safe: the owning map serializes access.
 *
 * @param <K> the type of keys, never null
 * @param <V> the type of values, never null
 */
public final class HashOrderedTable<K, V> extends AbstractMap<K, V> {

    private static final int MIN_BITS = 4;
    private static final int MAX_BITS = 30;
    private static final int GOLDEN_RATIO_32 = 0x9E3779B9;
    private static final Object[] NO_KEYS = new Object[0];

    /** One mapping; chains are sorted by unsigned {@code order}. */
    private static final class Node<K, V> extends KeyValueEntry<K, V> {
        final int order;
        Node<K, V> next;

        Node(int order, K key, V value, Node<K, V> next) {
            super(key, value);
            this.order = order;
            this.next = next;
        }

        @Override
        public V setValue(V newValue) {
            V old = value;
            value = Objects.requireNonNull(newValue, "value");
            return old;
        }
    }

    /** An immutable scan position; see the implementation notes. */
    private static final class ScanCursor {
        final int position;
        final Object[] tiedKeys;

        ScanCursor(int position, Object[] tiedKeys) {
            this.position = position;
            this.tiedKeys = tiedKeys;
        }

        @Override
        public String toString() {
            return "ScanCursor[position=" + Integer.toUnsignedString(position) + ", tied=" + tiedKeys.length + "]";
        }
    }

    private Node<K, V>[] buckets;
    private int shift;
    private int size;

    /** Creates an empty table with 16 buckets. */
    public HashOrderedTable() {
        this(0);
    }

    /**
     * Creates an empty table that holds {@code expectedSize} mappings without growing.
     *
     * @param expectedSize the number of mappings expected, not negative
     * @throws IllegalArgumentException if {@code expectedSize} is negative
     */
    public HashOrderedTable(int expectedSize) {
        if (expectedSize < 0) {
            throw new IllegalArgumentException("expectedSize must not be negative, got " + expectedSize);
        }
        int bits = MIN_BITS;
        while (bits < MAX_BITS && expectedSize > (1 << bits) - (1 << (bits - 2))) {
            bits++;
        }
        buckets = newBuckets(1 << bits);
        shift = 32 - bits;
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Node<K, V>[] newBuckets(int n) {
        return (Node<K, V>[]) new Node<?, ?>[n];
    }

    /**
     * Returns the scan order of a key: a bijective mix of its hash code.
     *
     * @param key the key
     * @return the order, compared unsigned
     */
    static int orderOf(Object key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) * GOLDEN_RATIO_32;
    }

    /**
     * Returns the number of mappings. O(1).
     *
     * @return the size
     */
    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Tells whether a key is present.
     *
     * @param key the key, not null
     * @return {@code true} if it is mapped
     */
    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /**
     * Returns the value mapped to a key.
     *
     * @param key the key, not null
     * @return the value, or {@code null} if absent
     */
    @Override
    public V get(Object key) {
        Node<K, V> n = find(key, orderOf(key));
        return n == null ? null : n.value;
    }

    /** The node of {@code key}, whose order is {@code order}, or null; walks its chain up to that order. */
    private Node<K, V> find(Object key, int order) {
        for (Node<K, V> n = buckets[order >>> shift]; n != null; n = n.next) {
            int c = Integer.compareUnsigned(n.order, order);
            if (c > 0) {
                break;
            }
            if (c == 0 && n.key.equals(key)) {
                return n;
            }
        }
        return null;
    }

    /**
     * Maps a key to a value, replacing any previous value.
     *
     * @param key the key, not null
     * @param value the value, not null
     * @return the previous value, or {@code null} if the key was absent
     */
    @Override
    public V put(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        int order = orderOf(key);
        Node<K, V> found = find(key, order);
        if (found != null) {
            V old = found.value;
            found.value = value;
            return old;
        }
        // A new key. Everything that can throw (the allocations) happens before the table is touched.
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.NODE_ALLOCATION);
        }
        Node<K, V> added = new Node<>(order, key, value, null);
        if (size + 1 > buckets.length - (buckets.length >>> 2) && shift > 32 - MAX_BITS) {
            grow();
        }
        link(added);
        size++;
        return null;
    }

    /** Links a new node into its chain, after every node of a lower or equal order. Calls no user code. */
    private void link(Node<K, V> added) {
        int index = added.order >>> shift;
        Node<K, V> before = null;
        Node<K, V> n = buckets[index];
        while (n != null && Integer.compareUnsigned(n.order, added.order) <= 0) {
            before = n;
            n = n.next;
        }
        added.next = n;
        if (before == null) {
            buckets[index] = added;
        } else {
            before.next = added;
        }
    }

    /**
     * Removes a key.
     *
     * @param key the key, not null
     * @return the value it had, or {@code null} if it was absent
     */
    @Override
    public V remove(Object key) {
        int order = orderOf(key);
        int index = order >>> shift;
        Node<K, V> before = null;
        for (Node<K, V> n = buckets[index]; n != null; before = n, n = n.next) {
            int c = Integer.compareUnsigned(n.order, order);
            if (c > 0) {
                break;
            }
            if (c == 0 && n.key.equals(key)) {
                if (before == null) {
                    buckets[index] = n.next;
                } else {
                    before.next = n.next;
                }
                size--;
                return n.value;
            }
        }
        return null;
    }

    /** Removes every mapping, keeping the capacity (and the validity of outstanding cursors). */
    @Override
    public void clear() {
        Arrays.fill(buckets, null);
        size = 0;
    }

    /**
     * Passes every mapping to {@code action}, in scan order.
     *
     * @param action receives each key and value; must not modify this table
     */
    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        for (Node<K, V> head : buckets) {
            for (Node<K, V> n = head; n != null; n = n.next) {
                action.accept(n.key, n.value);
            }
        }
    }

    /**
     * Replaces every value by {@code function}'s result, in scan order. Stops at the first null result with a
     * {@link NullPointerException}; the values replaced before it stay replaced (as with
     * {@link java.util.HashMap}).
     *
     * @param function computes each new value; must not modify this table
     */
    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        for (Node<K, V> head : buckets) {
            for (Node<K, V> n = head; n != null; n = n.next) {
                n.setValue(function.apply(n.key, n.value));
            }
        }
    }

    /**
     * Stores new values by position: {@code kv} is {@code [k0, v0, k1, v1, ...]} as {@link EntryCopies#keysAndValues}
     * copied this table (in scan order), with new values, and the table has not changed since. Calls no user code
     * ({@code hashCode}, {@code equals}) and allocates nothing, so it cannot fail halfway.
     *
     * @param kv the copied keys, in this table's scan order, each followed by its new value (not null)
     * @throws IllegalStateException if {@code kv} does not hold exactly this table's keys in scan order (checked
     *     before any value is stored)
     */
    @SuppressWarnings("unchecked") // kv's values are the caller's V results
    public void replaceValuesInScanOrder(Object[] kv) {
        int i = 0;
        for (Node<K, V> head : buckets) {
            for (Node<K, V> n = head; n != null; n = n.next, i += 2) {
                if (i >= kv.length || kv[i] != n.key || kv[i + 1] == null) {
                    throw new IllegalStateException("the table changed since its keys were copied");
                }
            }
        }
        if (i != kv.length) {
            throw new IllegalStateException("the table changed since its keys were copied");
        }
        i = 1;
        for (Node<K, V> head : buckets) {
            for (Node<K, V> n = head; n != null; n = n.next, i += 2) {
                n.value = (V) kv[i];
            }
        }
    }

    /**
     * Returns the mappings in scan order. The view reflects the table; its iterator does not support
     * {@code remove} and must not be used across a change to the table; its entries support {@code setValue}.
     *
     * @return the entry set
     */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                return new Iterator<>() {
                    private final Node<K, V>[] table = buckets;
                    private int bucket;
                    private Node<K, V> next = advance(null);

                    private Node<K, V> advance(Node<K, V> from) {
                        if (from != null && from.next != null) {
                            return from.next;
                        }
                        while (bucket < table.length) {
                            Node<K, V> head = table[bucket++];
                            if (head != null) {
                                return head;
                            }
                        }
                        return null;
                    }

                    @Override
                    public boolean hasNext() {
                        return next != null;
                    }

                    @Override
                    public Map.Entry<K, V> next() {
                        Node<K, V> n = next;
                        if (n == null) {
                            throw new NoSuchElementException();
                        }
                        next = advance(n);
                        return n;
                    }
                };
            }
        };
    }

    /**
     * Doubles the bucket array, splitting each chain in two by the next bit of the order, keeping both sorted. The
     * new array is allocated before any chain is touched, and relinking calls no user code and allocates nothing:
     * if the allocation fails the table is unchanged.
     */
    private void grow() {
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.TABLE_GROWTH);
        }
        Node<K, V>[] old = buckets;
        int newShift = shift - 1;
        Node<K, V>[] fresh = newBuckets(old.length << 1);
        for (int i = 0; i < old.length; i++) {
            Node<K, V> lowTail = null;
            Node<K, V> highTail = null;
            for (Node<K, V> n = old[i], next; n != null; n = next) {
                next = n.next;
                n.next = null;
                int target = n.order >>> newShift;
                if ((target & 1) == 0) {
                    if (lowTail == null) {
                        fresh[target] = n;
                    } else {
                        lowTail.next = n;
                    }
                    lowTail = n;
                } else {
                    if (highTail == null) {
                        fresh[target] = n;
                    } else {
                        highTail.next = n;
                    }
                    highTail = n;
                }
            }
        }
        buckets = fresh;
        shift = newShift;
    }

    /**
     * Copies at most {@code maxEntries} mappings that come after {@code cursor} in scan order, the
     * {@link ChunkedSource#copyChunk(ChunkedSource.Cursor, int)} step of a map backed by this table. The caller holds the lock
     * that guards the table. Work is O({@code maxEntries}) whatever the table's size (see the implementation
     * notes); the chunk may hold fewer entries than asked, even none, while more remain.
     *
     * @param cursor {@code null} to start, or the {@code next} cursor of a chunk this table returned (its issuer is
     *     this table)
     * @param maxEntries the most mappings to copy, at least 1
     * @return the chunk; its {@code next} is {@code null} when the scan has passed every mapping
     * @throws IllegalArgumentException if {@code maxEntries < 1} or the cursor did not come from this table
     */
    public ChunkedSource.Chunk<K, V> scan(ChunkedSource.Cursor cursor, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        int position = 0;
        Object[] tied = NO_KEYS;
        if (cursor != null) {
            ScanCursor c = cursor.position(this, ScanCursor.class);
            position = c.position;
            tied = c.tiedKeys;
        }
        List<Map.Entry<K, V>> out = new ArrayList<>(Math.min(maxEntries, Math.max(size, 1)));
        Set<Object> tiedNow = new HashSet<>(Arrays.asList(tied)); // keys: their own equals and hashCode
        long bucketVisitsLeft = 4L * maxEntries + 64;
        for (int bucket = position >>> shift; bucket < buckets.length; bucket++) {
            if (bucketVisitsLeft-- == 0) {
                // everything below this bucket's first order is dealt with
                return new ChunkedSource.Chunk<>(out, cursor(bucket << shift, NO_KEYS));
            }
            for (Node<K, V> n = buckets[bucket]; n != null; n = n.next) {
                int c = Integer.compareUnsigned(n.order, position);
                if (c < 0 || (c == 0 && tiedNow.contains(n.key))) {
                    continue;
                }
                if (out.size() == maxEntries) {
                    return new ChunkedSource.Chunk<>(out, cursor(position, tiedNow.toArray()));
                }
                out.add(Map.entry(n.key, n.value));
                if (c > 0) {
                    position = n.order;
                    tiedNow.clear();
                }
                tiedNow.add(n.key);
            }
        }
        return new ChunkedSource.Chunk<>(out, null);
    }

    private ChunkedSource.Cursor cursor(int position, Object[] tiedKeys) {
        return ChunkedSource.Cursor.issue(this, new ScanCursor(position, tiedKeys));
    }
}
