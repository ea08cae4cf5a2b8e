package dev.syncmap;

import dev.syncmap.internal.FaultHooks;
import dev.syncmap.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The bounded history of a {@link VersionedMap}: the changes of its most recent revisions, one slot per revision,
 * in a ring that grows on demand up to the configured count.
 *
 * <h2>Implementation notes</h2>
 * <b>One writer.</b> Every mutating method is called only by the thread holding the map's commit sequencer,
 * so appends and compaction are serialized and in revision order; the ring, the byte total and the running
 * counters need no synchronization among writers.
 *
 * <p><b>Many readers, no locks.</b> A slot holds three references ({@code key, oldValue, newValue}) or, for a
 * multi-key revision, a {@link Batch} in the key position. A reader first learns that a revision is committed
 * (an acquire read of the sequencer), then reads the ring reference and the slot with acquire loads, then
 * re-reads the oldest retained revision, counting any revision in flight as written. Compaction raises the
 * oldest retained revision <em>before</em> a slot is cleared or reused: by bytes, with a release store of
 * {@code historyOldest} before the clearing stores; by count, implicitly, since the writer that reuses the slot of
 * revision {@code r} holds revision {@code r + slots >= r + maxRevisions} and has published it in the sequencer
 * word (a CAS) before its slot stores. So a reader that saw a cleared or reused slot also sees an oldest retained
 * revision above it and reports {@link CompactedException} instead of returning torn data (the seqlock pattern). Growth copies the retained slots into a new array and publishes it with a release store;
 * the old array is never written again, so a reader still holding it reads valid, if aging, slots.
 *
 * <p><b>Appends cannot fail half-way.</b> A writer calls {@link #prepareAppend()} before it takes the sequencer
 * (it pre-allocates the ring's next growth when the ring is close to growing, so the section does not allocate),
 * then, holding it, {@link #reserve} (stage 1: the only step that may allocate or throw, and it changes nothing
 * if it does, so the commit can be rolled back), then {@link #append}/{@link #appendBatch} (stage 2: no
 * allocation). Growth allocates before it compacts, for the same reason.
 *
 * <p><b>Access modes.</b> {@code ring} and {@code historyOldest} are written only by the sequencer holder with
 * release stores; the holder reads them plainly (its own writes), everyone else with acquire.
 *
 * <p><b>Bounds.</b> At most {@code maxRevisions} revisions are retained, and the estimated bytes of the retained
 * changes stay at or below {@code maxBytes} (a single revision larger than that is not retained at all). The
 * default estimate is a constant per change, computed without touching the change; a custom estimator is
 * called once per change at append time and its results are kept beside the slots.
 *
 * <p>Traded away: a slot per revision costs 12 bytes (compressed references) even when the revision's values
 * are shared with the map; the ring never shrinks; compaction by count leaves a compacted slot's references in
 * place until the slot is reused (so up to one ring length, the next power of two at or above the count, of old
 * values may stay reachable), because clearing it would cost every write a cache miss.
 */
final class ChangeLog<K, V> {

    /** The changes of one multi-key revision, as consecutive (key, old, new) triples. */
    static final class Batch {
        final Object[] triples;
        final int size;

        Batch(Object[] triples, int size) {
            this.triples = triples;
            this.size = size;
        }
    }

    /** Estimates the bytes one change keeps alive in the history. */
    @FunctionalInterface
    interface Estimator<K, V> {
        long estimate(K key, V oldValue, V newValue);
    }

    private static final int INITIAL_SLOTS = 16;
    private static final int TRIM_EVERY = 64;
    /** A writer pre-allocates the ring's growth when it is this many revisions away (concurrent writers). */
    private static final int GROWTH_MARGIN = 64;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle RING =
        VarHandles.field(MethodHandles.lookup(), ChangeLog.class, "ring", Object[].class);
    private static final VarHandle OLDEST = Sequencer.HISTORY_OLDEST;

    private final long maxRevisions;
    private final long maxBytes;
    private final long bytesPerChange;
    private final Estimator<K, V> estimator;
    private final int maxSlots;

    /**
     * Three entries per slot; slot of revision r is {@code r & (slots - 1)}. Written (release) and read plainly
     * only by the sequencer holder, which wrote it last; read with acquire by everyone else.
     */
    private Object[] ring;
    /** The growth {@link #reserve} set aside for the append that follows it; writer-only. */
    private Growth pendingGrowth;
    /** Estimated bytes per slot, same indexing; only with a custom estimator. Writer-only. */
    private long[] slotBytes;
    /**
     * With the default estimator: {revision, bytes} of the retained revisions whose size is not one change
     * (batches), oldest first, so that compaction never reads an old slot. Writer-only.
     */
    private final ArrayDeque<long[]> largeRevisions = new ArrayDeque<>();
    /**
     * Holds the oldest retained revision (one past the newest when nothing is retained; release writes, acquire
     * reads) and the retained bytes (writer-only): on the sequencer's line, which every commit owns anyway.
     */
    private final Sequencer hot;

    ChangeLog(Sequencer hot, long maxRevisions, long maxBytes, long bytesPerChange, Estimator<K, V> estimator) {
        this.hot = hot;
        this.maxRevisions = maxRevisions;
        // the ring holds at most maxRevisions revisions: its slot count is the next power of two
        this.maxSlots = maxRevisions == 0 ? 1 : (int) Long.highestOneBit(Math.max(1, maxRevisions * 2 - 1));
        this.maxBytes = maxBytes;
        this.bytesPerChange = bytesPerChange;
        this.estimator = estimator;
        int initial = Math.min(maxSlots, INITIAL_SLOTS);
        this.ring = new Object[initial * 3];
        this.slotBytes = estimator == null ? null : new long[initial];
    }

    /** Returns the estimated bytes of a single change, calling the custom estimator if there is one. */
    long estimate(K key, V oldValue, V newValue) {
        if (estimator == null) {
            return bytesPerChange;
        }
        long b = estimator.estimate(key, oldValue, newValue);
        if (b < 0) {
            throw new IllegalArgumentException("size estimator returned a negative size " + b + " for key " + key);
        }
        return b;
    }

    /** The oldest revision whose changes are retained (one past the newest when none is). */
    long oldestRetained() {
        return oldestGiven(hot.committedRevision());
    }

    /**
     * The oldest retained revision when {@code newest} may already be written: the count bound is applied
     * arithmetically ({@code newest + 1 - maxRevisions}), so that the writer need not store anything per append
     * for it; {@code historyOldest} carries what compaction by bytes removed beyond that.
     */
    private long oldestGiven(long newest) {
        return Math.max((long) OLDEST.getAcquire(hot), newest + 1 - maxRevisions);
    }

    /* ---------------- Writer side ---------------- */

    /**
     * Storage for the next growth of the ring, allocated before the sequencer is taken so that the commit section
     * does not allocate; see {@link #prepareAppend()}.
     */
    static final class Growth {
        final Object[] ring;
        final long[] slotBytes;

        Growth(int slots, boolean withBytes) {
            this.ring = new Object[slots * 3];
            this.slotBytes = withBytes ? new long[slots] : null;
        }
    }

    /**
     * Called by a writer BEFORE it takes the sequencer (any thread, no lock): returns the storage for the next
     * growth if the ring is within {@value #GROWTH_MARGIN} revisions of growing, else null (the common case: no
     * allocation). The reads are racy but only decide whether to pre-allocate; {@link #reserve} checks.
     */
    Growth prepareAppend() {
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.LOG_APPEND);
        }
        if (maxRevisions == 0) {
            return null;
        }
        int slots = ((Object[]) RING.getAcquire(this)).length / 3;
        long next = hot.committedRevision() + 1 + GROWTH_MARGIN;
        if (slots >= maxSlots || !needsGrowth(next, (long) OLDEST.getAcquire(hot), slots)) {
            return null;
        }
        return new Growth(slots << 1, estimator != null);
    }

    private boolean needsGrowth(long revision, long physicalOldest, int slots) {
        return revision - Math.max(physicalOldest, revision + 1 - maxRevisions) >= slots;
    }

    /**
     * Stage 1 of an append, sequencer held: makes sure that {@link #append} / {@link #appendBatch} of
     * {@code revision} will not allocate, using {@code growth} if it fits, else allocating here. The only step of
     * an append that can throw; if it does, the log is unchanged (so the commit can be rolled back).
     */
    void reserve(long revision, long bytes, Growth growth) {
        if (maxRevisions == 0) {
            return;
        }
        int slots = ring.length / 3; // plain: the sequencer holder is the only writer of ring
        Growth g = null;
        if (needsGrowth(revision, (long) OLDEST.get(hot), slots)) {
            if (slots << 1 > maxSlots) {
                throw new IllegalStateException("history ring overflow at revision " + revision);
            }
            if (growth != null && growth.ring.length == slots * 6) {
                g = growth;
            } else {
                if (FaultHooks.ENABLED) {
                    FaultHooks.reach(FaultHooks.Site.LOG_APPEND);
                }
                g = new Growth(slots << 1, slotBytes != null);
            }
        }
        if (slotBytes == null && bytes != bytesPerChange) {
            largeRevisions.addLast(new long[] {revision, bytes}); // last: nothing to undo if it throws
        }
        pendingGrowth = g;
    }

    /** Stage 2: appends a single-change revision (after {@link #reserve}); does not allocate or throw. */
    void append(long revision, Object key, Object oldValue, Object newValue, long bytes) {
        appendSlot(revision, key, oldValue, newValue, bytes);
    }

    /** Stage 2: appends a multi-key revision (after {@link #reserve}); does not allocate or throw. */
    void appendBatch(long revision, Batch batch, long bytes) {
        appendSlot(revision, batch, null, null, bytes);
    }

    /** Stores one revision's three slot words: a change's key, old and new value, or a batch and two nulls. */
    private void appendSlot(long revision, Object first, Object second, Object third, long bytes) {
        if (FaultHooks.ENABLED) {
            FaultHooks.reach(FaultHooks.Site.LOG_APPEND);
        }
        int i = prepare(revision);
        if (i >= 0) {
            Object[] r = ring;
            SLOT.setRelease(r, i * 3, first);
            SLOT.setRelease(r, i * 3 + 1, second);
            SLOT.setRelease(r, i * 3 + 2, third);
            finish(i, revision, bytes);
        }
    }

    /** Makes room for {@code revision}; returns its slot, or -1 when nothing is retained at all. */
    private int prepare(long revision) {
        if (maxRevisions == 0) {
            return -1;
        }
        Growth g = pendingGrowth;
        if (g != null) {
            pendingGrowth = null;
            grow(revision, g);
        } else if (slotBytes != null && revision - (long) OLDEST.get(hot) >= ring.length / 3) {
            trimTo(revision + 1 - maxRevisions); // consume the bytes recorded in the slot about to be reused
        }
        return (int) (revision & (ring.length / 3 - 1));
    }

    /**
     * Accounts for the appended revision. The bookkeeping of revisions compacted by count (their bytes) is caught
     * up every {@value #TRIM_EVERY} appends, and at once whenever the byte bound is exceeded, so the byte bound
     * is exact while a typical append does no compaction work. (A large revision's bytes were queued by
     * {@link #reserve}.)
     */
    private void finish(int slot, long revision, long bytes) {
        if (slotBytes != null) {
            slotBytes[slot] = bytes;
        }
        Sequencer h = hot;
        h.historyBytes += bytes;
        if ((revision & (TRIM_EVERY - 1)) == 0 || h.historyBytes > maxBytes) {
            trimTo(revision + 1 - maxRevisions);
            while (h.historyBytes > maxBytes && (long) OLDEST.get(h) <= revision) {
                trimOldest(true);
            }
        }
    }

    /** Brings the bookkeeping of compaction by count up to {@code target}. */
    private void trimTo(long target) {
        while ((long) OLDEST.get(hot) < target) {
            trimOldest(false);
        }
    }

    /**
     * Compacts the oldest retained revision. Compaction by count does not touch the slot (it would be a cache miss
     * on every write): its references linger until the ring reuses the slot, at most one ring length later.
     * Compaction by bytes clears the slot, since releasing that memory is its purpose.
     */
    private void trimOldest(boolean clear) {
        Sequencer h = hot;
        long r = (long) OLDEST.get(h);
        Object[] ring = this.ring;
        int i = (int) (r & (ring.length / 3 - 1));
        long bytes;
        if (slotBytes != null) {
            bytes = slotBytes[i];
        } else {
            long[] large = largeRevisions.peekFirst();
            if (large != null && large[0] == r) {
                largeRevisions.pollFirst();
                bytes = large[1];
            } else {
                bytes = bytesPerChange;
            }
        }
        OLDEST.setRelease(h, r + 1);
        if (clear) {
            SLOT.setRelease(ring, i * 3, null);
            SLOT.setRelease(ring, i * 3 + 1, null);
            SLOT.setRelease(ring, i * 3 + 2, null);
        }
        h.historyBytes -= bytes;
    }

    /** Moves the retained slots into {@code g}'s storage (allocated by {@link #reserve}) and publishes it. */
    private void grow(long revision, Growth g) {
        trimTo(revision + 1 - maxRevisions);
        Object[] old = ring;
        int oldSlots = old.length / 3;
        int newSlots = oldSlots << 1;
        Object[] fresh = g.ring;
        long[] freshBytes = g.slotBytes;
        for (long r = (long) OLDEST.get(hot); r < revision; r++) {
            int from = (int) (r & (oldSlots - 1));
            int to = (int) (r & (newSlots - 1));
            System.arraycopy(old, from * 3, fresh, to * 3, 3);
            if (freshBytes != null) {
                freshBytes[to] = slotBytes[from];
            }
        }
        slotBytes = freshBytes;
        RING.setRelease(this, fresh);
    }

    /* ---------------- Reader side (any thread) ---------------- */

    /**
     * Reads the changes of the revisions after {@code after} up to {@code upTo} (which the caller knows to be
     * committed) into {@code out}, whole revisions only, stopping at the first revision boundary at or past
     * {@code maxChanges} changes.
     *
     * @return the last revision read ({@code after} if none)
     * @throws CompactedException if revision {@code after + 1} is no longer retained
     */
    @SuppressWarnings("unchecked")
    long read(long after, long upTo, int maxChanges, List<Change<K, V>> out) {
        long first = after + 1;
        long o = oldestRetained();
        if (first < o) {
            throw new CompactedException(after, o);
        }
        int start = out.size();
        Object[] ring = (Object[]) RING.getAcquire(this);
        int mask = ring.length / 3 - 1;
        long r = after;
        boolean torn = false;
        while (r < upTo && out.size() - start < maxChanges) {
            long rev = r + 1;
            int i = (int) (rev & mask) * 3;
            Object k = SLOT.getAcquire(ring, i);
            if (k instanceof Batch b) {
                Object[] t = b.triples;
                for (int j = 0; j < b.size * 3; j += 3) {
                    out.add(new Change<>(rev, (K) t[j], (V) t[j + 1], (V) t[j + 2]));
                }
            } else {
                Object ov = SLOT.getAcquire(ring, i + 1);
                Object nv = SLOT.getAcquire(ring, i + 2);
                if (k == null || (ov == null && nv == null)) {
                    torn = true;
                    break;
                }
                out.add(new Change<>(rev, (K) k, (V) ov, (V) nv));
            }
            r = rev;
        }
        VarHandle.loadLoadFence();
        o = oldestGiven(hot.allocatedRevision());
        if (first < o) {
            out.subList(start, out.size()).clear();
            throw new CompactedException(after, o);
        }
        if (torn) {
            throw new IllegalStateException("history slot of revision " + (r + 1) + " is empty although retained");
        }
        return r;
    }
}
