package dev.syncmap.replicate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import dev.syncmap.Change;
import dev.syncmap.CompactedException;
import dev.syncmap.VersionedMap;
import dev.syncmap.VersionedSnapshot;
import dev.syncmap.Watch;
import dev.syncmap.WatchListener;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's source: a {@link VersionedMap}'s snapshot and change feed, with a snapshot anchor.
 *
 * <p><b>Anchor, then feed.</b> Started without a usable position (a new replica, a lost or corrupt checkpoint,
 * a position the map no longer retains or has not reached), the source takes a {@link VersionedMap#snapshot()
 * snapshot} at revision R (O(1), consistent), sends its entries framed as an anchor, and then
 * {@linkplain VersionedMap#watch watches} from R: the changes after R, in order, each once, no gap. Anchor +
 * changes equal the source: nothing missing (RPO 0), nothing doubled (sinks skip what they have already seen).
 * Started with a position P that the map still retains, it watches from P without an anchor.
 *
 * <p><b>Re-anchoring.</b> If the pipeline falls so far behind that the map compacts history it has not read yet
 * (the watch {@linkplain WatchListener#onFellBehind falls behind}), the source re-anchors at once: a new
 * snapshot, its anchor, a new watch from there. No gap, and counted ({@link #reanchors()}).
 *
 * <p><b>Stamps.</b> Each revision gets one {@link HybridLogicalClock} stamp when the source reads it (a
 * {@code VersionedMap} keeps no clock), so one origin's stamps grow with its revisions. Anchor entries carry the
 * anchor's stamp. After a restart, changes replayed past a sink's checkpoint get new, larger stamps; a sink that
 * had already applied them skips them by revision, one that had not applies them with the new stamp.
 *
 * <p><b>Threads.</b> The anchor is sent from the replicator's source thread; changes from the map's watch
 * executor (one delivery at a time). When the pipeline's ring buffer is full the delivery waits for room, holding
 * one thread of the map's watch executor (a map that feeds a replicator should have an executor with a thread to
 * spare; the default pool has at least four).
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class VersionedMapSource<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(VersionedMapSource.class);

    private final VersionedMap<K, V> map;
    private final String origin;
    private final AtomicLong reanchors = new AtomicLong();
    private volatile Watch watch;
    private volatile String anchorReason;
    private volatile boolean stopped;

    /**
     * A source over a map.
     *
     * @param map the map to replicate
     * @param origin this node's id (letters, digits, '.', '_', '-'); must not be reused by another map whose
     *     revisions mean other writes
     */
    public VersionedMapSource(VersionedMap<K, V> map, String origin) {
        this.map = Objects.requireNonNull(map, "map");
        this.origin = Names.check("origin", origin);
    }

    /**
     * Returns the origin node id stamped on every change.
     *
     * @return the origin
     */
    public String origin() {
        return origin;
    }

    /**
     * Returns the map.
     *
     * @return the source map
     */
    public VersionedMap<K, V> map() {
        return map;
    }

    /**
     * Returns the source's current revision (for lag).
     *
     * @return the map's revision
     */
    public long revision() {
        return map.revision();
    }

    /**
     * Returns how many times the source has anchored since it was created (the first anchor of a new replica
     * included).
     *
     * @return the count
     */
    public long reanchors() {
        return reanchors.get();
    }

    /**
     * Returns why the last start had to anchor (no checkpoint, a checkpoint older than the retained history or
     * ahead of the source), or null if it resumed from its position.
     *
     * @return the reason, or null
     */
    public String anchorReason() {
        return anchorReason;
    }

    /**
     * Starts reading. Runs the anchor (if one is needed) on the calling thread, then returns with the watch
     * running.
     *
     * @param resumeAfter the revision every sink has applied, or -1 to anchor
     * @param clock stamps the changes
     * @param out receives the envelopes
     * @return why an anchor was sent, or null if the source resumed from {@code resumeAfter}
     */
    String start(long resumeAfter, HybridLogicalClock clock, Emitter<K, V> out) {
        stopped = false;
        anchorReason = null;
        String reason = null;
        if (resumeAfter < 0) {
            reason = "no checkpoint";
        } else if (resumeAfter > map.revision()) {
            reason = "checkpoint at revision " + resumeAfter + " is ahead of the source (revision " + map.revision()
                + "): another map, or one restored from an older copy";
        } else if (resumeAfter + 1 < map.oldestRetainedRevision()) {
            reason = "checkpoint at revision " + resumeAfter + " is older than the source's retained history"
                + " (oldest revision " + map.oldestRetainedRevision() + ")";
        }
        if (reason == null) {
            try {
                watchFrom(resumeAfter, clock, out);
                return null;
            } catch (CompactedException e) {
                reason = "history compacted while starting: " + e.getMessage();
            }
        }
        anchorReason = reason; // before the anchor: whoever sees it applied sees why
        anchorAndWatch(clock, out);
        return reason;
    }

    /** Stops reading: closes the watch; no envelope is emitted after this returns, except by a delivery under way. */
    void stop() {
        stopped = true;
        Watch w = watch;
        if (w != null) {
            w.close();
        }
    }

    private void anchorAndWatch(HybridLogicalClock clock, Emitter<K, V> out) {
        while (!stopped) {
            VersionedSnapshot<K, V> snap = map.snapshot();
            long r = snap.revision();
            long stamp = clock.now();
            reanchors.incrementAndGet();
            out.emit(new Envelope<>(Envelope.Kind.ANCHOR_START, origin, r, stamp, null, null, true,
                Envelope.NO_EXPIRY));
            List<Envelope<K, V>> chunk = new ArrayList<>(Emitter.CHUNK);
            for (Map.Entry<K, V> e : snap.entrySet()) {
                chunk.add(new Envelope<>(Envelope.Kind.CHANGE, origin, r, stamp, e.getKey(), e.getValue(), false,
                    Envelope.NO_EXPIRY));
                if (chunk.size() == Emitter.CHUNK) {
                    if (!out.emitAll(chunk)) {
                        return;
                    }
                    chunk.clear();
                }
            }
            if (!chunk.isEmpty() && !out.emitAll(chunk)) {
                return;
            }
            out.emit(new Envelope<>(Envelope.Kind.ANCHOR_END, origin, r, stamp, null, null, true,
                Envelope.NO_EXPIRY));
            try {
                watchFrom(r, clock, out);
                return;
            } catch (CompactedException e) {
                LOG.warn("source {}: history compacted past the anchor at revision {} before the watch started;"
                    + " anchoring again", origin, r);
            }
        }
    }

    private void watchFrom(long after, HybridLogicalClock clock, Emitter<K, V> out) {
        Watch w = map.watch(after, listener(clock, out));
        watch = w;
        if (stopped) { // stop() ran while the watch was being created and could not close it
            w.close();
        }
    }

    private WatchListener<K, V> listener(HybridLogicalClock clock, Emitter<K, V> out) {
        return new WatchListener<>() {
            @Override
            public void onChanges(List<Change<K, V>> changes) {
                List<Envelope<K, V>> envs = new ArrayList<>(changes.size());
                long rev = -1;
                long stamp = 0;
                int n = changes.size();
                for (int i = 0; i < n; i++) {
                    Change<K, V> c = changes.get(i);
                    if (c.revision() != rev) {
                        rev = c.revision();
                        stamp = clock.now();
                    }
                    boolean end = i == n - 1 || changes.get(i + 1).revision() != rev;
                    envs.add(new Envelope<>(Envelope.Kind.CHANGE, origin, rev, stamp, c.key(), c.newValue(), end,
                        Envelope.NO_EXPIRY));
                }
                out.emitAll(envs);
            }

            @Override
            public void onFellBehind(CompactedException cause) {
                if (stopped) {
                    return;
                }
                LOG.warn("source {}: the pipeline fell behind the map's retained history ({}); re-anchoring",
                    origin, cause.getMessage());
                anchorAndWatch(clock, out);
            }
        };
    }

    /** Where a source puts envelopes: the pipeline's ring buffer. */
    interface Emitter<K, V> {
        /** Envelopes per ring claim when a source sends many. */
        int CHUNK = 256;

        /**
         * Emits one envelope, waiting for room.
         *
         * @param e the envelope
         * @return false if the pipeline is stopping (the envelope was not emitted)
         */
        boolean emit(Envelope<K, V> e);

        /**
         * Emits envelopes in order, waiting for room.
         *
         * @param es the envelopes
         * @return false if the pipeline is stopping (a suffix may not have been emitted)
         */
        boolean emitAll(List<Envelope<K, V>> es);
    }
}
