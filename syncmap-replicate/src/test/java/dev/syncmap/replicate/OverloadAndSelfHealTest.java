package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.syncmap.VersionedMap;
import dev.syncmap.copy.Codecs;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Overload levels from a slow sink, held low-priority prefixes, and self-healing. */
class OverloadAndSelfHealTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** A string-keyed sink that sleeps while slow and records per-key order. */
    static final class SlowStringSink implements Sink<String, String> {
        final ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
        final MapReplicaSink<String, String> replica = new MapReplicaSink<>("s", map);
        final Map<String, Long> last = new HashMap<>();
        final AtomicInteger violations = new AtomicInteger();
        volatile long delayMillis;
        volatile boolean compression;
        volatile int maxBatch;
        volatile int lastBatch;
        private boolean inAnchor;

        @Override
        public String name() {
            return "s";
        }

        @Override
        public void write(java.util.List<Envelope<String, String>> batch) throws Exception {
            long d = delayMillis;
            if (d > 0) {
                Thread.sleep(d);
            }
            lastBatch = batch.size();
            maxBatch = Math.max(maxBatch, batch.size());
            for (Envelope<String, String> e : batch) {
                if (e.kind() == Envelope.Kind.ANCHOR_START) {
                    inAnchor = true;
                    last.clear();
                } else if (e.kind() == Envelope.Kind.ANCHOR_END) {
                    inAnchor = false;
                } else if (!inAnchor) {
                    Long prev = last.put(e.key(), e.originRevision());
                    if (prev != null && prev >= e.originRevision()) {
                        violations.incrementAndGet();
                    }
                }
            }
            replica.write(batch);
        }

        @Override
        public void setCompression(boolean on) {
            compression = on;
        }
    }

    static void writeRound(VersionedMap<String, String> source, int round, int n) {
        for (int i = 0; i < n; i++) {
            String suffix = Integer.toString(i % 50);
            source.put("temp:" + suffix, "t" + round + "-" + i);
            source.put("user:profile:" + suffix, "u" + round + "-" + i);
            if (i % 7 == 0) {
                source.remove("temp:" + ((i + 3) % 50));
            }
        }
    }

    static double gauge(MeterRegistry r, String name) {
        return r.get("syncmap.replication." + name).tag("sink", "s").gauge().value();
    }

    @Test
    void aSlowSinkRaisesTheLevelAndHeldPrefixesResumeInOrder() throws Exception {
        VersionedMap<String, String> source = VersionedMap.<String, String>builder().historyCount(1 << 20).build();
        SlowStringSink sink = new SlowStringSink();
        MeterRegistry reg = new SimpleMeterRegistry();
        SinkProtection p = SinkProtection.builder()
            .overload(Duration.ofMillis(600), Duration.ofMillis(5), Duration.ofMillis(15), Duration.ofSeconds(30))
            .minBatchSize(8)
            .lowPriorityPrefixes("temp:")
            .noSelfHeal()
            .build();
        try (Replicator<String, String> rep = Replicator.<String, String>builder()
            .name("overload")
            .source(new VersionedMapSource<>(source, "node-a"))
            .sink(sink)
            .protection(p)
            .batchSize(64)
            .coalesce(false)
            .idleInterval(Duration.ofMillis(20))
            .meterRegistry(reg)
            .build()) {
            rep.start();
            writeRound(source, 0, 200);
            assertTrue(rep.awaitSettled(WAIT));
            assertEquals(0.0, gauge(reg, "overload.level"));
            sink.delayMillis = 20; // p99 above level 2's threshold
            boolean sawHeld = false;
            int maxLevel = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (int round = 1; !sawHeld && System.nanoTime() < deadline; round++) {
                writeRound(source, round, 100);
                Thread.sleep(30);
                maxLevel = Math.max(maxLevel, (int) gauge(reg, "overload.level"));
                sawHeld |= gauge(reg, "held") > 0;
            }
            assertTrue(sawHeld, () -> "nothing was held: " + rep.protectionStatus());
            assertEquals(2, maxLevel);
            assertTrue(sink.compression, "compression on from level 1");
            assertEquals(8.0, gauge(reg, "batch.size.adaptive"), "batch size at its minimum from level 2");
            // the critical prefix keeps flowing while temp: is held
            Map<String, String> expectedUsers = new HashMap<>();
            source.snapshot().forEach((k, v) -> {
                if (k.startsWith("user:")) {
                    expectedUsers.put(k, v);
                }
            });
            long until = System.nanoTime() + WAIT.toNanos();
            while (!usersEqual(sink.map, expectedUsers) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(usersEqual(sink.map, expectedUsers), "user:profile: keys flow at level 2");
            assertTrue(rep.protectionStatus().get(0).held() > 0, "temp: keys are still held");
            sink.delayMillis = 0; // the p99 window empties; the level drops; held changes resume in order
            assertTrue(rep.awaitSettled(WAIT), () -> "held changes not released: " + rep.protectionStatus());
            assertEquals(new HashMap<>(source.snapshot()), sink.map, "nothing lost");
            assertEquals(0, sink.violations.get(), "per-key order across hold and release");
            assertEquals(0.0, gauge(reg, "overload.level"));
            assertTrue(!sink.compression, "compression off again at level 0");
        }
    }

    static boolean usersEqual(Map<String, String> replica, Map<String, String> expected) {
        Map<String, String> users = new HashMap<>();
        replica.forEach((k, v) -> {
            if (k.startsWith("user:")) {
                users.put(k, v);
            }
        });
        return users.equals(expected);
    }

    @Test
    void level1ShrinksTheBatchSize() throws Exception {
        VersionedMap<String, String> source = VersionedMap.<String, String>builder().historyCount(1 << 20).build();
        SlowStringSink sink = new SlowStringSink();
        MeterRegistry reg = new SimpleMeterRegistry();
        SinkProtection p = SinkProtection.builder()
            .overload(Duration.ofSeconds(5), Duration.ofMillis(2), Duration.ofMillis(500), Duration.ofSeconds(20))
            .minBatchSize(10)
            .noSelfHeal()
            .build();
        try (Replicator<String, String> rep = Replicator.<String, String>builder()
            .source(new VersionedMapSource<>(source, "node-a")).sink(sink).protection(p).batchSize(200)
            .coalesce(false).meterRegistry(reg).build()) {
            rep.start();
            sink.delayMillis = 20; // p99 about 20 ms: between level 1 (2 ms) and level 2 (500 ms)
            writeRound(source, 0, 300);
            assertTrue(rep.awaitSettled(WAIT));
            assertEquals(1.0, gauge(reg, "overload.level"));
            double b = gauge(reg, "batch.size.adaptive");
            assertTrue(b < 200 && b >= 10, "adaptive batch size " + b);
            assertTrue(gauge(reg, "write.latency.p99") >= 0.005);
            assertTrue(sink.compression);
            assertEquals(new HashMap<>(source.snapshot()), sink.map);
        }
    }

    static Replicator.Builder<Integer, String> flaky(VersionedMap<Integer, String> source, TestSink sink,
                                                     MeterRegistry reg, Path spill) {
        return Replicator.<Integer, String>builder()
            .name("heal")
            .source(new VersionedMapSource<>(source, "node-a"))
            .sink(sink)
            .spillDirectory(spill)
            .keyCodec(Codecs.INTEGER)
            .valueCodec(Codecs.STRING)
            .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
            .idleInterval(Duration.ofMillis(20))
            .batchSize(16)
            .meterRegistry(reg);
    }

    @Test
    void aHealthySinkWithALowSuccessRateIsReanchored() throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 20).build();
        TestSink sink = new TestSink("a");
        MeterRegistry reg = new SimpleMeterRegistry();
        SinkProtection p = SinkProtection.builder().breaker(90f, 50, 50, Duration.ofMillis(50))
            .spillAfterFailures(50).selfHeal(0.995, Duration.ofSeconds(2), 20).build();
        try (Replicator<Integer, String> rep = flaky(source, sink, reg, dir.resolve("spill")).protection(p).build()) {
            rep.start();
            PauseAndCompareTest.write(source, 1, 100, 300);
            assertTrue(rep.awaitSettled(WAIT));
            long anchors = rep.status().anchors();
            sink.failShare = 0.2; // fails a fifth of the writes, says it is healthy
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (rep.protectionStatus().get(0).selfHealReanchors() == 0 && System.nanoTime() < deadline) {
                PauseAndCompareTest.write(source, 1, 50, 300);
            }
            assertTrue(rep.protectionStatus().get(0).selfHealReanchors() > 0, () -> rep.protectionStatus().toString());
            assertTrue(reg.get("syncmap.replication.selfheal").tag("action", "reanchor").functionCounter().count() > 0);
            sink.failShare = 0;
            PauseAndCompareTest.write(source, 1, 50, 300);
            assertTrue(rep.awaitSettled(WAIT), () -> rep.protectionStatus().toString());
            long until = System.nanoTime() + WAIT.toNanos();
            while (rep.status().anchors() == anchors && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(rep.status().anchors() > anchors, "the sink was replayed from a fresh anchor");
            assertTrue(rep.awaitSettled(WAIT), () -> rep.protectionStatus().toString());
            assertEquals(new HashMap<>(source.snapshot()), sink.map);
        }
    }

    @Test
    void anUnhealthySinkSwitchesToTheFallbackWithAnAlert() throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 20).build();
        TestSink sink = new TestSink("a");
        TestSink fallback = new TestSink("a-fallback");
        MeterRegistry reg = new SimpleMeterRegistry();
        SinkProtection p = SinkProtection.builder().breaker(50f, 10, 5, Duration.ofMillis(50))
            .selfHeal(0.995, Duration.ofSeconds(2), 10).build();
        try (Replicator<Integer, String> rep = flaky(source, sink, reg, dir.resolve("spill")).protection(p)
            .checkpointDirectory(dir.resolve("cp")).fallbackSink(fallback).build()) {
            rep.start();
            PauseAndCompareTest.write(source, 1, 100, 300);
            assertTrue(rep.awaitSettled(WAIT));
            sink.down = true; // fails and reports unhealthy
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (rep.protectionStatus().get(0).fallbackSwitches() == 0 && System.nanoTime() < deadline) {
                PauseAndCompareTest.write(source, 1, 50, 300);
            }
            assertTrue(rep.protectionStatus().get(0).fallbackSwitches() > 0, () -> rep.protectionStatus().toString());
            assertEquals("a-fallback", rep.protectionStatus().get(0).target());
            assertTrue(reg.get("syncmap.replication.selfheal").tag("action", "fallback").functionCounter().count() > 0);
            PauseAndCompareTest.write(source, 1, 100, 300);
            assertTrue(rep.awaitSettled(WAIT), () -> rep.protectionStatus().toString());
            assertEquals(new HashMap<>(source.snapshot()), fallback.map, "the fallback equals the source");
        }
        assertTrue(new FileCheckpointStore(dir.resolve("cp")).load("a-fallback").isPresent());
        assertTrue(new FileCheckpointStore(dir.resolve("cp")).load("a").isEmpty(),
            "the primary's checkpoint is forgotten: a restart re-anchors it");
    }
}
