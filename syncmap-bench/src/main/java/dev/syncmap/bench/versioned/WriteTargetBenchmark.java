package dev.syncmap.bench.versioned;

import dev.syncmap.bench.Contender;
import dev.syncmap.Change;
import dev.syncmap.VersionedMap;
import dev.syncmap.Watch;
import dev.syncmap.WatchListener;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@code put}/{@code remove} throughput with the feed on, for the target "writes &ge; 0.7&times;
 * ConcurrentHashMap". Score: operations per microsecond; run with {@code -prof gc} for bytes per operation.
 *
 * <p>Every operation is a write: a thread removes a random key, then puts it back (so the size is stable and every
 * other write inserts a node). {@code VersionedMap} always records its history (the feed is always on: every
 * write lands in the bounded change log); {@code VersionedMap+watch} also has one watch consuming the feed on the
 * default watch executor, which competes for the CPU like a real consumer (when it falls behind the history it
 * resubscribes; the tear-down prints how often).
 */
public class WriteTargetBenchmark extends FilledSubjectState {

    /** The map under test. */
    @Param({Subject.VERSIONED, "VersionedMap+watch", Subject.CHM, Subject.TRIE})
    public String map;

    volatile Watch watch;
    /** Changes the watch received: read at tear-down to prove it kept up. */
    final LongAdder delivered = new LongAdder();
    /** Times the watch fell behind the bounded history and resubscribed. */
    final LongAdder fellBehind = new LongAdder();

    /** Fills the map; attaches the watch for {@code VersionedMap+watch}. */
    @Setup(Level.Trial)
    public void fill() {
        boolean watched = map.endsWith("+watch");
        fill(watched ? Subject.VERSIONED : map);
        if (watched) {
            @SuppressWarnings("unchecked")
            VersionedMap<Integer, Integer> vm = (VersionedMap<Integer, Integer>) subject.map();
            subscribe(vm);
        }
        Contender.settleHeap();
    }

    /**
     * Watches from the current revision; when the watch falls behind the history (writers outrun one consumer
     * thread), it resubscribes from the then-current revision, as a real follower would after re-snapshotting,
     * so that a watch stays attached for the whole measurement.
     */
    private void subscribe(VersionedMap<Integer, Integer> vm) {
        for (;;) {
            try {
                watch = vm.watch(vm.revision(), listener(vm));
                return;
            } catch (dev.syncmap.CompactedException e) {
                fellBehind.increment(); // the writers compacted the revision just read: try again
            }
        }
    }

    private WatchListener<Integer, Integer> listener(VersionedMap<Integer, Integer> vm) {
        return new WatchListener<>() {
            @Override
            public void onChanges(List<Change<Integer, Integer>> changes) {
                delivered.add(changes.size());
            }

            @Override
            public void onFellBehind(dev.syncmap.CompactedException cause) {
                fellBehind.increment();
                subscribe(vm);
            }
        };
    }

    /** Stops the watch and reports what it received. */
    @TearDown(Level.Trial)
    public void stop() {
        if (watch != null) {
            watch.close();
            System.out.println("# watch delivered " + delivered.sum() + " changes, fell behind and resubscribed "
                + fellBehind.sum() + " times");
        }
    }

    /** One thread's key stream and position. */
    @State(Scope.Thread)
    public static class Cursor extends FilledSubjectState.Cursor {
        /**
         * Builds the stream, seeded by the thread's index.
         *
         * @param b the benchmark state
         * @param thread JMH's thread parameters
         */
        @Setup(Level.Trial)
        public void setUp(WriteTargetBenchmark b, ThreadParams thread) {
            build(b, 0.0, 4242 + thread.getThreadIndex());
        }
    }

    /**
     * One write: remove a random key, or put back the one removed before.
     *
     * @param c the thread's cursor
     */
    @Benchmark
    public void write(Cursor c) {
        write(c, c.removed == null ? c.keys[c.position++ & c.mask] : null);
    }
}
