package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import dev.syncmap.VersionedMap;
import dev.syncmap.copy.Codecs;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * A sink outage with the durable spill: the breaker opens, batches go to the spill while the ring keeps flowing,
 * recovery drains the spill in order, and the replica equals the source; restart, bounds and corruption too.
 */
class SpillOutageTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    static SinkProtection.Builder fast() {
        return SinkProtection.builder()
            .breaker(50f, 10, 4, Duration.ofMillis(200))
            .spillAfterFailures(5)
            .drainBudget(Duration.ofMillis(20))
            .noSelfHeal();
    }

    Replicator.Builder<Integer, String> pipeline(VersionedMap<Integer, String> source, TestSink sink,
                                                 SinkProtection p, MeterRegistry registry) {
        return Replicator.<Integer, String>builder()
            .name("outage")
            .source(new VersionedMapSource<>(source, "node-a"))
            .sink(sink)
            .checkpointDirectory(dir.resolve("cp"))
            .spillDirectory(dir.resolve("spill"))
            .keyCodec(Codecs.INTEGER)
            .valueCodec(Codecs.STRING)
            .protection(p)
            .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(20))
            .idleInterval(Duration.ofMillis(20))
            .checkpointInterval(Duration.ofMillis(20))
            .batchSize(64)
            .meterRegistry(registry);
    }

    static double gauge(MeterRegistry r, String name) {
        return r.get("syncmap.replication." + name).tag("sink", "a").gauge().value();
    }

    static void await(BooleanSupplier cond, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out waiting for " + what.get());
            Thread.sleep(5);
        }
    }

    /** Writes to the source in short rounds until a condition holds. */
    static void writeUntil(VersionedMap<Integer, String> source, BooleanSupplier cond,
                           java.util.function.Supplier<String> what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out waiting for " + what.get());
            PauseAndCompareTest.write(source, 2, 50, 2_000);
        }
    }

    /** Runs an outage: returns the sink after the replica was compared with the source. */
    TestSink outage(boolean reverseDrain) throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 20).build();
        for (int i = 0; i < 200; i++) {
            source.put(i, "pre" + i);
        }
        TestSink sink = new TestSink("a");
        MeterRegistry reg = new SimpleMeterRegistry();
        try (Replicator<Integer, String> rep = pipeline(source, sink, fast().build(), reg).build()) {
            rep.start();
            PauseAndCompareTest.write(source, 2, 150, 300);
            assertTrue(rep.awaitSettled(WAIT), () -> "before the outage: " + rep.protectionStatus());
            if (reverseDrain) {
                rep.spillOf("a").newestFirstForTests = true;
            }
            sink.down = true;
            PauseAndCompareTest.write(source, 2, 400, 300);
            // the ring keeps flowing: the sink's position reaches the source although the sink is down
            assertTrue(rep.awaitCaughtUp(WAIT), () -> "position did not advance during the outage: " + rep.status());
            await(() -> gauge(reg, "breaker.state") == 1.0, () -> "the breaker to open (gauge 1)");
            SinkProtectionStatus st = rep.protectionStatus().get(0);
            assertTrue(st.spillEntries() > 0 && gauge(reg, "spill.entries") > 0 && gauge(reg, "spill.bytes") > 0,
                st::toString);
            assertTrue(rep.status().sinks().get(0).checkpointRevision() > 0, "checkpoint advanced over the spill");
            sink.down = false;
            assertTrue(rep.awaitSettled(WAIT), () -> "not drained: " + rep.protectionStatus());
            assertEquals(new HashMap<>(source.snapshot()), sink.map, "replica after the drain");
            SinkProtectionStatus after = rep.protectionStatus().get(0);
            assertEquals("CLOSED", after.breakerState(), after::toString);
            assertEquals(after.spilled(), after.drained(), after::toString);
            assertTrue(after.drained() > 0, after::toString);
            assertEquals(0.0, gauge(reg, "spill.entries"));
        }
        return sink;
    }

    @Test
    void anOutageSpillsAndTheDrainKeepsPerKeyOrder() throws Exception {
        TestSink sink = outage(false);
        assertEquals(0, sink.orderViolations.get(), () -> "per-key order broken: " + sink.firstViolation);
    }

    /** Broken control: a spill drained newest first must be caught by the per-key order check. */
    @Test
    void aSpillDrainedInReverseIsCaught() throws Exception {
        TestSink sink = outage(true);
        assertTrue(sink.orderViolations.get() > 0, "the order check must see a reversed drain");
    }

    @Test
    void aNonEmptySpillIsDrainedFirstAfterARestart() throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 20).build();
        TestSink sink = new TestSink("a");
        try (Replicator<Integer, String> rep = pipeline(source, sink, fast().build(), new SimpleMeterRegistry())
            .build()) {
            rep.start();
            PauseAndCompareTest.write(source, 1, 100, 200);
            assertTrue(rep.awaitSettled(WAIT));
            sink.down = true;
            PauseAndCompareTest.write(source, 2, 300, 200);
            assertTrue(rep.awaitCaughtUp(WAIT));
            assertTrue(rep.protectionStatus().get(0).spillEntries() > 0);
        } // drains the ring into the spill, syncs it, checkpoints
        sink.down = false;
        TestSink restarted = sink; // the same external store, seen by a new replicator
        try (Replicator<Integer, String> rep = pipeline(source, restarted, fast().build(), new SimpleMeterRegistry())
            .build()) {
            rep.start();
            assertEquals(null, rep.status().lastAnchorReason(), "resumed from the checkpoint, no anchor");
            assertTrue(rep.awaitSettled(WAIT), () -> "not drained: " + rep.protectionStatus());
            assertTrue(rep.protectionStatus().get(0).drained() > 0);
            assertEquals(new HashMap<>(source.snapshot()), restarted.map);
            assertEquals(0, restarted.orderViolations.get(), () -> restarted.firstViolation);
        }
    }

    @Test
    void stopReadingAtTheBoundBacksUpTheRingAndIsCounted() throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 22).build();
        TestSink sink = new TestSink("a");
        MeterRegistry reg = new SimpleMeterRegistry();
        SinkProtection p = fast().spillBounds(20_000, Duration.ofHours(1)).build();
        try (Replicator<Integer, String> rep = pipeline(source, sink, p, reg).ringSize(1024).build()) {
            rep.start();
            sink.down = true;
            writeUntil(source, () -> rep.protectionStatus().get(0).boundReached() > 0, () -> "the bound: "
                + rep.protectionStatus() + " " + rep.status());
            assertEquals(1.0, reg.get("syncmap.replication.spill.bound.reached").tag("policy", "stop_reading")
                .counter().count());
            Thread.sleep(100);
            assertTrue(rep.status().sinks().get(0).lagRevisions() > 0, "the writer stopped reading");
            assertTrue(rep.protectionStatus().get(0).spillBytes() <= 20_000);
            sink.down = false;
            assertTrue(rep.awaitSettled(WAIT), () -> "not drained: " + rep.protectionStatus());
            assertEquals(new HashMap<>(source.snapshot()), sink.map);
            assertEquals(0, sink.orderViolations.get(), () -> sink.firstViolation);
        }
    }

    @Test
    void reanchorAtTheBoundDropsTheSpillAndReanchorsOnRecovery() throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 22).build();
        TestSink sink = new TestSink("a");
        MeterRegistry reg = new SimpleMeterRegistry();
        SinkProtection p = fast().spillBounds(20_000, Duration.ofHours(1)).spillBoundPolicy(SpillBoundPolicy.REANCHOR)
            .build();
        try (Replicator<Integer, String> rep = pipeline(source, sink, p, reg).build()) {
            rep.start();
            PauseAndCompareTest.write(source, 1, 100, 2_000);
            assertTrue(rep.awaitSettled(WAIT));
            long anchors = rep.status().anchors();
            sink.down = true;
            writeUntil(source, () -> rep.protectionStatus().get(0).awaitingAnchor()
                && rep.protectionStatus().get(0).spillEntries() == 0, () -> "awaiting an anchor");
            SinkProtectionStatus st = rep.protectionStatus().get(0);
            assertTrue(st.boundReached() > 0 && st.spillEntries() == 0, st::toString);
            assertEquals(1.0, gauge(reg, "awaiting.anchor"));
            assertEquals(1.0, reg.get("syncmap.replication.spill.bound.reached").tag("policy", "reanchor")
                .counter().count());
            PauseAndCompareTest.write(source, 1, 100, 2_000);
            sink.down = false;
            assertTrue(rep.awaitSettled(WAIT), () -> "not re-anchored: " + rep.protectionStatus());
            assertTrue(rep.status().anchors() > anchors, "a fresh anchor was sent");
            assertEquals(new HashMap<>(source.snapshot()), sink.map);
        }
    }

    /** Damages the first spilled record of sink a, as a bad disk would. */
    void corruptFirstRecord() throws Exception {
        Path spill = dir.resolve("spill").resolve("a");
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, spill.toString());
             var it = db.newIterator()) {
            it.seekToFirst();
            byte[] k = it.key();
            byte[] v = it.value();
            assertEquals(8, k.length);
            v[v.length - 6] ^= 0x40;
            db.put(k, v);
        }
    }

    /** Leaves a spill with entries and a checkpoint on disk. */
    Map<Integer, String> leaveASpill(VersionedMap<Integer, String> source) throws Exception {
        TestSink sink = new TestSink("a");
        try (Replicator<Integer, String> rep = pipeline(source, sink, fast().build(), new SimpleMeterRegistry())
            .build()) {
            rep.start();
            PauseAndCompareTest.write(source, 1, 100, 200);
            assertTrue(rep.awaitSettled(WAIT));
            sink.down = true;
            PauseAndCompareTest.write(source, 2, 200, 200);
            assertTrue(rep.awaitCaughtUp(WAIT));
            assertTrue(rep.protectionStatus().get(0).spillEntries() > 0);
        }
        return sink.map;
    }

    @Test
    void aCorruptSpillIsNamedAndTheSinkReanchored() throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 20).build();
        leaveASpill(source);
        corruptFirstRecord();
        TestSink failing = new TestSink("a");
        CorruptStateException e = assertThrows(CorruptStateException.class, () -> {
            try (Replicator<Integer, String> rep = pipeline(source, failing, fast().build(),
                new SimpleMeterRegistry()).onCorruptState(Replicator.CorruptStatePolicy.FAIL).build()) {
                rep.start();
            }
        });
        assertEquals(dir.resolve("spill").resolve("a"), e.file());
        assertTrue(e.getMessage().contains("entry 0") && e.getMessage().contains("checksum"), e.getMessage());
        // the documented recovery: forget the spill and the checkpoint, re-anchor the sink
        TestSink sink = new TestSink("a");
        MeterRegistry reg = new SimpleMeterRegistry();
        try (Replicator<Integer, String> rep = pipeline(source, sink, fast().build(), reg).build()) {
            rep.start();
            PauseAndCompareTest.write(source, 1, 100, 200);
            assertTrue(rep.awaitSettled(WAIT), () -> rep.protectionStatus().toString());
            assertEquals("no checkpoint", rep.status().lastAnchorReason());
            assertEquals(1, rep.protectionStatus().get(0).corruptSpills());
            assertEquals(1.0, reg.get("syncmap.replication.spill.corrupt").functionCounter().count());
            assertEquals(new HashMap<>(source.snapshot()), sink.map);
        }
    }

    @Test
    void aSpillCorruptedWhileRunningIsDroppedAndTheSinkReanchored() throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 20).build();
        TestSink sink = new TestSink("a");
        try (Replicator<Integer, String> rep = pipeline(source, sink, fast().build(), new SimpleMeterRegistry())
            .build()) {
            rep.start();
            PauseAndCompareTest.write(source, 1, 100, 200);
            assertTrue(rep.awaitSettled(WAIT));
            sink.down = true;
            PauseAndCompareTest.write(source, 2, 200, 200);
            assertTrue(rep.awaitCaughtUp(WAIT));
            RocksSpillQueue<Integer, String> q = rep.spillOf("a");
            assertTrue(q.entries() > 0);
            q.decodeHookForTests(v -> {
                ByteBuffer.wrap(v).put(0, (byte) 77); // an unknown format version, read once
                q.decodeHookForTests(null);
                return v;
            });
            sink.down = false;
            assertTrue(rep.awaitSettled(WAIT), () -> rep.protectionStatus().toString());
            assertEquals(1, rep.protectionStatus().get(0).corruptSpills());
            assertEquals(new HashMap<>(source.snapshot()), sink.map);
        }
    }

    @Test
    void aSpillNeedsCodecs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Replicator
            .<Integer, String>builder().source(new VersionedMapSource<>(new VersionedMap<>(), "n"))
            .sink(new TestSink("a")).spillDirectory(dir).valueCodec(Codecs.STRING).build());
        assertTrue(e.getMessage().startsWith("keyCodec"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Replicator
            .<Integer, String>builder().source(new VersionedMapSource<>(new VersionedMap<>(), "n"))
            .sink(new TestSink("a")).spillDirectory(dir).keyCodec(Codecs.INTEGER).build());
        assertTrue(e.getMessage().startsWith("valueCodec"), e.getMessage());
    }
}
