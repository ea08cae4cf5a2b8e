package dev.syncmap.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.PoisonChangeException;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The sink against a real redis-server, batch by batch: exact version compare at the doubles' boundary, removals
 * and expiry, out-of-order and duplicated deliveries (with a broken control that must diverge), and bad input.
 */
class RedisSinkTest {

    @TempDir
    static Path dir;
    static TestRedis redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = TestRedis.start(dir.resolve("redis"));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    static RedisSink<String, String> sink(String prefix) {
        return RedisSink.<String, String>builder().address(redis.address()).keyPrefix(prefix)
            .codecs(Codecs.STRING, Codecs.STRING).tombstoneGrace(Duration.ofMinutes(5)).build();
    }

    static Envelope<String, String> put(String origin, long revision, long stamp, String key, String value) {
        return Envelope.change(origin, revision, stamp, key, value, true);
    }

    /* ---------------- Exact versions ---------------- */

    static final long BOUNDARY = 115_816_896_921_600_000L;

    @Test
    void luaNumbersReallyCannotTellTheBoundaryStampsApart() {
        try (Jedis j = redis.client()) {
            Object same = j.eval("return tostring(tonumber(ARGV[1]) == tonumber(ARGV[2]))", List.of(),
                List.of(Long.toString(BOUNDARY), Long.toString(BOUNDARY + 1)));
            assertEquals("true", same, "the premise of the exact compare: doubles lose the last digit");
        }
    }

    @Test
    void revisionsAtTheDoublesBoundaryCompareExactly() throws Exception {
        try (RedisSink<String, String> s = sink("exact-rev:"); RedisReplicaReader<String, String> r = s.reader()) {
            s.write(List.of(put("node-a", BOUNDARY + 1, 7, "k", "newer")));
            s.write(List.of(put("node-a", BOUNDARY, 8, "k", "older")));
            assertEquals("newer", r.get("k"), "revision ...000 arriving after ...001 must not win");
            s.write(List.of(put("node-a", BOUNDARY + 2, 9, "k", "newest")));
            assertEquals("newest", r.get("k"));
            assertEquals(BOUNDARY + 2, RedisLayout.revisionOf(r.versionOf("k")));
        }
    }

    @Test
    void stampsAtTheDoublesBoundaryCompareExactlyAcrossOrigins() throws Exception {
        try (RedisSink<String, String> s = sink("exact-stamp:"); RedisReplicaReader<String, String> r = s.reader()) {
            s.write(List.of(put("node-a", 1, BOUNDARY + 1, "k", "from-a")));
            // as doubles the stamps are equal and the tie-break (origin "node-b" > "node-a") would let b win
            s.write(List.of(put("node-b", 1, BOUNDARY, "k", "from-b")));
            assertEquals("from-a", r.get("k"));
            s.write(List.of(put("node-b", 2, BOUNDARY + 2, "k", "from-b2")));
            assertEquals("from-b2", r.get("k"));
        }
        assertTrue(RedisSink.newer(RedisLayout.versionBytes(1, BOUNDARY + 1, "a"),
            RedisLayout.versionBytes(1, BOUNDARY, "b")));
        assertFalse(RedisSink.newer(RedisLayout.versionBytes(BOUNDARY, 0, "a"),
            RedisLayout.versionBytes(BOUNDARY + 1, 0, "a")));
    }

    /* ---------------- Removals, expiry, layout ---------------- */

