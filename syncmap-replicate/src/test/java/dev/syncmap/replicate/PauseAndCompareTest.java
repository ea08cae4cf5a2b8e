package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.syncmap.VersionedMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pause-and-compare oracle: writers change the source at random (puts, removes, computes, merges, putAll
 * batches, clears), the writers pause, and every replica must equal the source's snapshot within 5 s.
 */
class PauseAndCompareTest {

    static final Duration CONVERGE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    /** Runs writers for a while; returns when they have stopped. */
    static void write(VersionedMap<Integer, String> map, int threads, long millis, int keys) throws Exception {
        write(map, threads, millis, 0, keys);
    }

    /** Runs writers over keys {@code [from, from + keys)} for a while; returns when they have stopped. */
    static void write(VersionedMap<Integer, String> map, int threads, long millis, int from, int keys)
        throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!stop.get()) {
                    int k = from + r.nextInt(keys);
                    int op = r.nextInt(100);
                    if (op < 50) {
                        map.put(k, "v" + r.nextInt(1000));
                    } else if (op < 70) {
                        map.remove(k);
                    } else if (op < 80) {
                        map.compute(k, (kk, v) -> v == null ? "c" : v.length() > 6 ? null : v + "c");
                    } else if (op < 88) {
                        map.merge(k, "m", String::concat);
                    } else if (op < 99) {
                        Map<Integer, String> batch = new HashMap<>();
                        for (int i = 0; i < 1 + r.nextInt(20); i++) {
                            batch.put(from + r.nextInt(keys), "b" + r.nextInt(1000));
                        }
                        map.putAll(batch);
                    } else if (from == 0 && r.nextInt(20) == 0) {
                        map.clear();
                    }
                }
            });
            th.start();
            ts.add(th);
        }
        Thread.sleep(millis);
        stop.set(true);
        for (Thread th : ts) {
            th.join();
        }
    }

    @Test
    void everyReplicaEqualsTheSourceAfterAPause() throws Exception {
        VersionedMap<Integer, String> source = new VersionedMap<>();
        for (int i = 0; i < 500; i++) {
            source.put(i, "pre" + i); // content before the replicator starts: only the anchor carries it
        }
        ConcurrentHashMap<Integer, String> a = new ConcurrentHashMap<>();
        ConcurrentHashMap<Integer, String> b = new ConcurrentHashMap<>();
        try (Replicator<Integer, String> rep = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(source, "node-a"))
            .sink(new MapReplicaSink<>("a", a))
            .sink(new MapReplicaSink<>("b", b))
            .checkpointDirectory(dir)
            .batchSize(64)
            .build()) {
            rep.start();
            for (int round = 0; round < 3; round++) {
                write(source, 3, 300, 2_000);
                assertTrue(rep.awaitCaughtUp(CONVERGE), () -> "not caught up: " + rep.status());
                Map<Integer, String> expected = new HashMap<>(source.snapshot());
                assertEquals(expected, a, "replica a, round " + round);
                assertEquals(expected, b, "replica b, round " + round);
            }
            assertEquals(Replicator.State.RUNNING, rep.status().state());
        }
    }

    /**
     * Broken control: a replica whose checkpoint claims the source's current revision although it holds
     * nothing, so the replicator resumes without an anchor. The oracle must see the missing content.
     */
    @Test
    void aSourceThatSkipsTheAnchorIsCaught() throws Exception {
        // history large enough that the pipeline never falls behind (a re-anchor would heal the control)
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 22).build();
        for (int i = 0; i < 100; i++) {
            source.put(i, "pre" + i);
        }
        FileCheckpointStore store = new FileCheckpointStore(dir);
        store.store("a", new Checkpoint("node-a", source.revision(), 0));
        ConcurrentHashMap<Integer, String> a = new ConcurrentHashMap<>();
        try (Replicator<Integer, String> rep = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(source, "node-a"))
            .sink(new MapReplicaSink<>("a", a))
            .checkpointStore(store)
            .build()) {
            rep.start();
            write(source, 1, 100, 1_000, 300); // other keys: only the anchor could have brought 0..99
            assertTrue(rep.awaitCaughtUp(CONVERGE));
            assertNotEquals(new HashMap<>(source.snapshot()), a, "the oracle must notice the skipped anchor");
        }
    }
}
