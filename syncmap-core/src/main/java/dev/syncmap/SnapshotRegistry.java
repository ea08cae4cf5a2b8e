package dev.syncmap;

import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which revisions the live snapshots of one {@link VersionedMap} read at, so that writers keep exactly the old
 * versions some snapshot may still need.
 *
 * <h2>Implementation notes</h2>
 * A snapshot is live from the moment it starts registering until the garbage collector finds it unreachable;
 * a shared {@link Cleaner} then calls {@link Registration#run()}, which removes it. Registration happens in two
 * steps around the snapshot's cut: {@link #begin(long)} registers a <em>pending</em> floor (a revision known to
 * be at or below the cut) <em>before</em> the snapshot reads the sequencer, and {@link #confirm} replaces it with
 * the exact cut revision. A writer reads {@link #live()} after taking the sequencer; in the synchronization order
 * either its sequencer CAS follows the snapshot's cut (then its read follows {@code begin}'s volatile write and it
 * sees the registration, so it keeps the old version), or the cut follows its release (then the snapshot sees the
 * write and needs nothing older).
 *
 * <p>Writers read one immutable {@link LiveSet} through a volatile field: {@code null} when no snapshot is live
 * (the write keeps no history at all), otherwise the lowest registered revision and, when every registration is
 * exact and there are few of them, the sorted distinct revisions for precise pruning of version chains. Mutations
 * are rare (one per snapshot taken, one per snapshot collected) and synchronized.
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
            int i = Arrays.binarySearch(exact, from);
            if (i < 0) {
                i = -i - 1;
            }
            return i < exact.length && exact[i] < until;
        }
    }

    /** One snapshot's registration; its {@link #run()} is the cleaning action. Holds no reference to the snapshot. */
    static final class Registration implements Runnable {
        private final SnapshotRegistry registry;
        private long revision;
        private boolean pending = true;
        private boolean released;

        Registration(SnapshotRegistry registry, long floor) {
            this.registry = registry;
            this.revision = floor;
        }

        @Override
        public void run() {
            registry.release(this);
        }
    }

    private final TreeMap<Long, int[]> exactCounts = new TreeMap<>();
    private final TreeMap<Long, int[]> pendingCounts = new TreeMap<>();
    private volatile LiveSet live;
    /** The newest snapshot taken, held weakly so that an idle map can hand it out again without registering. */
    private volatile WeakReference<Object> newest;

    /** Returns the newest snapshot taken if it is still reachable, else {@code null}. */
    Object newest() {
        WeakReference<Object> r = newest;
        return r == null ? null : r.get();
    }

    /** Remembers {@code snapshot} as the newest one. */
    void setNewest(Object snapshot) {
        newest = new WeakReference<>(snapshot);
    }

    /** Returns what writers must respect now; {@code null} when no snapshot is live. */
    LiveSet live() {
        return live;
    }

    /** Registers a snapshot whose cut will be at or above {@code floor}. Call before reading the cut. */
    synchronized Registration begin(long floor) {
        Registration r = new Registration(this, floor);
        increment(pendingCounts, floor);
        publish();
        return r;
    }

    /** Replaces a pending registration with the snapshot's exact revision. */
    synchronized void confirm(Registration r, long revision) {
        decrement(pendingCounts, r.revision);
        r.revision = revision;
        r.pending = false;
        increment(exactCounts, revision);
        publish();
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
        decrement(r.pending ? pendingCounts : exactCounts, r.revision);
        publish();
    }

    /** Number of live registrations, for tests. */
    synchronized int liveCount() {
        int n = 0;
        for (int[] c : exactCounts.values()) {
            n += c[0];
        }
        for (int[] c : pendingCounts.values()) {
            n += c[0];
        }
        return n;
    }

    private static void increment(TreeMap<Long, int[]> counts, long revision) {
        counts.computeIfAbsent(revision, k -> new int[1])[0]++;
    }

    private static void decrement(TreeMap<Long, int[]> counts, long revision) {
        int[] c = counts.get(revision);
        if (c == null) {
            throw new IllegalStateException("no live snapshot registered at revision " + revision);
        }
        if (--c[0] == 0) {
            counts.remove(revision);
        }
    }

    private void publish() {
        if (exactCounts.isEmpty() && pendingCounts.isEmpty()) {
            live = null;
            return;
        }
        long min = Long.MAX_VALUE;
        if (!exactCounts.isEmpty()) {
            min = exactCounts.firstKey();
        }
        if (!pendingCounts.isEmpty()) {
            min = Math.min(min, pendingCounts.firstKey());
        }
        long[] exact = null;
        if (pendingCounts.isEmpty() && exactCounts.size() <= MAX_EXACT) {
            exact = new long[exactCounts.size()];
            int i = 0;
            for (Map.Entry<Long, int[]> e : exactCounts.entrySet()) {
                exact[i++] = e.getKey();
            }
        }
        live = new LiveSet(min, exact);
    }
}
