package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.syncmap.VersionedMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicatorLifecycleTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    final VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(100_000).build();
    final ConcurrentHashMap<Integer, String> replica = new ConcurrentHashMap<>();

    Replicator<Integer, String> replicator(Sink<Integer, String> sink) throws Exception {
        return Replicator.<Integer, String>builder().name("t").source(new VersionedMapSource<>(source, "n1"))
            .sink(sink).checkpointDirectory(dir).checkpointInterval(Duration.ZERO).build();
    }

    void fill(int from, int to) {
        for (int i = from; i < to; i++) {
            source.put(i % 300, "v" + i);
            if (i % 7 == 0) {
                source.remove((i * 31) % 300);
            }
        }
    }

    @Test
    void aRestartResumesFromTheCheckpointWithoutAnAnchor() throws Exception {
        fill(0, 1_000);
        MapReplicaSink<Integer, String> sink = new MapReplicaSink<>("s", replica);
        try (Replicator<Integer, String> r = replicator(sink)) {
            r.start();
            assertTrue(r.awaitCaughtUp(WAIT));
            assertEquals("no checkpoint", r.status().lastAnchorReason());
        }
        long stoppedAt = source.revision();
        assertEquals(stoppedAt, new FileCheckpointStore(dir).load("s").orElseThrow().revision());
        fill(1_000, 2_000); // written while no replicator runs
        try (Replicator<Integer, String> r = replicator(sink)) {
            r.start();
            assertTrue(r.awaitCaughtUp(WAIT));
            assertNull(r.status().lastAnchorReason(), "resumed from the checkpoint");
            assertEquals(new HashMap<>(source.snapshot()), replica);
        }
    }

    @Test
    void aFreshInMemorySinkIsAnchoredWhateverItsCheckpointSays() throws Exception {
        fill(0, 500);
        try (Replicator<Integer, String> r = replicator(new MapReplicaSink<>("s", replica))) {
            r.start();
            assertTrue(r.awaitCaughtUp(WAIT));
        }
        ConcurrentHashMap<Integer, String> fresh = new ConcurrentHashMap<>(); // a new process's replica
        try (Replicator<Integer, String> r = replicator(new MapReplicaSink<>("s", fresh))) {
            r.start();
            assertTrue(r.awaitCaughtUp(WAIT));
            assertEquals(new HashMap<>(source.snapshot()), fresh);
        }
    }

    @Test
    void aCheckpointOlderThanTheHistoryReanchorsAndSaysWhy() throws Exception {
        VersionedMap<Integer, String> small = VersionedMap.<Integer, String>builder().historyCount(100).build();
        FileCheckpointStore store = new FileCheckpointStore(dir);
        for (int i = 0; i < 1_000; i++) {
            small.put(i % 50, "v" + i);
        }
        store.store("s", new Checkpoint("n1", 10, 0));
        MapReplicaSink<Integer, String> sink = new MapReplicaSink<>("s", replica);
        sink.write(List.of(Envelope.change("n1", 5, 0, 999, "stale: removed at the source long ago", true)));
        try (Replicator<Integer, String> r = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(small, "n1")).sink(sink)
            .checkpointStore(store).build()) {
            r.start();
            assertTrue(r.awaitCaughtUp(WAIT));
            assertTrue(r.status().lastAnchorReason().contains("older than the source's retained history"),
                r.status().lastAnchorReason());
        }
        assertEquals(new HashMap<>(small.snapshot()), replica, "the anchor removed what the source no longer has");
    }

    @Test
    void aCorruptCheckpointIsReportedAndTheSinkReanchored() throws Exception {
        fill(0, 500);
        FileCheckpointStore store = new FileCheckpointStore(dir);
        store.store("s", new Checkpoint("n1", 5, 0));
        byte[] bytes = Files.readAllBytes(store.fileOf("s"));
        bytes[bytes.length - 1] ^= 1;
        Files.write(store.fileOf("s"), bytes);
        CorruptStateException e = assertThrows(CorruptStateException.class, () -> store.load("s"));
        assertTrue(e.getMessage().contains("s.checkpoint") && e.getMessage().contains("checksum"), e.getMessage());

        Replicator<Integer, String> failing = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(source, "n1")).sink(new MapReplicaSink<>("s", replica))
            .checkpointStore(store).onCorruptState(Replicator.CorruptStatePolicy.FAIL).build();
        assertThrows(CorruptStateException.class, failing::start);
        assertEquals(Replicator.State.FAILED, failing.status().state());
        failing.close();

        try (Replicator<Integer, String> r = replicator(new MapReplicaSink<>("s", replica))) {
            r.start();
            assertTrue(r.awaitCaughtUp(WAIT));
            assertEquals(1, r.status().corruptCheckpoints());
            assertEquals("no checkpoint", r.status().lastAnchorReason());
            assertEquals(new HashMap<>(source.snapshot()), replica);
        }
    }

    @Test
    void truncatedUnknownVersionAndForeignCheckpointsAreNamed() throws Exception {
        FileCheckpointStore store = new FileCheckpointStore(dir);
        Files.write(store.fileOf("t1"), new byte[] {1, 2, 3});
        assertTrue(assertThrows(CorruptStateException.class, () -> store.load("t1")).getMessage()
            .contains("truncated"));
        store.store("t2", new Checkpoint("n1", 5, 0));
        byte[] b = Files.readAllBytes(store.fileOf("t2"));
        b[7] = 9; // format version 9
        Files.write(store.fileOf("t2"), b);
        assertTrue(assertThrows(CorruptStateException.class, () -> store.load("t2")).getMessage()
            .contains("unknown checkpoint format version 9"));
        store.store("s", new Checkpoint("another-node", 5, 0));
        Replicator<Integer, String> r = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(source, "n1")).sink(new MapReplicaSink<>("s", replica))
            .checkpointStore(store).onCorruptState(Replicator.CorruptStatePolicy.FAIL).build();
        CorruptStateException e = assertThrows(CorruptStateException.class, r::start);
        assertTrue(e.getMessage().contains("origin another-node"), e.getMessage());
        r.close();
    }

    @Test
    void aThrowingTransformerFailsTheReplicatorAndNothingPastItIsWritten() throws Exception {
        fill(0, 100);
        AtomicInteger seen = new AtomicInteger();
        Replicator<Integer, String> r = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(source, "n1")).sink(new MapReplicaSink<>("s", replica))
            .transformer(c -> {
                if (c.key() == 42 && c.value() != null && c.value().equals("poison")) {
                    throw new IllegalArgumentException("cannot map poison");
                }
                seen.incrementAndGet();
                return c;
            }).checkpointDirectory(dir).build();
        r.start();
        assertTrue(r.awaitCaughtUp(WAIT));
        long before = source.revision();
        source.put(42, "poison");
        source.put(43, "after");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (r.status().state() != Replicator.State.FAILED && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Replicator.Status st = r.status();
        assertEquals(Replicator.State.FAILED, st.state());
        assertInstanceOf(IllegalArgumentException.class, st.failure());
        r.close();
        assertTrue(r.status().sinks().get(0).appliedRevision() <= before, "nothing past the failure was written");
        assertEquals("v43", replica.get(43), "the change after the failure was not written");
        assertTrue(new FileCheckpointStore(dir).load("s").orElseThrow().revision() <= before);
    }

    @Test
    void aFailingSinkIsRetriedUntilItRecovers() throws Exception {
        AtomicInteger failuresLeft = new AtomicInteger(3);
        MapReplicaSink<Integer, String> real = new MapReplicaSink<>("s", replica);
        Sink<Integer, String> flaky = new Sink<>() {
            @Override
            public String name() {
                return "s";
            }

            @Override
            public void write(List<Envelope<Integer, String>> batch) throws Exception {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new java.io.IOException("target unreachable");
                }
                real.write(batch);
            }
        };
        fill(0, 300);
        try (Replicator<Integer, String> r = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(source, "n1")).sink(flaky)
            .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).build()) {
            r.start();
            assertTrue(r.awaitCaughtUp(WAIT));
            assertEquals(3, r.status().sinks().get(0).writeFailures());
            assertNotNull(r.status().sinks().get(0).lastFailure());
            assertEquals(new HashMap<>(source.snapshot()), replica);
        }
    }

    @Test
    void aDrainStopWritesEverythingAndAnAbortStopsAtOnce() throws Exception {
        try (Replicator<Integer, String> r = replicator(new MapReplicaSink<>("s", replica))) {
            r.start();
            fill(0, 5_000);
            r.stop(Replicator.StopMode.DRAIN, WAIT);
            assertEquals(Replicator.State.STOPPED, r.status().state());
        }
        // a drain took everything the source had emitted; the checkpoint covers what was written
        long cp = new FileCheckpointStore(dir).load("s").orElseThrow().revision();
        assertTrue(cp > 0);
        Replicator<Integer, String> r2 = replicator(new MapReplicaSink<>("s", replica));
        r2.start();
        r2.stop(Replicator.StopMode.ABORT, Duration.ZERO);
        assertEquals(Replicator.State.STOPPED, r2.status().state());
        assertThrows(IllegalStateException.class, r2::start);
    }

    @Test
    void badConfigurationIsRefusedNamingTheSetting() {
        VersionedMapSource<Integer, String> src = new VersionedMapSource<>(source, "n1");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Replicator.<Integer, String>builder()
            .sink(new MapReplicaSink<>("s", replica)).build()).getMessage().startsWith("source"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Replicator.<Integer, String>builder()
            .source(src).build()).getMessage().startsWith("sinks"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Replicator.<Integer, String>builder()
            .source(src).sink(new MapReplicaSink<>("s", replica)).sink(new MapReplicaSink<>("s", replica)).build())
            .getMessage().contains("two sinks are named s"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Replicator.<Integer, String>builder()
            .ringSize(1000)).getMessage().startsWith("ringSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Replicator.<Integer, String>builder()
            .batchSize(0)).getMessage().startsWith("batchSize"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Replicator.<Integer, String>builder()
            .retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).getMessage().contains("below min"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new VersionedMapSource<>(source, "bad id"))
            .getMessage().startsWith("origin"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Resolvers.byClassName("com.example.Nope"))
            .getMessage().contains("com.example.Nope"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Resolvers.byClassName("java.lang.String"))
            .getMessage().contains("does not implement"));
    }

    @Test
    void aResolverIsLoadedByClassName() {
        ConflictResolver<String, Integer> r =
            Resolvers.byClassName(ResolverConvergenceTest.MaxValueResolver.class.getName());
        assertInstanceOf(ResolverConvergenceTest.MaxValueResolver.class, r);
        assertEquals("last-writer-wins", Resolvers.byClassName("last-writer-wins").name());
    }

    @Test
    void ttlInjectionExpiresEntriesInTheReplica() throws Exception {
        long[] now = {1_000_000};
        MapReplicaSink<Integer, String> sink = new MapReplicaSink<>("s", replica,
            ResolverPolicy.of(Resolvers.lastWriterWins()), null, Duration.ofHours(1), () -> now[0]);
        try (Replicator<Integer, String> r = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(source, "n1")).sink(sink)
            .transformer(Transformer.ttl(Duration.ofSeconds(30), k -> k < 10, () -> now[0]))
            .idleInterval(Duration.ofMillis(5)).build()) {
            r.start();
            source.put(1, "session");
            source.put(20, "profile");
            assertTrue(r.awaitCaughtUp(WAIT));
            assertEquals(Map.of(1, "session", 20, "profile"), replica);
            now[0] += 30_000;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (replica.containsKey(1) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(Map.of(20, "profile"), replica);
        }
    }
}
