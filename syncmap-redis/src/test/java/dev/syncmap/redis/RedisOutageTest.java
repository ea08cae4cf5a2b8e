package dev.syncmap.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import dev.syncmap.VersionedMap;
import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.Replicator;
import dev.syncmap.replicate.SinkProtection;
import dev.syncmap.replicate.SinkProtectionStatus;
import dev.syncmap.replicate.VersionedMapSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis killed with SIGKILL under load and started again after a pause (2 s here; 60 s with
 * {@code -Plong-outage}): the breaker opens, the spill grows while the source keeps writing at no cost, the spill
 * drains in per-key order once Redis is back, and Redis equals the source within 5 s of the load's end (90 s in the
 * long profile, see {@link #CONVERGE}). Redis
 * runs with AOF and {@code appendfsync always}, so what it acknowledged survives the kill (with {@code everysec} it
 * could lose acknowledged writes, which no sink can notice), its directory in memory where the machine has one
 * (a kill -9 ends the process, not the page cache; on the shared disk each drained batch would cost an fsync).
 */
class RedisOutageTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final long OUTAGE_MILLIS = Long.getLong("syncmap.redis.outageSeconds", 2) * 1_000;
    /**
     * How soon after the load stops Redis must equal the source: 5 s; the long profile allows more, since the drain
     * sends one script call per spilled batch (a minute of small batches is thousands of round trips).
     */
    static final Duration CONVERGE = Duration.ofSeconds(Long.getLong("syncmap.redis.convergeSeconds", 5));

    @TempDir
    Path dir;

    /** Redis's AOF directory, in memory where possible: see {@link MemoryTempDirFactory}. */
    @TempDir(factory = MemoryTempDirFactory.class)
    Path redisDir;

    static SinkProtection protection() {
        return SinkProtection.builder().breaker(50f, 10, 4, Duration.ofMillis(200)).spillAfterFailures(5)
            .drainBudget(Duration.ofMillis(200)).noSelfHeal().build();
    }

    @Test
    void killNineUnderLoadSpillsAndDrainsInOrder() throws Exception {
        VersionedMap<Integer, String> source = RedisReplicationTest.source(2_000);
        try (TestRedis redis = TestRedis.start(redisDir, true, null);
             RedisSink<Integer, String> sink = RedisSink.<Integer, String>builder().address(redis.address())
                 .keyPrefix("o:").codecs(Codecs.INTEGER, Codecs.STRING).timeout(Duration.ofMillis(500)).build()) {
            OrderCheckingSink<String> checked = new OrderCheckingSink<>(sink);
            try (Replicator<Integer, String> rep = Replicator.<Integer, String>builder().name("outage")
                .source(new VersionedMapSource<>(source, "node-a")).sink(checked)
                .checkpointDirectory(dir.resolve("cp")).spillDirectory(dir.resolve("spill"))
                .keyCodec(Codecs.INTEGER).valueCodec(Codecs.STRING).protection(protection())
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(50)).idleInterval(Duration.ofMillis(20))
                .checkpointInterval(Duration.ofMillis(20)).batchSize(256).build()) {
                rep.start();
                assertTrue(rep.awaitCaughtUp(WAIT));
                SinkProtectionStatus open;
                long revisionAtKill;
                SourceLoad load = SourceLoad.start(source, 5_000, 3);
                try {
                    Thread.sleep(300);
                    redis.killNine();
                    revisionAtKill = source.revision();
                    Await.until(WAIT, () -> "OPEN".equals(status(rep).breakerState()) && status(rep).spillEntries() > 0,
                        () -> "the breaker to open and the spill to fill: " + status(rep));
                    open = status(rep);
                    Thread.sleep(OUTAGE_MILLIS);
                    assertTrue(source.revision() > revisionAtKill + 100, "the source kept writing during the outage");
                    assertTrue(status(rep).spillChanges() > open.spillChanges(), () -> "the spill grew: " + open
                        + " then " + status(rep));
                    redis.start();
                    Thread.sleep(300); // the load goes on while the spill drains
                } finally {
                    load.close();
                }
                long stoppedAt = System.nanoTime();
                RedisReplicationTest.awaitEqual(sink, source, CONVERGE);
                System.out.printf("RedisOutageTest: outage %d ms, spill %s; Redis equal to the source %d ms after the"
                    + " load stopped%n", OUTAGE_MILLIS, open, (System.nanoTime() - stoppedAt) / 1_000_000);
                assertTrue(rep.awaitSettled(WAIT), () -> "not drained: " + status(rep));
                SinkProtectionStatus after = status(rep);
                assertEquals("CLOSED", after.breakerState(), after::toString);
                assertTrue(after.drained() > 0 && after.drained() == after.spilled(), after::toString);
                assertEquals(0, checked.violations.get(), () -> "per-key order: " + checked.firstViolation);
                assertEquals(0, sink.epochLosses(), "AOF (appendfsync always) kept everything, the marker too");
            }
        }
    }

    static SinkProtectionStatus status(Replicator<?, ?> rep) {
        return rep.protectionStatus().get(0);
    }
}
