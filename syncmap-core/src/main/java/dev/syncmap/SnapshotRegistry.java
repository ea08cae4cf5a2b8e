package dev.syncmap;

import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Which revisions the live snapshots of one {@link VersionedMap} read at, so that writers keep exactly the old
 * versions some snapshot may still need.
 *
 * <h2>Implementation notes</h2>
 * <b>Registration before the cut.</b> {@link #register} runs the snapshot's cut inside its lock: it first publishes
 * a {@link LiveSet} that includes a <em>pending</em> floor (a revision known to be at or below the cut), then reads
 * the sequencer (the cut), then publishes the exact revision. A commit reads {@link #live()} after taking the
 * sequencer. Both are volatile accesses, so in the synchronization order either the commit's CAS follows the cut
 * (then its read follows the pending publication: it sees a live snapshot and keeps the old version), or the cut
 * follows the commit's release (then the snapshot includes the commit and needs nothing older).
 *
 * <p><b>Release by the garbage collector.</b> A snapshot is live until it becomes unreachable; a shared
 * {@link Cleaner} then runs its {@link Registration}, which removes it. The registrations are kept in revision
 * order (cuts are taken under the lock, so revisions only grow): a FIFO of (revision, count) cells. A release
 * decrements its cell in O(1); empty cells are dropped from the head; the head is the lowest live revision.
 *
 * <p>Writers read one immutable {@link LiveSet} through a volatile field: {@code null} when no snapshot is live
 * (the write keeps no history at all), else the lowest live revision and, when there are few distinct live
 * revisions and no cut is in progress, all of them, for precise pruning of version chains.
 *
 * <p>The newest snapshot is cached (strongly) so that an idle map hands the same one out again; the first commit
 * after it drops the cache ({@link #dropNewest()}), so a cached snapshot never outlives the next write by more
 * than that write.
 */
final class SnapshotRegistry {

    /** Beyond this many distinct live revisions, writers prune by the lowest one only. */
    private static final int MAX_EXACT = 64;

    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "syncmap-snapshot-cleaner");
        t.setDaemon(true);
        return t;
    });

    /** What a writer needs to know about the live snapshots; immutable. */
    static final class LiveSet {
        /** The lowest revision any live or registering snapshot reads at. */
        final long min;
        /** Sorted distinct revisions of the live snapshots, or {@code null} to prune by {@link #min} only. */
        final long[] exact;

        LiveSet(long min, long[] exact) {
            this.min = min;
            this.exact = exact;
        }

        /**
         * Tells whether a version in effect for the revisions {@code [from, until)} may be read by a live
         * snapshot.
         */
        boolean needs(long from, long until) {
            if (exact == null) {
                return until > min;
            }
            int lo = 0;
            int hi = exact.length;
            while (lo < hi) { // first index with exact[i] >= from
                int mid = (lo + hi) >>> 1;
                if (exact[mid] < from) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo < exact.length && exact[lo] < until;
        }
    }

    /** The live snapshots at one revision. */
    private static final class Cell {
        final long revision;
        int count;

        Cell(long revision) {
            this.revision = revision;
        }
    }

    /** One snapshot's registration; its {@link #run()} is the cleaning action. Holds no reference to the snapshot. */
    static final class Registration implements Runnable {
        private final SnapshotRegistry registry;
        private final Cell cell;
        private boolean released;

        Registration(SnapshotRegistry registry, Cell cell) {
            this.registry = registry;
            this.cell = cell;
        }

        @Override
        public void run() {
            registry.release(this);
        }
    }

    /** The source of cuts: implemented by the map over its sequencer. */
    interface Cutter {
        /** Reads a linearizable cut into {@code out}: {@code out[0]} revision, {@code out[1]} size. */
        void cut(long[] out);
    }

    private final ArrayDeque<Cell> cells = new ArrayDeque<>();
    private volatile LiveSet live;
    /** The newest snapshot, for reuse while nothing is committed; cleared by the next commit. */
    private volatile Object newest;

    /** Returns what writers must respect now; {@code null} when no snapshot is live. */
    LiveSet live() {
        return live;
    }

    /** The cached newest snapshot, or null. */
    Object newest() {
        return newest;
    }

    /** Called after a commit: a cached snapshot no longer shows the current revision. */
    void dropNewest() {
        if (newest != null) {
            newest = null;
        }
    }

    /**
     * Registers a snapshot and takes its cut: publishes a pending floor, cuts, publishes the exact revision.
     *
     * @param floor a revision at or below the cut (the caller's last observed committed revision)
     * @param cutter takes the cut
     * @param out receives the cut (revision, size)
     * @return the registration, to be attached to the snapshot with {@link #releaseWhenUnreachable}
     */
    synchronized Registration register(long floor, Cutter cutter, long[] out) {
        LiveSet current = live;
        long min = current == null ? floor : Math.min(current.min, floor);
        live = new LiveSet(min, null); // pending: writers keep everything above min until the exact set is out
        try {
            cutter.cut(out); // throws if the map is broken
        } catch (RuntimeException | Error e) {
            publish(); // withdraw the pending floor, or writers would keep every version above it for good
            throw e;
        }
        long revision = out[0];
        Cell cell = cells.peekLast();
        if (cell == null || cell.revision != revision) {
            cell = new Cell(revision);
            cells.addLast(cell);
        }
        cell.count++;
        publish();
        return new Registration(this, cell);
    }

    /** Caches {@code snapshot} as the newest one. */
    void setNewest(Object snapshot) {
        newest = snapshot;
    }

    /** Makes the registration end when {@code snapshot} becomes unreachable. */
    static void releaseWhenUnreachable(Object snapshot, Registration r) {
        CLEANER.register(snapshot, r);
    }

    /** Ends a registration (idempotent). */
    synchronized void release(Registration r) {
        if (r.released) {
            return;
        }
        r.released = true;
        r.cell.count--;
        while (!cells.isEmpty() && cells.peekFirst().count == 0) {
            cells.pollFirst();
        }
        publish();
    }

    /** Number of live registrations, for tests. */
    synchronized int liveCount() {
        int n = 0;
        for (Cell c : cells) {
            n += c.count;
        }
        return n;
    }

    private void publish() {
        if (cells.isEmpty()) {
            live = null;
            return;
        }
        long min = cells.peekFirst().revision;
        long[] exact = null;
        if (cells.size() <= MAX_EXACT) {
            long[] revs = new long[cells.size()];
            int n = 0;
            for (Iterator<Cell> it = cells.iterator(); it.hasNext();) {
                Cell c = it.next();
                if (c.count > 0) {
                    revs[n++] = c.revision;
                }
            }
            exact = n == revs.length ? revs : Arrays.copyOf(revs, n);
        }
        live = new LiveSet(min, exact);
    }
}