    @Test
    void aTombstoneKeepsALateOlderWriteOutAndExpiresAfterTheGrace() throws Exception {
        try (RedisSink<String, String> s = sink("tomb:"); RedisReplicaReader<String, String> r = s.reader();
             Jedis j = redis.client()) {
            s.write(List.of(put("node-a", 1, 1, "k", "v1"), put("node-a", 2, 2, "k", null)));
            assertNull(r.get("k"));
            s.write(List.of(put("node-a", 1, 1, "k", "v1"))); // late replay
            assertNull(r.get("k"), "a removed key came back");
            long ttl = j.pttl("syncmap-meta:tomb:v:k");
            assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(5).toMillis(), "tombstone TTL " + ttl);
            s.write(List.of(put("node-a", 3, 3, "k", "v3")));
            assertEquals("v3", r.get("k"));
            assertEquals(-1, j.pttl("syncmap-meta:tomb:v:k"), "a live version must not keep the tombstone's TTL");
            assertEquals(-1, j.pttl("tomb:k"));
        }
    }

    @Test
    void anExpiryBecomesPxatAndALaterPlainWriteClearsIt() throws Exception {
        try (RedisSink<String, String> s = sink("ttl:"); Jedis j = redis.client()) {
            long at = System.currentTimeMillis() + 60_000;
            s.write(List.of(put("node-a", 1, 1, "k", "v").withExpiry(at)));
            long valueTtl = j.pttl("ttl:k");
            assertTrue(valueTtl > 0 && valueTtl <= 60_000, "value TTL " + valueTtl);
            assertTrue(j.pttl("syncmap-meta:ttl:v:k") > valueTtl, "the version outlives the value by the grace");
            s.write(List.of(put("node-a", 2, 2, "k", "w")));
            assertEquals(-1, j.pttl("ttl:k"));
            s.write(List.of(put("node-a", 3, 3, "k", "x").withExpiry(System.currentTimeMillis() - 1)));
            assertNull(j.get("ttl:k"), "a change already expired is a removal");
        }
    }

    @Test
    void valuesAreReadableAsPlainStringsAndNumbers() throws Exception {
        try (RedisSink<String, Long> s = RedisSink.<String, Long>builder().address(redis.address())
                .keyPrefix("plain:").codecs(Codecs.STRING, Codecs.LONG).build(); Jedis j = redis.client()) {
            s.write(List.of(Envelope.change("node-a", 1, 1, "counter", 42L, true),
                Envelope.change("node-a", 1, 1, "ünïcode", -7L, true)));
            assertEquals("42", j.get("plain:counter"));
            assertEquals("-7", new String(j.get("plain:ünïcode".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8));
            assertEquals(43, j.incr("plain:counter"), "a number any client can use");
            assertTrue(j.get("syncmap-meta:plain:v:counter").matches("0{18}1:0{18}1:node-a"));
        }
    }

    /* ---------------- Script and epoch ---------------- */

    @Test
    void aFlushedScriptCacheIsReloadedAndTheBatchApplied() throws Exception {
        try (RedisSink<String, String> s = sink("noscript:"); RedisReplicaReader<String, String> r = s.reader();
             Jedis j = redis.client()) {
            s.write(List.of(put("node-a", 1, 1, "k", "v1")));
            long losses = s.epochLosses();
            j.scriptFlush(); // what a restarted server looks like to EVALSHA
            s.write(List.of(put("node-a", 2, 2, "k", "v2")));
            assertEquals("v2", r.get("k"));
            assertEquals(losses, s.epochLosses(), "a missing script is not a lost replica");
        }
    }

    @Test
    void aFlushedRedisIsDetectedByTheEpochAndAnAnchorAskedFor() throws Exception {
        List<String> requests = new ArrayList<>();
        try (RedisSink<String, String> s = sink("epoch:"); Jedis j = redis.client()) {
            s.anchorRequests(requests::add);
            s.write(List.of(new Envelope<>(Envelope.Kind.ANCHOR_START, "node-a", 1, 1, null, null, true,
                    Envelope.NO_EXPIRY), put("node-a", 1, 1, "a", "1"),
                new Envelope<>(Envelope.Kind.ANCHOR_END, "node-a", 1, 1, null, null, true, Envelope.NO_EXPIRY)));
            assertEquals(List.of(), requests, "a first contact without a marker that brings an anchor is no loss");
            j.del("syncmap-meta:epoch:epoch", "epoch:a", "syncmap-meta:epoch:v:a"); // FLUSHALL of this namespace
            s.write(List.of(put("node-a", 2, 2, "b", "2")));
            assertEquals(1, s.epochLosses());
            assertEquals(1, requests.size(), requests::toString);
            assertTrue(requests.get(0).contains("epoch marker"), requests.get(0));
            assertEquals("2", j.get("epoch:b"), "the batch is applied under the new epoch");
            s.write(List.of(put("node-a", 3, 3, "c", "3")));
            assertEquals(1, s.epochLosses(), "one loss, counted once");
            s.write(List.of(put("node-a", 3, 3, "c", "3"))); // a replay: stale

            MeterRegistry registry = new SimpleMeterRegistry();
            s.bindTo(registry);
            assertEquals(1.0, registry.get("syncmap.replication.redis.epoch.losses").tag("sink", s.name())
                .functionCounter().count());
            assertEquals((double) s.applied(), registry.get("syncmap.replication.redis.changes")
                .tag("outcome", "applied").functionCounter().count());
            assertTrue(s.applied() >= 3, "a, b and c were applied: " + s.applied());
            assertEquals((double) s.skipped(), registry.get("syncmap.replication.redis.changes")
                .tag("outcome", "stale").functionCounter().count());
            assertTrue(s.skipped() >= 1, "the replay of c was stale");
            assertEquals((double) s.batches(), registry.get("syncmap.replication.redis.batches").functionCounter()
                .count());
            assertTrue(s.batches() >= 4, "four writes: " + s.batches());
        }
    }

    /* ---------------- Out of order, duplicated ---------------- */

    /** A history of one origin: revisions 1..n over a few keys, a fifth of them removals. */
    static List<Envelope<String, String>> history(Random rnd, int n, int keys) {
        List<Envelope<String, String>> h = new ArrayList<>(n);
        for (int rev = 1; rev <= n; rev++) {
            String k = "k" + rnd.nextInt(keys);
            h.add(put("node-a", rev, 1_000_000L + rev, k, rnd.nextInt(5) == 0 ? null : "v" + rev));
        }
        return h;
    }

    static Map<String, String> finalState(List<Envelope<String, String>> h) {
        Map<String, String> m = new HashMap<>();
        for (Envelope<String, String> e : h) {
            if (e.value() == null) {
                m.remove(e.key());
            } else {
                m.put(e.key(), e.value());
            }
        }
        return m;
    }

    /** The history cut into batches of 1..50, shuffled, a third of them delivered twice. */
    static List<List<Envelope<String, String>>> shuffledDeliveries(Random rnd, List<Envelope<String, String>> h) {
        List<List<Envelope<String, String>>> batches = new ArrayList<>();
        for (int i = 0; i < h.size(); ) {
            int n = Math.min(h.size() - i, 1 + rnd.nextInt(50));
            batches.add(h.subList(i, i + n));
            i += n;
        }
        List<List<Envelope<String, String>>> out = new ArrayList<>(batches);
        for (List<Envelope<String, String>> b : batches) {
            if (rnd.nextInt(3) == 0) {
                out.add(b);
            }
        }
        Collections.shuffle(out, rnd);
        return out;
    }

    @Test
    void shuffledAndDuplicatedDeliveriesConverge() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            Random rnd = new Random(seed);
            List<Envelope<String, String>> h = history(rnd, 3_000, 150);
            String prefix = "conv" + seed + ":";
            try (RedisSink<String, String> s = sink(prefix); RedisReplicaReader<String, String> r = s.reader()) {
                for (List<Envelope<String, String>> b : shuffledDeliveries(rnd, h)) {
                    s.write(b);
                }
                assertEquals(finalState(h), r.readAll(), "seed " + seed);
                assertTrue(s.skipped() > 0, "the shuffle delivered older changes late");
            }
        }
    }

    /**
     * Broken control: the same deliveries through unconditional {@code SET}/{@code DEL} (no version check) must
     * end different from the source, or the convergence test above proves nothing.
     */
    @Test
    void controlUnconditionalSetDivergesOnTheSameDeliveries() throws Exception {
        Random rnd = new Random(1);
        List<Envelope<String, String>> h = history(rnd, 3_000, 150);
        try (RedisSink<String, String> s = sink("control:"); RedisReplicaReader<String, String> r = s.reader();
             Jedis j = redis.client()) {
            for (List<Envelope<String, String>> b : shuffledDeliveries(rnd, h)) {
                try (Pipeline p = j.pipelined()) {
                    for (Envelope<String, String> e : b) {
                        if (e.value() == null) {
                            p.del("control:" + e.key());
                        } else {
                            p.set("control:" + e.key(), e.value());
                        }
                    }
                    p.sync();
                }
            }
            assertNotEquals(finalState(h), r.readAll(), "unconditional SET must diverge under reordering");
        }
    }

    /* ---------------- Bad input ---------------- */

    @Test
    void aWrongAddressIsAClearError() throws Exception {
        int nobody = TestRedis.freePort();
        RedisSink<String, String> s = RedisSink.<String, String>builder().address("127.0.0.1", nobody)
            .codecs(Codecs.STRING, Codecs.STRING).timeout(Duration.ofMillis(500)).build();
        RedisSinkException e = assertThrows(RedisSinkException.class, s::verify);
        assertTrue(e.getMessage().contains("cannot connect to Redis at 127.0.0.1:" + nobody), e.getMessage());
        assertThrows(RedisSinkException.class, () -> s.write(List.of(put("node-a", 1, 1, "k", "v"))));
        assertFalse(s.isHealthy());
        assertThrows(IllegalArgumentException.class, () -> RedisSink.builder().address("no-port"));
    }

    @Test
    void aWrongOrMissingPasswordIsAClearError(@TempDir Path secured) throws Exception {
        try (TestRedis locked = TestRedis.start(secured, false, "s3cret")) {
            RedisSink<String, String> wrong = RedisSink.<String, String>builder().address(locked.address())
                .credentials(null, "guess").codecs(Codecs.STRING, Codecs.STRING).build();
            RedisSinkException e = assertThrows(RedisSinkException.class, wrong::verify);
            assertTrue(e.getMessage().contains("credentials") && e.getMessage().contains(locked.address()),
                e.getMessage());
            RedisSink<String, String> none = RedisSink.<String, String>builder().address(locked.address())
                .codecs(Codecs.STRING, Codecs.STRING).build();
            RedisSinkException e2 = assertThrows(RedisSinkException.class, none::verify);
            assertTrue(e2.getMessage().contains("password"), e2.getMessage());
            try (RedisSink<String, String> right = RedisSink.<String, String>builder().address(locked.address())
                .credentials(null, "s3cret").codecs(Codecs.STRING, Codecs.STRING).build()) {
                right.verify();
                right.write(List.of(put("node-a", 1, 1, "k", "v")));
            }
        }
    }

    @Test
    void aValueTheCodecCannotEncodeIsAClearErrorAndWritesNothing() throws Exception {
        try (RedisSink<String, String> s = sink("badvalue:"); RedisReplicaReader<String, String> r = s.reader()) {
            List<Envelope<String, String>> batch = List.of(put("node-a", 1, 1, "fine", "ok"),
                put("node-a", 2, 2, "broken", "half a pair \uD800"));
            PoisonChangeException e = assertThrows(PoisonChangeException.class, () -> s.write(batch));
            assertTrue(e.getMessage().contains("syncmap.string") && e.getMessage().contains("broken"),
                e.getMessage());
            assertEquals(Map.of(), r.readAll(), "the batch was refused before anything was sent");
        }
    }

    @Test
    void aKeyPatternCollisionIsAClearError() throws Exception {
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
            () -> RedisSink.<String, String>builder().keyPrefix("app:").metaPrefix("app:meta:")
                .codecs(Codecs.STRING, Codecs.STRING).build());
        assertTrue(overlap.getMessage().contains("key pattern collision"), overlap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RedisSink.<String, String>builder().keyPrefix("")
            .codecs(Codecs.STRING, Codecs.STRING).build());
        try (RedisSink<String, String> first = RedisSink.<String, String>builder().address(redis.address())
                .keyPrefix("users:").metaPrefix("shared-meta:").codecs(Codecs.STRING, Codecs.STRING).build();
             RedisSink<String, String> second = RedisSink.<String, String>builder().address(redis.address())
                .keyPrefix("orders:").metaPrefix("shared-meta:").codecs(Codecs.STRING, Codecs.STRING).build()) {
            first.write(List.of(put("node-a", 1, 1, "k", "v")));
            PoisonChangeException e = assertThrows(PoisonChangeException.class, second::verify);
            assertTrue(e.getMessage().contains("key pattern collision") && e.getMessage().contains("users:"),
                e.getMessage());
        }
    }
}
