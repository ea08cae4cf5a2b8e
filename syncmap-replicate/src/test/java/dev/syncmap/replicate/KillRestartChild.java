package dev.syncmap.replicate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import dev.syncmap.VersionedMap;

/**
 * The replicator process of {@link KillAndRestartTest}, run in a child JVM that the test kills with
 * {@code kill -9} and starts again. It builds a {@link VersionedMap}, applies {@link DeterministicOps} 1..preOps
 * (and on until the map's revision reaches {@code preRevision}) before starting the replicator, then the rest of
 * the ops up to {@code ops} at about {@code rate} ops per second while the replicator runs, waits until the sink
 * has everything, stops the replicator with a drain and exits 0. A restarted child replays the same ops, so its
 * source is the one the killed child had: revision r is the same write in both.
 *
 * <p>The sink is a {@link LoggedReplicaSink} (a file), the checkpoints a {@link FileCheckpointStore}, both in
 * {@code dir}. Arguments, {@code name=value}: {@code dir seed ops history preOps preRevision rate checkpointMs},
 * and for the broken controls {@code rebuild=false} (the sink forgets its version table) and {@code lie=L} (the
 * checkpoint store claims L revisions more than the sink wrote).
 *
 * <p>Prints {@code WRITER_DONE revision=R} when every op is applied and
 * {@code DONE revision=R anchors=A rebuilt=B reason=...} before a clean exit.
 */
public final class KillRestartChild {

    private KillRestartChild() {}

    /**
     * Runs the child.
     *
     * @param args {@code name=value} pairs
     * @throws Exception on any failure (exit status 1)
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        Path dir = Path.of(a.get("dir"));
        DeterministicOps ops = new DeterministicOps(Long.parseLong(a.get("seed")));
        int total = Integer.parseInt(a.get("ops"));
        int preOps = Integer.parseInt(a.getOrDefault("preOps", "0"));
        long preRevision = Long.parseLong(a.getOrDefault("preRevision", "0"));
        double rate = Double.parseDouble(a.get("rate"));
        boolean rebuild = Boolean.parseBoolean(a.getOrDefault("rebuild", "true"));
        long lie = Long.parseLong(a.getOrDefault("lie", "0"));

        VersionedMap<Integer, String> map = VersionedMap.<Integer, String>builder()
            .historyCount(Long.parseLong(a.get("history"))).build();
        int i = 1;
        while (i <= total && (i <= preOps || map.revision() < preRevision)) {
            ops.apply(map, i++);
        }
        CheckpointStore files = new FileCheckpointStore(dir.resolve("checkpoints"));
        CheckpointStore store = lie == 0 ? files : new AheadStore(files, lie);
        LoggedReplicaSink sink = new LoggedReplicaSink("replica", dir.resolve("replica.log"), rebuild);
        Replicator<Integer, String> rep = Replicator.<Integer, String>builder()
            .name("kill")
            .source(new VersionedMapSource<>(map, "node-a"))
            .sink(sink)
            .checkpointStore(store)
            .checkpointInterval(Duration.ofMillis(Long.parseLong(a.getOrDefault("checkpointMs", "100"))))
            .batchSize(256)
            .build();
        System.out.println("STARTING revision=" + map.revision() + " op=" + (i - 1) + " rebuilt=" + sink.rebuilt());
        rep.start();
        long t0 = System.nanoTime();
        int first = i;
        while (i <= total) {
            ops.apply(map, i++);
            if ((i & 63) == 0) {
                long due = t0 + (long) ((i - first) * 1e9 / rate);
                long now = System.nanoTime();
                if (due - now > 200_000) {
                    LockSupport.parkNanos(due - now);
                }
                if (rep.status().state() != Replicator.State.RUNNING) {
                    break;
                }
            }
        }
        long revision = map.revision();
        System.out.println("WRITER_DONE revision=" + revision);
        boolean caughtUp = rep.awaitApplied(revision, Duration.ofSeconds(60));
        rep.stop(Replicator.StopMode.DRAIN, Duration.ofSeconds(30));
        Replicator.Status st = rep.status();
        if (!caughtUp || st.failure() != null) {
            System.out.println("FAILED caughtUp=" + caughtUp + " status=" + st);
            if (st.failure() != null) {
                st.failure().printStackTrace(System.out);
            }
            System.out.flush();
            System.exit(3);
        }
        System.out.println("DONE revision=" + revision + " anchors=" + st.anchors() + " rebuilt=" + sink.rebuilt()
            + " checkpoint=" + files.load("replica").map(Checkpoint::revision).orElse(-1L)
            + " reason=" + st.lastAnchorReason());
        System.out.flush();
        System.exit(0);
    }

    /** Broken control: a store that claims more than the sink has written (a checkpoint taken before writing). */
    private static final class AheadStore implements CheckpointStore {
        private final CheckpointStore delegate;
        private final long lie;

        AheadStore(CheckpointStore delegate, long lie) {
            this.delegate = delegate;
            this.lie = lie;
        }

        @Override
        public Optional<Checkpoint> load(String sink) throws IOException {
            return delegate.load(sink);
        }

        @Override
        public void store(String sink, Checkpoint cp) throws IOException {
            delegate.store(sink, new Checkpoint(cp.origin(), cp.revision() + lie, cp.stamp()));
        }

        @Override
        public void delete(String sink) throws IOException {
            delegate.delete(sink);
        }
    }
}
