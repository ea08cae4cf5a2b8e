package dev.syncmap.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.syncmap.Change;
import dev.syncmap.CompactedException;
import dev.syncmap.VersionedMap;
import dev.syncmap.VersionedSnapshot;
import dev.syncmap.Watch;
import dev.syncmap.WatchListener;
import dev.syncmap.replicate.MapReplicaSink;
import dev.syncmap.replicate.Replicator;
import dev.syncmap.replicate.VersionedMapSource;

/**
 * The two ways from a {@link VersionedMap} to a replica map that the replication benchmarks compare:
 * <ul>
 *   <li>{@code pipeline}: the full {@link Replicator} (snapshot anchor, then the feed; transform, resolve with
 *       last-writer-wins and folding, one {@link MapReplicaSink} over the replica, file checkpoints on, every
 *       other setting at its default unless given);</li>
 *   <li>{@code bareWatch}: the upper bound: the replica loaded from a snapshot, then one
 *       {@link VersionedMap#watch watch} whose listener applies each change to the replica (no envelopes, no
 *       versions, no checkpoints): what the map's feed alone costs.</li>
 * </ul>
 * Both run on the map's default watch executor. Closing stops the path and prints what it did (anchors, folds,
 * whether the bare watch fell behind the history), so that a run that re-anchored is visible in the log.
 *
 * @param <V> the type of values
 */
final class ReplicationRig<V> implements AutoCloseable {

    /** The full pipeline. */
    static final String PIPELINE = "pipeline";
    /** A bare watch applying changes to the replica. */
    static final String BARE_WATCH = "bareWatch";

    private final String path;
    private final VersionedMap<Integer, V> source;
    private final ConcurrentMap<Integer, V> replica;
    private Replicator<Integer, V> replicator;
    private Watch watch;
    private Path checkpointDir;
    private final AtomicLong fellBehind = new AtomicLong();

    private ReplicationRig(String path, VersionedMap<Integer, V> source, ConcurrentMap<Integer, V> replica) {
        this.path = path;
        this.source = source;
        this.replica = replica;
    }

    /**
     * Starts a path from {@code source} into {@code replica} and waits until the replica holds the source's
     * current content.
     *
     * @param path {@link #PIPELINE} or {@link #BARE_WATCH}
     * @param source the source map
     * @param replica the replica, empty
     * @param ringSize the pipeline's ring size
     * @param sinkBatch the pipeline's largest sink batch
     * @param <V> the type of values
     * @return the running rig
     */
    static <V> ReplicationRig<V> start(String path, VersionedMap<Integer, V> source, ConcurrentMap<Integer, V> replica,
                                       int ringSize, int sinkBatch) {
        ReplicationRig<V> rig = new ReplicationRig<>(path, source, replica);
        try {
            if (PIPELINE.equals(path)) {
                rig.startPipeline(ringSize, sinkBatch);
            } else if (BARE_WATCH.equals(path)) {
                rig.startWatch();
            } else {
                throw new IllegalArgumentException("path must be " + PIPELINE + " or " + BARE_WATCH + ", was " + path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return rig;
    }

    private void startPipeline(int ringSize, int sinkBatch) throws IOException, InterruptedException {
        checkpointDir = Files.createTempDirectory("syncmap-bench-replicate");
        replicator = Replicator.<Integer, V>builder()
                .name("bench")
                .source(new VersionedMapSource<>(source, "bench"))
                .sink(new MapReplicaSink<>("replica", replica))
                .checkpointDirectory(checkpointDir)
                .ringSize(ringSize)
                .batchSize(sinkBatch)
                .build();
        replicator.start();
        if (!replicator.awaitCaughtUp(Duration.ofSeconds(120))) {
            throw new IllegalStateException("the pipeline did not anchor within 120 s: " + replicator.status());
        }
    }

    private void startWatch() {
        VersionedSnapshot<Integer, V> snap = source.snapshot();
        replica.putAll(snap);
        watch = source.watch(snap.revision(), new WatchListener<>() {
            @Override
            public void onChanges(List<Change<Integer, V>> changes) {
                for (int i = 0, n = changes.size(); i < n; i++) {
                    Change<Integer, V> c = changes.get(i);
                    V v = c.newValue();
                    if (v == null) {
                        replica.remove(c.key());
                    } else {
                        replica.put(c.key(), v);
                    }
                }
            }

            @Override
            public void onFellBehind(CompactedException cause) {
                fellBehind.incrementAndGet(); // the replica is then stale: the benchmark's wait times out
            }
        });
    }

    /**
     * Tells what happened so far (anchors and folds of the pipeline; whether the bare watch fell behind).
     *
     * @return a one-line summary
     */
    String describe() {
        if (replicator != null) {
            Replicator.Status s = replicator.status();
            return path + ": source revision " + s.sourceRevision() + ", anchors " + s.anchors()
                    + " (1 = only the first), changes folded " + s.coalesced() + ", replica size " + replica.size()
                    + ", state " + s.state();
        }
        return path + ": source revision " + source.revision() + ", fell behind " + fellBehind.get()
                + " times, replica size " + replica.size();
    }

    /**
     * Tells whether the path lost its place in the history (a bare watch that fell behind stops following).
     *
     * @return true if the bare watch fell behind
     */
    boolean broken() {
        return fellBehind.get() > 0 || replicator != null && replicator.status().failure() != null;
    }

    @Override
    public void close() {
        System.out.println("# " + describe());
        if (replicator != null) {
            replicator.stop(Replicator.StopMode.ABORT, Duration.ofSeconds(10));
        }
        if (watch != null) {
            watch.close();
        }
        if (checkpointDir != null) {
            try (Stream<Path> files = Files.walk(checkpointDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        System.out.println("# could not delete " + p + ": " + e);
                    }
                });
            } catch (IOException e) {
                System.out.println("# could not delete " + checkpointDir + ": " + e);
            }
        }
    }
}
