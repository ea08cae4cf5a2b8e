package dev.syncmap;

import dev.syncmap.internal.EntryCopies;
import dev.syncmap.internal.VarHandles;
import dev.syncmap.internal.FaultHooks;
import dev.syncmap.internal.FunctionGuard;

import java.io.Serial;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A concurrent map with revisions, constant-time linearizable snapshots and a watchable change feed: the flagship
 * of {@code dev.syncmap}, modelled on etcd's MVCC store and held to its watch guarantees.
 *
 * <h2>What it offers</h2>
 * <ul>
 *   <li><b>Revisions.</b> Every successful mutation commits exactly the next {@linkplain #revision() revision}
 *       (0 for a new map; strictly increasing; no gaps). A call that changes nothing (removing an absent key, a
 *       failed {@code replace} or {@code putIfAbsent}, a {@code compute} that returns {@code null} for an absent
 *       key, a {@code putAll} of an empty map, a {@code clear} of an empty map, a {@code reload} with identical
 *       content) commits none. A {@code put} of a value equal to the current one is a successful write and
 *       commits. {@link #putAll}, {@link #replaceAll}, {@link #clear} and {@link #reload} commit <b>one</b>
 *       revision each, covering all their changes.</li>
 *   <li><b>Snapshots.</b> {@link #snapshot()} returns an immutable {@link Snapshot} of the whole content at one
 *       revision, linearizable with every other operation, in time independent of the map's size; holding it
 *       never blocks writers; its {@code size()} is exact and its iteration consistent; it can be read in key order
 *       ({@link VersionedSnapshot#sorted()}).</li>
 *   <li><b>The feed.</b> {@link #changesSince(long)} returns every change after a revision;
 *       {@link #watch(long, WatchListener)} and {@link #publisher(long)} deliver them asynchronously: ordered by
 *       revision, each once, without gaps, a revision never split across deliveries, resumable from any retained
 *       revision, with progress bookmarks when idle. A slow watcher never blocks writers; when the history it needs
 *       is compacted it is told so ({@link CompactedException}) and can resume from a new snapshot.</li>
 *   <li><b>Bounded history</b>, by revisions and by estimated bytes ({@link Builder}); defaults: the last
 *       {@value #DEFAULT_HISTORY_COUNT} revisions and 64 MiB at {@value #DEFAULT_CHANGE_BYTES} bytes per change.</li>
 * </ul>
 *
 * <h2>The restart recipe</h2>
 * To follow the map from scratch (a cache, a replica, an export): take {@code Snapshot s = map.snapshot()}, load
 * {@code s}, then consume {@code map.changesSince(s.revision())} or {@code map.watch(s.revision(), listener)}.
 * The snapshot holds exactly the revisions up to {@code s.revision()} and the feed exactly those after it, so the
 * pair is gap-free and duplicate-free, whatever writers do meanwhile. If the feed reports
 * {@link CompactedException} (the follower was too slow for the retained history), repeat from a new snapshot.
 *
 * <h2>Contract</h2>
 * Full {@link ConcurrentMap} semantics. Null keys and values are rejected with a {@link NullPointerException}
 * naming the argument (queries included). {@code compute}, {@code computeIfAbsent}, {@code computeIfPresent},
 * {@code merge} and {@code replaceAll} are atomic per key and run their function at most once per call (per key
 * for {@code replaceAll}); a function that modifies this map gets an {@link IllegalStateException}. Views never
 * throw {@link java.util.ConcurrentModificationException}: their iterators are weakly consistent (like
 * {@code ConcurrentHashMap}'s); for a consistent iteration use {@link #snapshot()}. {@link #size()} is exact and
 * linearizable, in constant time.
 *
 * <p><b>Batches and single-key reads.</b> A batch ({@code putAll}, {@code replaceAll}, {@code clear},
 * {@code reload}) is atomic for snapshots, {@link #size()}, {@link #revision()} and the feed: none of them ever
 * shows part of it. It is <em>not</em> atomic for {@link #get} and the other single-key reads, which may see some
 * keys of a batch in progress before others (as with {@code ConcurrentHashMap.putAll}); each key's value is always
 * one that was committed or is being committed. Once the batch call returns, every read sees all of it.
 *
 * <h2>Costs</h2>
 * {@link #get} is one volatile table read and a walk of one bin, as in {@code ConcurrentHashMap}, and touches no
 * line that writers of other keys write. A write takes its key's stripe lock and, for a few nanoseconds, the commit
 * sequencer (one CAS on a line every writer shares: the price of one total order), appends to the history without
 * allocating, and allocates only a node for a new key; while a snapshot is held, a write also allocates one
 * 32-byte version record so that the snapshot keeps its view. {@link #snapshot()} registers the snapshot and
 * reads the revision counter: O(1) (and free when nothing was committed since the previous snapshot).
 * Keys whose hash codes collide share a bin, searched linearly: colliding keys cost O(collisions) per operation.
 *
 * <h2>Serialization</h2>
 * The current content, revision, history bounds and comparator are serialized; the history, the size
 * estimator, the executor and the watches are not: a deserialized map continues at the same revision with an
 * empty history (so {@code changesSince(revision())} works and anything older reports
 * {@link CompactedException}).
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
/*
 * Implementation notes
 * ====================
 *
 * Layout. A power-of-two table of bins, each a singly linked list of Nodes (hash, key, value, next, prior),
 * prepended on insert. `value` is the live value (null: a tombstone kept only for a live snapshot); `prior` is the
 * node's version chain, newest first: Version(value, revision, older), where `revision` is the revision of the write
 * that REPLACED `value`. So `value` of version c was in effect for revisions [c.older.revision, c.revision), and
 * the live value since prior.revision. A node is 32 bytes (compressed oops), like a ConcurrentHashMap node: `prior`
 * fills what is padding there. No node carries its own revision: versions exist only while a snapshot needs them.
 *
 * Writers. A write locks its key's stripe (a StripeLock: a padded JDK queued mutex; the stripe is the low bits of
 * the spread hash, so a bin belongs to exactly one stripe at every table size), finds the node, runs the mapping
 * function if any (FunctionGuard around it), and, only if something changes, commits: it takes the Sequencer
 * (CAS `2r -> 2r+1`, allocating revision r+1), publishes the change, appends it to the ChangeLog, writes the new
 * size, and releases the sequencer with a volatile store of `2(r+1)` (then wakes a queued waiter, if any). Allocation (node, version record, history
 * growth) and the size estimate happen before the sequencer is taken, so the critical section runs no user code
 * and, in practice, cannot fail (see "When code throws").
 *
 * Why revisions are gap-free and in visibility order: a revision is allocated only inside a commit that has
 * already decided to change something and cannot fail, and the sequencer is held from allocation until every
 * effect is published. Readers therefore never observe revision r+1's value while r's is still invisible; this
 * is what makes a cut by revision linearizable (with per-writer visibility, a get could see r+1 before r and a
 * snapshot at r would contradict it).
 *
 * Snapshot cut. snapshot() waits until the sequencer word is even and reads it, 2R: every commit <= R has
 * released (its stores happen-before this acquire read) and none > R has started. That read is the
 * linearization point; (R, size) are read in one seqlock window. The snapshot reads the live table later,
 * resolving each node at R: the live value if prior == null or prior.revision <= R, else the value of the
 * oldest version in the chain's prefix with revision > R.
 *
 * Keeping what a snapshot needs. The SnapshotRegistry publishes an immutable LiveSet (null if no snapshot is
 * live). snapshot() registers under the registry's lock: it publishes a pending floor (a revision <= its cut) with
 * a volatile write BEFORE its volatile read of the sequencer (the cut), then the exact revision; a commit reads the
 * LiveSet AFTER its sequencer CAS. In the synchronization order, if the commit's CAS follows the cut, its LiveSet
 * read follows the registration: it sees a live snapshot and pushes a Version(old value, its revision) before
 * storing the new value (and leaves a tombstone instead of unlinking a removed node; gives an inserted node the
 * version "absent before r"). If the cut follows the commit's release, the snapshot includes the commit and needs
 * nothing older. With no snapshot live, writes keep no history, drop any stale chain, and unlink removed nodes: the
 * common path allocates nothing for versions. An idle map hands out its newest snapshot again (cached until the
 * next commit), so repeated snapshots of an unchanged map cost two reads.
 *   Order of stores against a concurrent snapshot read: the writer stores `prior` then `value` (release); the
 *   reader loads `value` then `prior` (acquire). If it saw the new value it also sees the new chain, whose head
 *   revision (> R) sends it to the old value; if it saw the old value, either chain resolves to it. No retry.
 *
 * Pruning. A chain version [from, until) is dropped when no live snapshot's revision lies in it (exact
 * revisions), or when until <= the lowest live revision (while a cut is in progress, or with many snapshots).
 * Dropping only ever removes versions no live snapshot can reach, so it may relink `older` pointers in place
 * while snapshot readers walk them. A pruner reads the LiveSet after it observed (under the stripe lock or the
 * sequencer) the versions it prunes, so a snapshot that registers later has its cut above them. A push prunes
 * when the chain is short or its length reaches a power of two (amortized O(1), even when one snapshot per write
 * waits for the collector). Tombstones are unlinked by later writers of the same bin and by resizes once no live
 * snapshot is older than the removal. Snapshots are released by the garbage collector (a Cleaner);
 * Reference.reachabilityFence keeps a snapshot registered while one of its methods or iterators runs.
 *
 * Batches (putAll, replaceAll, clear, reload) lock every stripe in index order (single-key writers hold one
 * stripe and never wait for another while holding it, so there is no deadlock), compute all changes (running
 * replaceAll's function; nothing is published if it throws), then apply them all inside one sequencer section
 * and append one history slot: one revision, never visible in part to a cut.
 *
 * Resize: lock every stripe, move every mapping into a table twice as large, publish it. As in CHM, the tail of
 * each bin's chain that goes to one new bin is shared by both tables and the nodes before it are copied
 * (dropping prunable tombstones and, with no snapshot live, version chains); see transferLocked for why sharing
 * is safe: a snapshot walking the old table reads each node through the same version discipline as the new
 * table, and live readers of the old table only miss inserts that started after they began. Readers never
 * block; writers wait for the move (there is no incremental transfer).
 *
 * Get. The hot path is CHM's: a volatile read of `table`, an acquire read of the bin, a walk comparing hash
 * and key, an acquire read of `value`. It reads no field that a writer of another key writes: the sequencer,
 * stripe locks, size and history live in other objects, on their own cache lines.
 *
 * History. The ChangeLog slot of revision r is written inside r's sequencer section, so the log is complete up
 * to every committed revision; its bookkeeping (oldest retained revision, retained bytes) lives on the
 * sequencer's cache line, and the count bound is applied arithmetically, so an append is three reference stores
 * and an addition.
 *
 * When code throws. User code (keys' hashCode/equals, mapping functions, the size estimator, the source map of a
 * batch) runs before the sequencer is taken: under the key's stripe (or every stripe, for a batch), each released
 * in finally (lockAll releases what it took if taking a stripe throws), and with FunctionGuard restored in
 * finally. A throw there commits nothing and leaves the map as it was (a batch's changes are only gathered until
 * its commit; putAll/reload copy and de-duplicate their source first, the last occurrence of a key winning).
 * The commit section runs no user code and is split so that it cannot fail in practice: everything that allocates
 * (node, version records when a snapshot is live, the history entry and the history's growth) is done before the
 * sequencer is taken; stage 1 inside it (a version record for a snapshot that registered meanwhile, the history's
 * reservation) may still allocate and, if it throws, is rolled back (Sequencer.rollback: no store was made, the
 * revision is reused); stage 2 publishes and allocates nothing. An Error that still escapes stage 2 (a stack
 * overflow, an asynchronous error) leaves a half-applied revision: the sequencer is poisoned (its word stays odd),
 * every watch is closed, and every later commit, snapshot, revision(), size() and feed call throws an
 * IllegalStateException naming the revision and carrying the Error (single-key reads still answer, and may show
 * part of that revision; a write that finds nothing to change commits nothing and still returns). An Error growing
 * the table after a commit (afterCommit) propagates to the writer although its write is committed, as in
 * ConcurrentHashMap; the table then grows on a later insert. The injection sites of internal.FaultHooks mark these
 * places (NODE_ALLOCATION, LOG_APPEND before the section and in stage 2, TABLE_GROWTH).
 *
 * Traded away: one global commit order costs every write a CAS on a shared line (writers do not scale across
 * cores the way ConcurrentHashMap's do: that line, and the history slot written in the section, move between
 * cores on every write); batches and resizes stop writers for their duration; a held snapshot makes writes
 * allocate; colliding hashes are not tree-ified.
 */
public final class VersionedMap<K, V> extends AbstractConcurrentMap<K, V>
    implements ConcurrentMap<K, V>, Serializable, Snapshottable<K, V> {

    private static final long serialVersionUID = 1L;

    /** The default number of revisions the history keeps. */
    public static final int DEFAULT_HISTORY_COUNT = 10_000;
    /** The default bound on the estimated bytes of the history. */
    public static final long DEFAULT_HISTORY_BYTES = 64L << 20;
    /** The default estimate of one change's size in the history, in bytes. */
    public static final long DEFAULT_CHANGE_BYTES = 64;
    /** The default interval of progress bookmarks for idle watches. */
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(1);
    /** The largest history count accepted. */
    public static final int MAX_HISTORY_COUNT = 1 << 26;

    private static final int HASH_BITS = 0x7fffffff;
    private static final int MAX_TABLE = 1 << 30;
    private static final int MIN_TABLE = 16;
    /** From this many bins on, a write walks its bin without the lock first, so its cache misses are not taken
     * while holding the stripe (shorter holds, less waiting for other writers of the stripe). */
    private static final int WARM_TABLE = 1 << 16;

    private static final VarHandle TAB = MethodHandles.arrayElementVarHandle(Node[].class);
    private static final VarHandle VALUE = VarHandles.field(MethodHandles.lookup(), Node.class, "value", Object.class);
    private static final VarHandle NEXT = VarHandles.field(MethodHandles.lookup(), Node.class, "next", Node.class);
    private static final VarHandle PRIOR = VarHandles.field(MethodHandles.lookup(), Node.class, "prior", Version.class);
    private static final VarHandle OLDER =
        VarHandles.field(MethodHandles.lookup(), Version.class, "older", Version.class);

    /* ---------------- Fields ---------------- */

    /** Read by every get; written only by a resize (all stripes held). */
    private transient volatile Node<K, V>[] table;

    private final transient StripeLock[] stripeLocks;
    private final transient int stripeMask;
    private final transient Sequencer sequencer;
    private final transient ChangeLog<K, V> log;
    private final transient SnapshotRegistry registry;
    private final transient WatchHub<K, V> hub;
    private final transient Comparator<? super K> comparator;
    private final transient long historyCount;
    private final transient long historyBytes;

    /* ---------------- Construction ---------------- */

    /**
     * Creates an empty map at revision 0 with the default configuration (see {@link Builder}).
     */
    public VersionedMap() {
        this(new Builder<>(), 0, 0);
    }

    /**
     * Creates an empty map at revision 0 with the default configuration, its table sized for {@code expectedSize}
     * mappings (the same as {@code builder().expectedSize(expectedSize).build()}).
     *
     * @param expectedSize the number of mappings expected, not negative
     * @throws IllegalArgumentException if {@code expectedSize} is negative
     */
    public VersionedMap(int expectedSize) {
        this(new Builder<K, V>().expectedSize(expectedSize), 0, 0);
    }

    private VersionedMap(Builder<K, V> b, long startRevision, int expectedSize) {
        int stripes = b.stripes > 0 ? b.stripes : defaultStripes();
        this.stripeMask = stripes - 1;
        this.stripeLocks = new StripeLock[stripes];
        for (int i = 0; i < stripes; i++) {
            stripeLocks[i] = new StripeLock();
        }
        this.sequencer = new Sequencer(startRevision, 0);
        ChangeLog.Estimator<K, V> est = b.estimator == null ? null : b.estimator::estimate;
        this.log = new ChangeLog<>(sequencer, b.historyCount, b.historyBytes, DEFAULT_CHANGE_BYTES, est);
        this.registry = new SnapshotRegistry();
        this.hub = new WatchHub<>(this, log, b.executor,
            b.progressInterval.toNanos());
        this.comparator = b.comparator;
        this.historyCount = b.historyCount;
        this.historyBytes = b.historyBytes;
        int want = Math.max(b.initialCapacity, expectedSize);
        this.table = newTable(Math.max(stripes, tableSizeFor(want)));
    }

    /**
     * Returns a builder for a map with a non-default configuration.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return a new builder with every setting at its default
     */
    public static <K, V> Builder<K, V> builder() {
        return new Builder<>();
    }

    private static int defaultStripes() {
        int want = 2 * Runtime.getRuntime().availableProcessors();
        int p = Integer.highestOneBit(Math.max(1, want - 1)) << 1;
        return Math.min(64, Math.max(16, p));
    }

    private static int tableSizeFor(int expected) {
        long need = (long) expected + (expected >>> 1) + 1; // load factor 0.75, as ConcurrentHashMap
        int n = MIN_TABLE;
        while (n < need && n < MAX_TABLE) {
            n <<= 1;
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Node<K, V>[] newTable(int n) {
        return (Node<K, V>[]) new Node<?, ?>[n];
    }

    static int spread(int h) {
        return (h ^ (h >>> 16)) & HASH_BITS;
    }

    private static int threshold(int tableLength) {
        return tableLength - (tableLength >>> 2);
    }

    /* ---------------- Nodes and versions ---------------- */

    /** A bin entry. Fields are accessed through VarHandles: acquire reads off-lock, release writes. */
    static final class Node<K, V> {
        final int hash;
        final K key;
        /** The live value, or null for a tombstone. */
        Object value;
        Node<K, V> next;
        /** Newest-first chain of replaced values still needed by live snapshots; may be stale when none is. */
        Version prior;

        Node(int hash, K key, Object value) {
            this(hash, key, value, null, null);
        }

        Node(int hash, K key, Object value, Version prior, Node<K, V> next) {
            this.hash = hash;
            this.key = key;
            this.value = value;
            this.prior = prior;
            this.next = next;
        }
    }

    /**
     * A replaced value: in effect for revisions [older.revision, revision); null value means absent. 32 bytes with
     * compressed references ({@code length} fills the alignment gap).
     */
    static final class Version {
        final Object value;
        /** Set once by {@link #stamp} inside the commit section, before the version is published (release). */
        long revision;
        Version older;
        /** The chain's length from this version down, as of its push or its last pruning; a pruning trigger. */
        int length;

        /** A version of {@code value} on top of {@code older}, allocated before its revision is known. */
        Version(Object value, Version older) {
            this.value = value;
            this.older = older;
            this.length = older == null ? 1 : older.length + 1;
        }

        Version stamp(long rev) {
            this.revision = rev;
            return this;
        }
    }

    /** Allocates a version record for a write (the value it replaces over the node's chain); a fault site. */
    private static Version newVersion(Object replaced, Version older) {
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.NODE_ALLOCATION);
        }
        return new Version(replaced, older);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Node<K, V> tabAt(Node<K, V>[] tab, int i) {
        return (Node<K, V>) TAB.getAcquire(tab, i);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Node<K, V> nextOf(Node<K, V> e) {
        return (Node<K, V>) NEXT.getAcquire(e);
    }

    /** The value of {@code e} as of revision {@code revision}, or null if absent then. */
    static Object resolve(Node<?, ?> e, long revision) {
        Object v = VALUE.getAcquire(e);
        Version c = (Version) PRIOR.getAcquire(e);
        if (c == null || c.revision <= revision) {
            return v;
        }
        Object found;
        do {
            found = c.value;
            c = (Version) OLDER.getAcquire(c);
        } while (c != null && c.revision > revision);
        return found;
    }

    /* ---------------- Stripe locks ---------------- */

    private StripeLock lockStripe(int hash) {
        StripeLock lock = stripeLocks[hash & stripeMask];
        lock.lock();
        return lock;
    }

    /**
     * Takes every stripe, in index order. If taking one throws (an Error while waiting), the stripes already taken
     * are released before it propagates, so that callers can use {@code lockAll(); try {..} finally {unlockAll();}}.
     */
    private void lockAll() {
        int s = 0;
        try {
            for (; s <= stripeMask; s++) {
                stripeLocks[s].lock();
            }
        } catch (Throwable t) {
            while (--s >= 0) {
                stripeLocks[s].unlock();
            }
            throw t;
        }
    }

    private void unlockAll() {
        for (int s = stripeMask; s >= 0; s--) {
            stripeLocks[s].unlock();
        }
    }

    /** Walks the key's bin without locking, to bring it into the cache before the stripe is taken. */
    private void warm(int h, Object key) {
        Node<K, V>[] tab = table;
        if (tab.length >= WARM_TABLE) {
            for (Node<K, V> e = tabAt(tab, h & (tab.length - 1)); e != null; e = nextOf(e)) {
                Object k;
                if (e.hash == h && ((k = e.key) == key || key.equals(k))) {
                    return;
                }
            }
        }
    }

    /* ---------------- Reads ---------------- */

    /**
     * Returns the value mapped to {@code key}, or {@code null}. Lock-free and wait-free (one bin walk);
     * linearizable.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        int h = spread(requireKey(key).hashCode());
        Node<K, V>[] tab = table;
        for (Node<K, V> e = tabAt(tab, h & (tab.length - 1)); e != null; e = nextOf(e)) {
            Object k;
            if (e.hash == h && ((k = e.key) == key || key.equals(k))) {
                return (V) VALUE.getAcquire(e);
            }
        }
        return null;
    }

    /**
     * Tells whether {@code key} is mapped. Same cost and guarantees as {@link #get}.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    /**
     * Returns the exact number of mappings, linearizable, in constant time (it may wait for a commit in progress
     * to finish).
     */
    @Override
    public int size() {
        long n = sequencer.sizeAtCut();
        return n > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }

    /** Tells whether the map is empty; exact and linearizable, in constant time. */
    @Override
    public boolean isEmpty() {
        return sequencer.sizeAtCut() == 0;
    }

    /**
     * Returns the revision of the last committed change (0 for a map never modified). Linearizable: after a
     * mutation returns, this is at least its revision. Constant time; may wait for a commit in progress.
     *
     * @return the current revision
     */
    public long revision() {
        return sequencer.awaitIdle() >>> 1;
    }

    /**
     * Waits until no commit is in progress (volatile reads of the sequencer word): the registering side of the
     * commit/watch handshake (see {@link WatchHub}).
     *
     * @throws IllegalStateException if the map is broken
     */
    void awaitNoCommitInFlight() {
        sequencer.awaitIdle();
    }

    /** The last committed revision without waiting: for the asynchronous feed. */
    long committedRevision() {
        return sequencer.committedRevision();
    }

    /**
     * Returns the oldest revision whose changes the history still holds; {@code revision() + 1} when it holds
     * none. {@code changesSince(r)} and {@code watch(r, ..)} succeed for every {@code r >= oldestRetainedRevision()
     * - 1}.
     *
     * @return the oldest retained revision
     */
    public long oldestRetainedRevision() {
        return log.oldestRetained();
    }

    /* ---------------- Single-key writes ---------------- */

    /**
     * Maps {@code key} to {@code value}, committing one revision (even if the value equals the current one).
     *
     * @return the previous value, or {@code null}
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V put(K key, V value) {
        checkWrite("put", key, value);
        return update(Mode.PUT, key, value, null);
    }

    /**
     * Maps {@code key} to {@code value} if it is absent (committing a revision), else changes nothing.
     *
     * @return the current value, or {@code null} if it was absent
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V putIfAbsent(K key, V value) {
        checkWrite("putIfAbsent", key, value);
        return update(Mode.PUT_IF_ABSENT, key, value, null);
    }

    /**
     * Removes {@code key}'s mapping, committing a revision if there was one.
     *
     * @return the removed value, or {@code null} if absent (no revision)
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    @SuppressWarnings("unchecked") // a K: remove(Object) of a key that is not a K finds nothing and stores nothing
    public V remove(Object key) {
        checkWrite("remove", key);
        return update(Mode.REMOVE, (K) key, null, null);
    }

    /**
     * Removes {@code key}'s mapping if it is mapped to a value equal to {@code value}.
     *
     * @return whether it was removed (and a revision committed)
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    @SuppressWarnings("unchecked") // as remove(Object)
    public boolean remove(Object key, Object value) {
        checkWrite("remove", key, value);
        return update(Mode.REMOVE_VALUE, (K) key, value, null) != null;
    }

    /**
     * Replaces {@code key}'s value if it is mapped, committing a revision.
     *
     * @return the previous value, or {@code null} if absent (no revision)
     * @throws NullPointerException if {@code key} or {@code value} is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public V replace(K key, V value) {
        checkWrite("replace", key, value);
        return update(Mode.REPLACE, key, value, null);
    }

    /**
     * Replaces {@code key}'s value with {@code newValue} if it is mapped to a value equal to {@code oldValue},
     * committing a revision.
     *
     * @return whether it was replaced
     * @throws NullPointerException if any argument is null
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        checkReplace("replace", key, oldValue, newValue);
        return update(Mode.REPLACE_VALUE, key, oldValue, newValue) != null;
    }

    /**
     * If {@code key} is absent, computes its value with {@code mappingFunction} (at most once, under the key's
     * lock; after a lock-free check, so a present key costs a {@link #get}) and maps it unless it is null.
     *
     * @return the current (existing or computed) value, or {@code null}
     * @throws NullPointerException if {@code key} or the function is null
     * @throws IllegalStateException if called from, or if the function modifies, this map
     */
    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        checkCompute("computeIfAbsent", key, mappingFunction, "mappingFunction");
        V present = get(key); // also brings the bin into the cache
        if (present != null) {
            return present;
        }
        return update(Mode.COMPUTE_IF_ABSENT, key, mappingFunction, null);
    }

    /**
     * If {@code key} is mapped, computes a new value with {@code remappingFunction} (at most once, under the
     * key's lock) and maps it, or removes the key if it is null.
     *
     * @return the new value, or {@code null}
     * @throws NullPointerException if {@code key} or the function is null
     * @throws IllegalStateException if called from, or if the function modifies, this map
     */
    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        checkCompute("computeIfPresent", key, remappingFunction, "remappingFunction");
        if (get(key) == null) {
            return null;
        }
        return update(Mode.COMPUTE_IF_PRESENT, key, remappingFunction, null);
    }

    /**
     * Computes {@code key}'s new value from its current one (or {@code null}) with {@code remappingFunction}
     * (at most once, under the key's lock): maps it, or removes the key if it is null. Commits nothing if the key
     * was absent and the function returns null.
     *
     * @return the new value, or {@code null}
     * @throws NullPointerException if {@code key} or the function is null
     * @throws IllegalStateException if called from, or if the function modifies, this map
     */
    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        checkCompute("compute", key, remappingFunction, "remappingFunction");
        return update(Mode.COMPUTE, key, remappingFunction, null);
    }

    /**
     * Maps {@code key} to {@code value} if absent, else to {@code remappingFunction(old, value)} (run at most
     * once, under the key's lock), removing the key if that is null.
     *
     * @return the new value, or {@code null}
     * @throws NullPointerException if {@code key}, {@code value} or the function is null
     * @throws IllegalStateException if called from, or if the function modifies, this map
     */
    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        checkWrite("merge", key, value);
        requireFunction(remappingFunction, "remappingFunction");
        return update(Mode.MERGE, key, value, remappingFunction);
    }

    /** The single-key writes, all made by {@link #update}: each decides the key's next value from its current one. */
    private enum Mode {
        PUT(true, false, false), PUT_IF_ABSENT(true, true, false), REMOVE(true, false, false),
        REMOVE_VALUE(true, false, false), REPLACE(true, false, false), REPLACE_VALUE(true, false, false),
        COMPUTE_IF_ABSENT(false, true, true), COMPUTE_IF_PRESENT(false, false, true), COMPUTE(false, false, false),
        MERGE(false, false, false);

        /** Whether a committing call returns the previous value (else the new one). */
        final boolean returnsPrevious;
        /** Whether a call that commits nothing returns the current value (else null). */
        final boolean unchangedReturnsCurrent;
        /** Whether the public method has just read the key with {@link #get} (which brought its bin into the cache). */
        final boolean readFirst;

        Mode(boolean returnsPrevious, boolean unchangedReturnsCurrent, boolean readFirst) {
            this.returnsPrevious = returnsPrevious;
            this.unchangedReturnsCurrent = unchangedReturnsCurrent;
            this.readFirst = readFirst;
        }
    }

    /** {@link #next}'s answer when the call commits nothing. */
    private static final Object UNCHANGED = new Object();

    /**
     * Every single-key write, under the key's stripe lock: finds the key's node, asks {@link #next} for its next
     * value, and commits it (null removes the key), or nothing if {@code next} says {@link #UNCHANGED}. A user
     * function (the compute family's) runs inside {@code next}, at most once; if it throws, nothing was
     * committed and the stripe is released by the {@code finally}.
     *
     * @param a the mode's first argument: the value, the expected value, or the function
     * @param b the mode's second argument: the replacement value or the merge function, or null
     * @return the result of the public method; {@code REMOVE_VALUE} and {@code REPLACE_VALUE} return non-null iff
     *     they committed
     */
    @SuppressWarnings("unchecked") // the values stored are V, by the public methods' signatures
    private V update(Mode mode, K key, Object a, Object b) {
        int h = spread(key.hashCode());
        if (!mode.readFirst) {
            warm(h, key);
        }
        StripeLock lock = lockStripe(h);
        Object old;
        Object neu;
        boolean grow;
        try {
            Node<K, V>[] tab = table;
            int i = h & (tab.length - 1);
            Node<K, V> e = findLocked(tab, i, h, key, true);
            old = e == null ? null : e.value;
            neu = next(mode, key, old, a, b);
            if (neu == UNCHANGED) {
                return mode.unchangedReturnsCurrent ? (V) old : null;
            }
            grow = commit(tab, i, e, h, e == null ? key : e.key, old, neu);
        } finally {
            lock.unlock();
        }
        afterCommit(grow);
        return (V) (mode.returnsPrevious ? old : neu);
    }

    /**
     * Decides the key's next value from its current one {@code old} (null if absent): a value, null to remove the
     * key, or {@link #UNCHANGED}. Runs the compute family's function (marked as this map's by
     * {@link FunctionGuard}, so that it cannot write to this map).
     */
    @SuppressWarnings("unchecked") // a and b are what the public method passed for this mode
    private Object next(Mode mode, K key, Object old, Object a, Object b) {
        switch (mode) {
            case PUT -> {
                return a;
            }
            case PUT_IF_ABSENT -> {
                return old == null ? a : UNCHANGED;
            }
            case REMOVE -> {
                return old == null ? UNCHANGED : null;
            }
            case REMOVE_VALUE -> {
                return old != null && a.equals(old) ? null : UNCHANGED;
            }
            case REPLACE -> {
                return old == null ? UNCHANGED : a;
            }
            case REPLACE_VALUE -> {
                return old != null && a.equals(old) ? b : UNCHANGED;
            }
            case COMPUTE_IF_ABSENT -> {
                if (old != null) {
                    return UNCHANGED;
                }
            }
            case COMPUTE_IF_PRESENT -> {
                if (old == null) {
                    return UNCHANGED;
                }
            }
            case MERGE -> {
                if (old == null) {
                    return a;
                }
            }
            case COMPUTE -> {
                // always runs its function
            }
        }
        Object mark = FunctionGuard.enter(this);
        Object neu;
        try {
            neu = switch (mode) {
                case COMPUTE_IF_ABSENT -> ((Function<? super K, ? extends V>) a).apply(key);
                case MERGE -> ((BiFunction<? super V, ? super V, ? extends V>) b).apply((V) old, (V) a);
                default -> ((BiFunction<? super K, ? super V, ? extends V>) a).apply(key, (V) old);
            };
        } finally {
            FunctionGuard.exit(mark);
        }
        return neu == null && old == null ? UNCHANGED : neu;
    }

    /* ---------------- The commit ---------------- */

    /**
     * Finds the node of {@code key} in bin {@code i} (a tombstone included); with {@code purge}, unlinks the
     * tombstones of other keys that no live snapshot needs. Call with the bin's stripe held.
     */
    private Node<K, V> findLocked(Node<K, V>[] tab, int i, int h, Object key, boolean purge) {
        Node<K, V> pred = null;
        for (Node<K, V> e = tab[i]; e != null;) {
            Node<K, V> next = e.next;
            Object k;
            if (e.hash == h && ((k = e.key) == key || key.equals(k))) {
                return e;
            }
            if (purge && e.value == null && tombstoneUnneeded(e, registry.live())) {
                if (pred == null) {
                    TAB.setRelease(tab, i, next);
                } else {
                    NEXT.setRelease(pred, next);
                }
            } else {
                pred = e;
            }
            e = next;
        }
        return null;
    }

    private static boolean tombstoneUnneeded(Node<?, ?> e, SnapshotRegistry.LiveSet live) {
        Version p = e.prior;
        return live == null || p == null || p.revision <= live.min;
    }

    /**
     * Commits one change of one key: {@code old -> neu} (either may be null, not both). Call with the key's stripe
     * held; {@code e} is the key's node or null, {@code old} its current value. Returns whether the table is due
     * to grow.
     *
     * <p>Everything that can throw runs before the sequencer is taken: the size estimator (user code), the node,
     * the version record if a snapshot is live now, and the history's growth. Inside the section, stage 1 (a
     * version record for a snapshot that registered meanwhile, the history's reservation) may still allocate and
     * is rolled back if it throws; stage 2 publishes and allocates nothing. See {@link #abortCommit}.
     */
    @SuppressWarnings("unchecked")
    private boolean commit(Node<K, V>[] tab, int i, Node<K, V> e, int h, K key, Object old, Object neu) {
        long bytes = log.estimate(key, (V) old, (V) neu);
        Node<K, V> fresh = null;
        if (e == null) {
            if (FaultHooks.ENABLED) {
                FaultHooks.reach(FaultHooks.Site.NODE_ALLOCATION);
            }
            fresh = new Node<>(h, key, neu);
        }
        Version version = registry.live() == null ? null : newVersion(old, e == null ? null : e.prior);
        ChangeLog.Growth growth = log.prepareAppend();
        Sequencer sq = sequencer;
        long rev = sq.acquire();
        boolean publishing = false;
        long size;
        try {
            size = sq.sizeHeld();
            SnapshotRegistry.LiveSet live = registry.live();
            if (live != null) {
                version = (version != null ? version : newVersion(old, e == null ? null : e.prior)).stamp(rev);
            }
            log.reserve(rev, bytes, growth);
            publishing = true; // stage 2: nothing below allocates
            size += publishChange(tab, i, fresh != null ? fresh : e, fresh != null, old, neu, live, version);
            log.append(rev, key, old, neu, bytes);
            sq.release(rev, size);
        } catch (Throwable t) {
            abortCommit(rev, publishing, t);
            throw t;
        }
        return old == null && size >= threshold(tab.length);
    }

    /**
     * A commit section threw (an Error: nothing in it runs user code). Before publishing began, nothing is
     * visible, so the revision is rolled back and the map stays intact. After, the revision is half applied and
     * no record says which half: the map is poisoned (see {@link Sequencer}) and its watches closed with the
     * exception every later commit, snapshot, {@code revision()}, {@code size()} and feed call will throw.
     */
    private void abortCommit(long rev, boolean publishing, Throwable cause) {
        if (!publishing) {
            sequencer.rollback(rev);
            return;
        }
        sequencer.poison(cause);
        hub.failAll(sequencer.brokenException());
    }

    /**
     * Publishes one change in stage 2 of a commit section (no allocation): links the new node {@code e} into bin
     * {@code bin} ({@code fresh}), or changes the value of the linked node {@code e} from {@code old} to
     * {@code neu} (null: removes it). With a live snapshot, {@code version} (stamped with the revision) keeps what
     * the snapshot needs; without one, stale chains are dropped and removed nodes unlinked. Returns the change in
     * size.
     */
    private static <K, V> int publishChange(Node<K, V>[] tab, int bin, Node<K, V> e, boolean fresh, Object old,
                                            Object neu, SnapshotRegistry.LiveSet live, Version version) {
        if (fresh) {
            e.prior = version;
            e.next = tab[bin];
            TAB.setRelease(tab, bin, e);
            return 1;
        }
        if (neu != null) {
            if (live != null) {
                pushVersion(e, version, live);
            } else if (e.prior != null) {
                PRIOR.setRelease(e, null);
            }
            VALUE.setRelease(e, neu);
            return old == null ? 1 : 0;
        }
        if (live != null) {
            pushVersion(e, version, live);
            VALUE.setRelease(e, null);
        } else {
            unlink(tab, bin, e);
        }
        return -1;
    }

    /**
     * Pushes {@code top} (a stamped version holding the value being replaced, whose revision marks where it ends,
     * over the node's current chain) and prunes the chain when it is short or its length reaches a power of two:
     * amortized O(1) per write even while many snapshots (say, one per write, not yet collected) keep every
     * version needed.
     */
    private static void pushVersion(Node<?, ?> e, Version top, SnapshotRegistry.LiveSet live) {
        int n = top.length;
        if (top.older != null && (n <= 4 || (n & (n - 1)) == 0)) {
            prune(top, live);
        }
        PRIOR.setRelease(e, top);
    }

    /** Unlinks, below {@code top}, every version no live snapshot can read; records the new length in top. */
    private static void prune(Version top, SnapshotRegistry.LiveSet live) {
        Version keep = top;
        int kept = 1;
        for (Version c = top.older; c != null;) {
            Version below = c.older;
            if (live.needs(below == null ? Long.MIN_VALUE : below.revision, c.revision)) {
                if (keep.older != c) {
                    OLDER.setRelease(keep, c);
                }
                keep = c;
                kept++;
            }
            c = below;
        }
        if (keep.older != null) {
            OLDER.setRelease(keep, null);
        }
        top.length = kept;
    }

    private static <K, V> void unlink(Node<K, V>[] tab, int i, Node<K, V> e) {
        Node<K, V> p = tab[i];
        if (p == e) {
            TAB.setRelease(tab, i, e.next);
            return;
        }
        while (p.next != e) {
            p = p.next;
        }
        NEXT.setRelease(p, e.next);
    }

    private void afterCommit(boolean grow) {
        registry.dropNewest();
        if (grow) {
            grow();
        }
        if (hub.hasSubscribers()) {
            hub.signal();
        }
    }

    /* ---------------- Resizing ---------------- */

    private void grow() {
        lockAll();
        try {
            if (sequencer.sizeHeld() >= threshold(table.length)) {
                transferLocked();
            }
        } finally {
            unlockAll();
        }
    }

    /** Grows the table until it holds {@code expected} mappings below the load factor. All stripes held. */
    private void ensureCapacityLocked(long expected) {
        while (expected >= threshold(table.length) && table.length < MAX_TABLE) {
            transferLocked();
        }
    }

    /**
     * Moves every mapping into a table twice as large. All stripes held.
     *
     * <p>Old bin {@code i} splits into new bins {@code i} and {@code i + n}. The longest tail of its chain whose
     * nodes all go to the same new bin is not copied: the new bin links to those same nodes, whose {@code next}
     * fields need no change, so they are shared by both tables (most bins hold one node, so most nodes move
     * without a copy, and stay where they were allocated, next to their keys and values). The nodes before that
     * tail are copied (dropping tombstones no live snapshot needs), as the old chain still links them.
     *
     * <p>Sharing is safe because nothing relies on an old table's nodes being frozen: a write to a shared node
     * follows the same discipline as any write (a version pushed for live snapshots before the value changes, so a
     * snapshot walking the old table reads the value of its revision), inserts prepend to a bin and never change
     * an existing node's {@code next}, and a tombstone is unlinked only when no live snapshot can see its old
     * value. A reused tombstone or version chain is kept until a later write to its bin prunes it.
     */
    private void transferLocked() {
        Node<K, V>[] old = table;
        int n = old.length;
        if (n >= MAX_TABLE) {
            return;
        }
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.TABLE_GROWTH);
        }
        Node<K, V>[] fresh = newTable(n << 1);
        int mask = (n << 1) - 1;
        SnapshotRegistry.LiveSet live = registry.live();
        for (int i = 0; i < n; i++) {
            Node<K, V> head = old[i];
            if (head == null) {
                continue;
            }
            Node<K, V> lastRun = head;
            int runBin = head.hash & mask;
            for (Node<K, V> p = head.next; p != null; p = p.next) {
                int b = p.hash & mask;
                if (b != runBin) {
                    runBin = b;
                    lastRun = p;
                }
            }
            fresh[runBin] = lastRun; // bins i and i + n receive nodes from old bin i only: both are still empty
            for (Node<K, V> e = head; e != lastRun; e = e.next) {
                Object v = e.value;
                if (v == null && tombstoneUnneeded(e, live)) {
                    continue;
                }
                int j = e.hash & mask;
                fresh[j] = new Node<>(e.hash, e.key, v, live == null ? null : e.prior, fresh[j]);
            }
        }
        table = fresh;
    }

    /* ---------------- Batches ---------------- */

    /**
     * Copies every mapping of {@code m} into this map as <b>one</b> revision (one change per key, even where the
     * value is unchanged). Atomic for snapshots, the feed, {@code size()} and {@code revision()}; single-key reads
     * may see it in part while it runs. Holds every stripe for its duration (writers wait; readers do not).
     *
     * @throws NullPointerException if {@code m} or any of its keys or values is null (then nothing is changed)
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        Objects.requireNonNull(m, "map");
        FunctionGuard.checkNotInFunction(this, "putAll");
        Map<Object, Object> wanted = copyDistinct(m);
        int n = wanted.size();
        if (n == 0) {
            return;
        }
        lockAll();
        try {
            ensureCapacityLocked(sequencer.sizeHeld() + n);
            Batch b = new Batch(n);
            for (Map.Entry<Object, Object> w : wanted.entrySet()) {
                b.add(w.getKey(), w.getValue());
            }
            b.commit();
        } finally {
            unlockAll();
        }
        afterCommit(false);
    }

    /**
     * Removes every mapping as <b>one</b> revision (none if the map is empty). Atomic for snapshots, the feed,
     * {@code size()} and {@code revision()}; single-key reads may see it in part while it runs.
     *
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    @Override
    public void clear() {
        FunctionGuard.checkNotInFunction(this, "clear");
        boolean changed;
        lockAll();
        try {
            Batch b = new Batch(16);
            Node<K, V>[] tab = table;
            for (Node<K, V> head : tab) {
                for (Node<K, V> e = head; e != null; e = e.next) {
                    if (e.value != null) {
                        b.addFound(e, null);
                    }
                }
            }
            changed = b.commit();
        } finally {
            unlockAll();
        }
        if (changed) {
            afterCommit(false);
        }
    }

    /**
     * Replaces every value with {@code function(key, value)} as <b>one</b> revision (one change per key). The
     * function runs once per key, with every stripe held; if it throws, nothing is changed.
     *
     * @throws NullPointerException if {@code function} is null or returns null (then nothing is changed)
     * @throws IllegalStateException if called from, or if the function modifies, this map
     */
    @Override
    @SuppressWarnings("unchecked")
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> function) {
        requireFunction(function, "function");
        FunctionGuard.checkNotInFunction(this, "replaceAll");
        boolean changed;
        lockAll();
        try {
            Batch b = new Batch(16);
            Node<K, V>[] tab = table;
            Object mark = FunctionGuard.enter(this);
            try {
                for (Node<K, V> head : tab) {
                    for (Node<K, V> e = head; e != null; e = e.next) {
                        Object v = e.value;
                        if (v != null) {
                            V nv = function.apply(e.key, (V) v);
                            if (nv == null) {
                                throw new NullPointerException("replaceAll function returned null for key " + e.key);
                            }
                            b.addFound(e, nv);
                        }
                    }
                }
            } finally {
                FunctionGuard.exit(mark);
            }
            changed = b.commit();
        } finally {
            unlockAll();
        }
        if (changed) {
            afterCommit(false);
        }
    }

    /**
     * Replaces the whole content with {@code content}'s, as <b>one</b> revision whose changes are the difference:
     * removals of keys not in {@code content}, puts of new keys and of values not {@code equals} to the current
     * ones. Commits nothing if the content is already equal. A snapshot, {@code size()} and the feed see all of
     * the old content or all of the new; single-key reads may see a mix while it runs.
     *
     * @param content the new content (copied first; it may be modified concurrently without harm)
     * @throws NullPointerException if {@code content} or any of its keys or values is null (nothing changes)
     * @throws IllegalStateException if called from a mapping function running on this map
     */
    public void reload(Map<? extends K, ? extends V> content) {
        Objects.requireNonNull(content, "content");
        FunctionGuard.checkNotInFunction(this, "reload");
        Map<Object, Object> wanted = copyDistinct(content);
        boolean changed;
        lockAll();
        try {
            ensureCapacityLocked(wanted.size());
            Batch b = new Batch(16);
            Node<K, V>[] tab = table;
            for (Node<K, V> head : tab) {
                for (Node<K, V> e = head; e != null; e = e.next) {
                    Object v = e.value;
                    if (v != null) {
                        Object nv = wanted.remove(e.key);
                        if (nv == null) {
                            b.addFound(e, null);
                        } else if (!nv.equals(v)) {
                            b.addFound(e, nv);
                        }
                    }
                }
            }
            for (Map.Entry<Object, Object> w : wanted.entrySet()) {
                b.add(w.getKey(), w.getValue());
            }
            changed = b.commit();
        } finally {
            unlockAll();
        }
        if (changed) {
            afterCommit(false);
        }
    }

    /**
     * Copies a map's entries, rejecting nulls, before any lock is taken and anything changes. A source may yield
     * one key twice (an {@code IdentityHashMap} of equal keys, a custom or concurrently modified entry set): the
     * last occurrence wins, as in {@code HashMap.putAll}, so that a batch holds one change per key. The keys'
     * {@code hashCode} and {@code equals} run here first, outside every lock.
     */
    private static Map<Object, Object> copyDistinct(Map<?, ?> m) {
        Map<Object, Object> out = new LinkedHashMap<>(Math.max(16, (int) (m.size() / 0.75f) + 1));
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.put(requireKey(e.getKey()), requireValue(e.getValue(), "value"));
        }
        return out;
    }

    /** The changes of one multi-key revision, gathered with every stripe held, then committed at once. */
    private final class Batch {
        private Object[] triples;
        private Node<?, ?>[] nodes;
        private int[] bins;
        private int n;
        private long bytes;

        Batch(int capacity) {
            triples = new Object[capacity * 3];
            nodes = new Node<?, ?>[capacity];
            bins = new int[capacity];
        }

        /**
         * Adds a put of {@code key} (looked up now; purging is off so that found nodes stay linked). The caller
         * adds each key at most once: new nodes are linked only at {@link #commit}, so a second add of a new key
         * would not find the first.
         */
        @SuppressWarnings("unchecked")
        void add(Object key, Object value) {
            int h = spread(key.hashCode());
            Node<K, V>[] tab = table;
            int i = h & (tab.length - 1);
            Node<K, V> e = findLocked(tab, i, h, key, false);
            if (e == null) {
                if (FaultHooks.ENABLED) {
                    FaultHooks.reach(FaultHooks.Site.NODE_ALLOCATION);
                }
                append(new Node<>(h, (K) key, value), key, null, value, i, true);
            } else {
                append(e, e.key, e.value, value, i, false);
            }
        }

        /** Adds a change of an existing live node: a put of {@code value}, or a removal if it is null. */
        void addFound(Node<K, V> e, Object value) {
            Node<K, V>[] tab = table;
            append(e, e.key, e.value, value, e.hash & (tab.length - 1), false);
        }

        @SuppressWarnings("unchecked")
        private void append(Node<K, V> e, Object key, Object old, Object value, int bin, boolean fresh) {
            if (n == nodes.length) {
                int cap = n * 2;
                triples = Arrays.copyOf(triples, cap * 3);
                nodes = Arrays.copyOf(nodes, cap);
                bins = Arrays.copyOf(bins, cap);
            }
            bytes += log.estimate((K) key, (V) old, (V) value);
            triples[n * 3] = key;
            triples[n * 3 + 1] = old;
            triples[n * 3 + 2] = value;
            nodes[n] = e;
            bins[n] = fresh ? ~bin : bin;
            n++;
        }

        /**
         * Applies every change in one sequencer section; returns whether anything was committed. As in
         * {@link VersionedMap#commit}, everything that allocates runs before the section where it can (version
         * records if a snapshot is live now, the history entry, the history's growth), else in its stage 1, which
         * is rolled back if it throws; stage 2 allocates nothing.
         */
        @SuppressWarnings("unchecked")
        boolean commit() {
            if (n == 0) {
                return false;
            }
            Node<K, V>[] tab = table;
            Version[] versions = registry.live() == null ? null : newVersions();
            ChangeLog.Batch entry = new ChangeLog.Batch(triples, n);
            ChangeLog.Growth growth = log.prepareAppend();
            Sequencer sq = sequencer;
            long rev = sq.acquire();
            boolean publishing = false;
            try {
                long size = sq.sizeHeld();
                SnapshotRegistry.LiveSet live = registry.live();
                if (live != null) {
                    versions = versions != null ? versions : newVersions();
                    for (int j = 0; j < n; j++) {
                        versions[j].stamp(rev);
                    }
                }
                log.reserve(rev, bytes, growth);
                publishing = true; // stage 2: nothing below allocates
                for (int j = 0; j < n; j++) {
                    int bin = bins[j];
                    size += publishChange(tab, bin < 0 ? ~bin : bin, (Node<K, V>) nodes[j], bin < 0,
                        triples[j * 3 + 1], triples[j * 3 + 2], live, live == null ? null : versions[j]);
                }
                log.appendBatch(rev, entry, bytes);
                sq.release(rev, size);
            } catch (Throwable t) {
                abortCommit(rev, publishing, t);
                throw t;
            }
            return true;
        }

        /** One version record per change: the value it replaces (null: absent) over the node's chain. */
        private Version[] newVersions() {
            Version[] v = new Version[n];
            for (int j = 0; j < n; j++) {
                v[j] = newVersion(triples[j * 3 + 1], bins[j] < 0 ? null : nodes[j].prior);
            }
            return v;
        }

    }

    /* ---------------- Iteration ---------------- */

    /**
     * Weakly consistent iteration of the live content (like {@code ConcurrentHashMap}): every mapping present for
     * the whole iteration is returned once, with a value it had at some point during the iteration; concurrent
     * changes may or may not show. Never throws {@link java.util.ConcurrentModificationException}.
     */
    @Override
    Iterator<Map.Entry<K, V>> entryIterator() {
        return new TableIterator<>(table, Long.MAX_VALUE, null);
    }

    /**
     * Walks a table's nodes, yielding each key's value at {@code revision} ({@link Long#MAX_VALUE}: the live
     * value), skipping absent ones. {@code keepAlive} is the snapshot being iterated, held for its registration.
     */
    static final class TableIterator<K, V> implements Iterator<Map.Entry<K, V>> {
        private final Node<K, V>[] tab;
        private final long revision;
        private final Object keepAlive;
        private int bin;
        private Node<K, V> node;
        private Map.Entry<K, V> ahead;

        TableIterator(Node<K, V>[] tab, long revision, Object keepAlive) {
            this.tab = tab;
            this.revision = revision;
            this.keepAlive = keepAlive;
            advance();
        }

        @SuppressWarnings("unchecked")
        private void advance() {
            Node<K, V> e = node;
            for (;;) {
                if (e != null) {
                    e = nextOf(e);
                }
                while (e == null) {
                    if (bin >= tab.length) {
                        node = null;
                        ahead = null;
                        Reference.reachabilityFence(keepAlive);
                        return;
                    }
                    e = tabAt(tab, bin++);
                }
                Object v = revision == Long.MAX_VALUE ? VALUE.getAcquire(e) : resolve(e, revision);
                if (v != null) {
                    node = e;
                    ahead = new AbstractMap.SimpleImmutableEntry<>(e.key, (V) v);
                    Reference.reachabilityFence(keepAlive);
                    return;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return ahead != null;
        }

        @Override
        public Map.Entry<K, V> next() {
            Map.Entry<K, V> r = ahead;
            if (r == null) {
                throw new NoSuchElementException();
            }
            advance();
            return r;
        }
    }

    /* ---------------- Snapshots ---------------- */

    /**
     * Returns an immutable view of the whole content at the current revision. Linearizable with every other
     * operation (its linearization point is a read of the revision counter when no commit is in progress); cost
     * independent of the map's size: O(1) (a registration and two small objects; when nothing was committed since
     * the previous snapshot, which is still reachable, that same snapshot is returned). Holding it never blocks
     * writers; while it is reachable, writes keep the old versions it needs (32 bytes each, one per key written,
     * pruned as soon as no snapshot needs them). Its {@code get} costs a map {@code get} plus a walk of the key's
     * version chain; its iteration walks the table.
     *
     * @return the snapshot
     */
    @Override
    @SuppressWarnings("unchecked")
    public VersionedSnapshot<K, V> snapshot() {
        long rev = sequencer.awaitIdle() >>> 1;
        Object newest = registry.newest();
        if (newest instanceof VersionedSnapshot<?, ?> s && s.revision() == rev) {
            return (VersionedSnapshot<K, V>) s;
        }
        long[] cut = new long[2];
        SnapshotRegistry.Registration reg = registry.register(rev, sequencer, cut);
        try {
            VersionedSnapshot<K, V> snap = new VersionedMapSnapshot<>(this, cut[0], cut[1]);
            SnapshotRegistry.releaseWhenUnreachable(snap, reg);
            registry.setNewest(snap);
            return snap;
        } catch (RuntimeException | Error e) {
            registry.release(reg);
            throw e;
        }
    }

    /** A snapshot's lookup: the value of {@code key} at {@code revision}. */
    Object getAt(Object key, long revision) {
        int h = spread(requireKey(key).hashCode());
        Node<K, V>[] tab = table;
        for (Node<K, V> e = tabAt(tab, h & (tab.length - 1)); e != null; e = nextOf(e)) {
            Object k;
            if (e.hash == h && ((k = e.key) == key || key.equals(k))) {
                return resolve(e, revision);
            }
        }
        return null;
    }

    /** A snapshot's iteration at {@code revision}. */
    Iterator<Map.Entry<K, V>> iteratorAt(long revision, Object snapshot) {
        return new TableIterator<>(table, revision, snapshot);
    }

    /** The comparator configured for sorted snapshot views, or null for natural order. */
    Comparator<? super K> comparator() {
        return comparator;
    }

    /** Live snapshot registrations, for tests. */
    int liveSnapshotCount() {
        return registry.liveCount();
    }

    /** Open watches and subscriptions, for tests. */
    int watcherCount() {
        return hub.subscriberCount();
    }

    /* ---------------- The feed ---------------- */

    /**
     * Returns every change committed after {@code revision}, up to the current revision, in revision order (the
     * changes of one batch consecutive, sharing its revision).
     *
     * <p>One call is one consistent read: the list holds exactly the changes of revisions {@code revision + 1} to
     * the {@link #revision()} read at the start of the call (linearizable there), never part of a batch. It is
     * eager and immutable: the changes are copied out of the history before the call returns (O(changes) time and
     * memory), so later writes and compaction never affect it. To follow the map from there, continue with
     * {@code changesSince(last.revision())}, or with a {@link #watch} (which delivers in bounded batches).
     * Thread-safe; never blocks writers.
     *
     * @param revision the revision to continue after, {@code >= oldestRetainedRevision() - 1}
     * @return the changes, an immutable list of non-null {@link Change}s (empty if {@code revision >= revision()})
     * @throws IllegalArgumentException if {@code revision} is negative
     * @throws CompactedException if revision {@code revision + 1} is no longer retained
     */
    public List<Change<K, V>> changesSince(long revision) {
        if (revision < 0) {
            throw new IllegalArgumentException("revision must not be negative, got " + revision);
        }
        long upTo = revision();
        if (revision >= upTo) {
            return List.of();
        }
        List<Change<K, V>> out = new ArrayList<>();
        long last = revision;
        while (last < upTo) {
            last = log.read(last, upTo, Integer.MAX_VALUE, out);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Watches the changes committed after {@code afterRevision}, delivered asynchronously to {@code listener} on
     * the map's executor with etcd's guarantees (see {@link WatchListener}): in revision order, each once, no
     * gap, a revision never split, progress bookmarks when idle. {@code afterRevision} may be in the future (the
     * watch starts delivering once the map gets there). A slow listener never blocks writers; if the history it
     * needs is compacted, it gets {@link WatchListener#onFellBehind} and the watch ends. No thread per watch:
     * deliveries are short tasks on the executor.
     *
     * @param afterRevision deliver the changes of revisions greater than this ({@code revision()} for "from now")
     * @param listener receives the changes
     * @return the watch; close it to stop
     * @throws IllegalArgumentException if {@code afterRevision} is negative
     * @throws CompactedException if revision {@code afterRevision + 1} is already compacted
     * @throws NullPointerException if {@code listener} is null
     */
    public Watch watch(long afterRevision, WatchListener<K, V> listener) {
        Objects.requireNonNull(listener, "listener");
        if (afterRevision < 0) {
            throw new IllegalArgumentException("revision must not be negative, got " + afterRevision);
        }
        long o = log.oldestRetained();
        if (afterRevision + 1 < o) {
            throw new CompactedException(afterRevision, o);
        }
        return hub.watch(afterRevision, listener);
    }

    /**
     * Returns a {@link Flow.Publisher} of the changes committed after {@code afterRevision}, for reactive users.
     * Each subscriber gets its own subscription that honours demand ({@code request(n)} = up to {@code n} more
     * changes; a revision's changes come consecutively but may be split across requests); delivery is
     * asynchronous on the map's executor, in revision order, without gaps or duplicates. The feed never
     * completes; it fails with {@link CompactedException} if the subscriber falls behind the retained history,
     * and with {@link IllegalArgumentException} on a non-positive request (rule 3.9).
     *
     * @param afterRevision deliver the changes of revisions greater than this
     * @return the publisher; each {@code subscribe} starts an independent subscription
     * @throws IllegalArgumentException if {@code afterRevision} is negative
     */
    public Flow.Publisher<Change<K, V>> publisher(long afterRevision) {
        if (afterRevision < 0) {
            throw new IllegalArgumentException("revision must not be negative, got " + afterRevision);
        }
        return hub.publisher(afterRevision);
    }

    /* ---------------- Builder ---------------- */

    /**
     * Estimates the bytes one change keeps alive in the history, for the {@linkplain Builder#historyBytes byte
     * bound}. Called once per change, at commit time, outside any lock of other keys; must be fast and must not
     * touch the map.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     */
    @FunctionalInterface
    public interface SizeEstimator<K, V> {
        /**
         * Estimates one change's size.
         *
         * @param key the key changed
         * @param oldValue the value before, or {@code null} if the key was absent
         * @param newValue the value after, or {@code null} for a removal
         * @return a non-negative estimate in bytes
         */
        long estimate(K key, V oldValue, V newValue);
    }

    /**
     * Configures a {@link VersionedMap}. Not thread-safe; each {@link #build()} makes an independent map.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     */
    public static final class Builder<K, V> {
        private long historyCount = DEFAULT_HISTORY_COUNT;
        private long historyBytes = DEFAULT_HISTORY_BYTES;
        private SizeEstimator<? super K, ? super V> estimator;
        private Comparator<? super K> comparator;
        private Executor executor;
        private Duration progressInterval = DEFAULT_PROGRESS_INTERVAL;
        private int stripes;
        private int initialCapacity;

        Builder() {}

        /**
         * Bounds the history to the latest {@code revisions} revisions (a batch counts as one). 0 keeps none:
         * revisions still count, but {@code changesSince} and watches can then only report
         * {@link CompactedException} for anything before the current revision. Default
         * {@value VersionedMap#DEFAULT_HISTORY_COUNT}.
         *
         * @param revisions between 0 and {@link VersionedMap#MAX_HISTORY_COUNT}
         * @return this builder
         */
        public Builder<K, V> historyCount(long revisions) {
            if (revisions < 0 || revisions > MAX_HISTORY_COUNT) {
                throw new IllegalArgumentException(
                    "historyCount must be in [0, " + MAX_HISTORY_COUNT + "], got " + revisions);
            }
            this.historyCount = revisions;
            return this;
        }

        /**
         * Bounds the history's estimated size: the oldest revisions are compacted while the retained changes'
         * estimates add up to more than {@code bytes} (a revision larger than that alone is not retained).
         * Default 64 MiB.
         *
         * @param bytes a non-negative bound
         * @return this builder
         */
        public Builder<K, V> historyBytes(long bytes) {
            this.historyBytes = requireNonNegative("historyBytes", bytes);
            return this;
        }

        /**
         * Sets how a change's size is estimated for {@link #historyBytes}. Default: a constant
         * {@value VersionedMap#DEFAULT_CHANGE_BYTES} bytes per change, which costs nothing per write.
         *
         * @param estimator the estimator
         * @return this builder
         */
        public Builder<K, V> sizeEstimator(SizeEstimator<? super K, ? super V> estimator) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        /**
         * Sets the key order of {@link VersionedSnapshot#sorted()}. Default: natural order.
         *
         * @param comparator the order
         * @return this builder
         */
        public Builder<K, V> comparator(Comparator<? super K> comparator) {
            this.comparator = Objects.requireNonNull(comparator, "comparator");
            return this;
        }

        /**
         * Sets the executor that runs watch deliveries. It must run tasks asynchronously (a caller-runs executor
         * would run listeners on writer threads). Default: a shared pool of max(4, processors) daemon threads;
         * give your own if listeners block for long, since a blocked listener holds one of its threads.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder<K, V> executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sets how long a watch must have had nothing to deliver before it gets a progress bookmark.
         * {@link Duration#ZERO} turns bookmarks off. Default 1 second.
         *
         * @param interval zero, or at least 1 ms
         * @return this builder
         */
        public Builder<K, V> progressInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || (!interval.isZero() && interval.compareTo(Duration.ofMillis(1)) < 0)) {
                throw new IllegalArgumentException("progressInterval must be zero (off) or at least 1 ms, got "
                    + interval);
            }
            this.progressInterval = interval;
            return this;
        }

        /**
         * Sets the number of writer stripes (a power of two, 1 to 1024; about 100 bytes each). Default: 2 &times; the
         * processors, between 16 and 64.
         *
         * @param stripes the stripe count
         * @return this builder
         */
        public Builder<K, V> stripes(int stripes) {
            if (stripes < 1 || stripes > 1024 || Integer.bitCount(stripes) != 1) {
                throw new IllegalArgumentException("stripes must be a power of two in [1, 1024], got " + stripes);
            }
            this.stripes = stripes;
            return this;
        }

        private static long requireNonNegative(String name, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative, got " + value);
            }
            return value;
        }

        /**
         * Sizes the table for {@code expectedSize} mappings up front, avoiding resizes while it fills (the same
         * hint as the {@code int} constructors of the other maps). Default: 0, the smallest table.
         *
         * @param expectedSize a non-negative size
         * @return this builder
         * @throws IllegalArgumentException if {@code expectedSize} is negative
         */
        public Builder<K, V> expectedSize(int expectedSize) {
            this.initialCapacity = (int) requireNonNegative("expectedSize", expectedSize);
            return this;
        }

        /**
         * Builds an empty map at revision 0.
         *
         * @return the map
         */
        public VersionedMap<K, V> build() {
            return new VersionedMap<>(this, 0, 0);
        }
    }

    /* ---------------- Serialization ---------------- */

    /**
     * Serializes this map as a {@link SerializedMap}: the history bounds, the key order, and a snapshot's revision
     * and mappings. The history, watches and size estimator are not kept.
     *
     * @return the serialized form
     */
    @Serial
    private Object writeReplace() {
        VersionedSnapshot<K, V> s = snapshot();
        return new SerializedMap(SerializedMap.Kind.VERSIONED, new long[] {historyCount, historyBytes, s.revision()},
            comparator, EntryCopies.keysAndValues(s));
    }

    /**
     * Builds a map from a {@link SerializedMap}'s content, at {@code revision}, before it is shared.
     *
     * @throws IllegalArgumentException if a bound or the revision is out of range
     */
    @SuppressWarnings("unchecked") // the comparator ordered the serialized map's keys, which these are
    static VersionedMap<Object, Object> restore(long historyCount, long historyBytes, long revision,
                                                Comparator<?> comparator, Object[] keysAndValues) {
        if (revision < 0 || historyCount < 0 || historyCount > MAX_HISTORY_COUNT || historyBytes < 0) {
            throw new IllegalArgumentException("header out of range: historyCount " + historyCount
                + ", historyBytes " + historyBytes + ", revision " + revision);
        }
        Builder<Object, Object> b = new Builder<>();
        b.historyCount = historyCount;
        b.historyBytes = historyBytes;
        b.comparator = (Comparator<Object>) comparator;
        VersionedMap<Object, Object> m = new VersionedMap<>(b, revision, keysAndValues.length / 2);
        m.restore(keysAndValues);
        return m;
    }

    /** Installs restored content at {@code revision}, before the map is shared. */
    private void restore(Object[] pairs) {
        Node<K, V>[] tab = table;
        int mask = tab.length - 1;
        long size = 0;
        for (int j = 0; j < pairs.length; j += 2) {
            @SuppressWarnings("unchecked")
            K k = (K) pairs[j];
            int h = spread(k.hashCode());
            tab[h & mask] = new Node<>(h, k, pairs[j + 1], null, tab[h & mask]);
            size++;
        }
        sequencer.release(sequencer.committedRevision(), size);
    }

}
