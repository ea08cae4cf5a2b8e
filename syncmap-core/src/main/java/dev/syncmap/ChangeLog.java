package dev.syncmap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * re-reads {@link #oldest} with an acquire load. Compaction raises {@code oldest} (release) <em>before</em> it
 * clears or reuses a slot, so a reader that saw a cleared or reused slot also sees the raised {@code oldest} and
 * reports {@link CompactedException} instead of returning torn data (the seqlock pattern, with {@code oldest}
 * as the sequence). Growth copies the retained slots into a new array and publishes it with a release store;
 * the old array is never written again, so a reader still holding it reads valid, if aging, slots.
 *
 * <p><b>Bounds.</b> At most {@code maxRevisions} revisions are retained, and the estimated bytes of the retained
 * changes stay at or below {@code maxBytes} (a single revision larger than that is not retained at all). The
 * default estimate is a constant per change, computed without touching the change; a custom estimator is
 * called once per change at append time and its results are kept beside the slots.
 *
 * <p>Traded away: a slot per revision costs 12 bytes (compressed references) even when the revision's values
 * are shared with the map; the ring never shrinks.
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
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle RING;
    private static final VarHandle OLDEST;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RING = l.findVarHandle(ChangeLog.class, "ring", Object[].class);
            OLDEST = l.findVarHandle(ChangeLog.class, "oldest", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long maxRevisions;
    private final long maxBytes;
    private final long bytesPerChange;
    private final Estimator<K, V> estimator;
    private final int maxSlots;

    /** Three entries per slot; slot of revision r is {@code r & (slots - 1)}. Published with release. */
    private Object[] ring;
    /** Estimated bytes per slot, same indexing; only with a custom estimator. Writer-only. */
    private long[] slotBytes;
    /** The oldest retained revision; {@code next} when nothing is retained. Release writes, acquire reads. */
    private long oldest;
    /** The revision the next append must carry. Writer-only. */
    private long next;
    /** Estimated bytes of the retained changes. Writer-only. */
    private long retainedBytes;

    ChangeLog(long maxRevisions, long maxBytes, long bytesPerChange, Estimator<K, V> estimator, long startRevision) {
        this.maxRevisions = maxRevisions;
        this.maxBytes = maxBytes;
        this.bytesPerChange = bytesPerChange;
        this.estimator = estimator;
        this.maxSlots = maxRevisions == 0 ? 1 : (int) Long.highestOneBit(Math.max(1, maxRevisions * 2 - 1));
        int initial = Math.min(maxSlots, INITIAL_SLOTS);
        this.ring = new Object[initial * 3];
        this.slotBytes = estimator == null ? null : new long[initial];
        this.next = startRevision + 1;
        this.oldest = startRevision + 1;
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
        return (long) OLDEST.getAcquire(this);
    }

    /* ---------------- Writer side (sequencer held) ---------------- */

    /** Appends a single-change revision. */
    void append(long revision, Object key, Object oldValue, Object newValue, long bytes) {
        int i = prepare(revision);
        if (i >= 0) {
            Object[] r = ring;
            SLOT.setRelease(r, i * 3, key);
            SLOT.setRelease(r, i * 3 + 1, oldValue);
            SLOT.setRelease(r, i * 3 + 2, newValue);
            finish(i, revision, bytes);
        }
    }

    /** Appends a multi-key revision. */
    void appendBatch(long revision, Batch batch, long bytes) {
        int i = prepare(revision);
        if (i >= 0) {
            Object[] r = ring;
            SLOT.setRelease(r, i * 3, batch);
            SLOT.setRelease(r, i * 3 + 1, null);
            SLOT.setRelease(r, i * 3 + 2, null);
            finish(i, revision, bytes);
        }
    }

    /** Makes room for {@code revision}; returns its slot, or -1 when nothing is retained at all. */
    private int prepare(long revision) {
        if (revision != next) {
            throw new IllegalStateException("history out of order: appending " + revision + ", expected " + next);
        }
        next = revision + 1;
        if (maxRevisions == 0) {
            OLDEST.setRelease(this, revision + 1);
            return -1;
        }
        while (revision - oldest >= maxRevisions) {
            trimOldest();
        }
        int slots = ring.length / 3;
        if (revision - oldest >= slots) {
            grow(revision);
            slots = ring.length / 3;
        }
        return (int) (revision & (slots - 1));
    }

    private void finish(int slot, long revision, long bytes) {
        if (slotBytes != null) {
            slotBytes[slot] = bytes;
        }
        retainedBytes += bytes;
        while (retainedBytes > maxBytes && oldest <= revision) {
            trimOldest();
        }
    }

    private void trimOldest() {
        long r = oldest;
        Object[] ring = this.ring;
        int slots = ring.length / 3;
        int i = (int) (r & (slots - 1));
        long bytes;
        if (slotBytes != null) {
            bytes = slotBytes[i];
        } else {
            Object k = ring[i * 3];
            bytes = bytesPerChange * (k instanceof Batch b ? b.size : 1);
        }
        OLDEST.setRelease(this, r + 1);
        SLOT.setRelease(ring, i * 3, null);
        SLOT.setRelease(ring, i * 3 + 1, null);
        SLOT.setRelease(ring, i * 3 + 2, null);
        retainedBytes -= bytes;
    }

    private void grow(long revision) {
        Object[] old = ring;
        int oldSlots = old.length / 3;
        int newSlots = oldSlots << 1;
        if (newSlots > maxSlots) {
            throw new IllegalStateException("history ring overflow at revision " + revision);
        }
        Object[] fresh = new Object[newSlots * 3];
        long[] freshBytes = slotBytes == null ? null : new long[newSlots];
        for (long r = oldest; r < revision; r++) {
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
        o = oldestRetained();
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
