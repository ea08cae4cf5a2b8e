package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import dev.syncmap.VersionedMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Promoting and dropping a gray-release candidate by reloading the configuration file, without a restart. */
class ConfigReloaderTest {

    static final String CANDIDATE = FirstWriterWinsResolver.class.getName();
    static final Duration WAIT = Duration.ofSeconds(5);

    static final String ON_TRIAL = String.join("\n",
        "name: gray",
        "origin: node-a",
        "resolver: last-writer-wins",
        "grayRelease:",
        "  candidate: " + CANDIDATE,
        "  share: {prefixes: ['user:']}",
        "reload: {debounce: 20ms}",
        "");

    @TempDir
    Path dir;

    Path file;
    VersionedMap<String, String> map;
    ConcurrentHashMap<String, String> replica;
    MapReplicaSink<String, String> sink;
    Replicator<String, String> rep;
    ConfigReloader<String, String> reloader;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("replication.yaml");
        Files.writeString(file, ON_TRIAL);
        ReplicationConfig c = ReplicationConfig.load(file);
        map = new VersionedMap<>();
        replica = new ConcurrentHashMap<>();
        sink = new MapReplicaSink<>("r", replica);
        rep = c.builder(c.source(map), List.of(sink), null).build();
        reloader = new ConfigReloader<>(file, c, rep);
        rep.start();
        assertTrue(rep.awaitCaughtUp(WAIT));
    }

    @AfterEach
    void stop() {
        reloader.close();
        rep.close();
    }

    /** Writes every key of the family with a value, and waits for the replica. */
    void writeAll(String value) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            map.put("user:" + i, value);
            map.put("item:" + i, value);
        }
        assertTrue(rep.awaitCaughtUp(WAIT), () -> rep.status().toString());
    }

    /** Runs the trial: 50 new user keys (candidate agrees), then 50 updates (candidate disagrees). */
    void runTrial() throws InterruptedException {
        writeAll("a");
        writeAll("b");
        assertEquals(100, sink.stats().grayTrials(), "only the user: keys are tried: 50 creates + 50 updates");
        assertEquals(50, sink.stats().grayDisagreements(), "first-writer-wins disagrees on every update");
        assertEquals("b", replica.get("user:7"), "the active resolver decides during the trial");
    }

    void rewrite(String yaml) throws Exception {
        Files.writeString(file, yaml);
    }

    @Test
    void aReloadPromotesTheCandidate() throws Exception {
        runTrial();
        rewrite(ON_TRIAL.replace("resolver: last-writer-wins", "resolver: " + CANDIDATE)
            .replace("grayRelease:\n  candidate: " + CANDIDATE + "\n  share: {prefixes: ['user:']}\n", ""));
        ConfigReloader.Result r = reloader.reload();
        assertTrue(r.policyChanged());
        assertEquals(List.of(), r.needRestart());
        assertInstanceOf(FirstWriterWinsResolver.class, rep.resolverPolicy().active());
        assertNull(rep.resolverPolicy().candidate());
        assertSame(rep.resolverPolicy(), sink.resolverPolicy(), "installed in the replica sink too");
        writeAll("c");
        assertEquals("b", replica.get("user:7"), "new decisions follow the promoted candidate: first writer wins");
        assertEquals("b", replica.get("item:7"), "on every key, not only the share");
        assertEquals(100, sink.stats().grayTrials(), "no trial any more");
        assertEquals(CANDIDATE, reloader.current().resolver());
        assertNull(reloader.current().grayRelease());
    }

    @Test
    void aReloadDropsTheCandidate() throws Exception {
        runTrial();
        rewrite(ON_TRIAL.replace("grayRelease:\n  candidate: " + CANDIDATE + "\n  share: {prefixes: ['user:']}\n",
            ""));
        ConfigReloader.Result r = reloader.reload();
        assertTrue(r.policyChanged());
        assertNull(rep.resolverPolicy().candidate());
        assertEquals("last-writer-wins", rep.resolverPolicy().active().name());
        writeAll("c");
        assertEquals("c", replica.get("user:7"), "last-writer-wins goes on deciding");
        assertEquals(100, sink.stats().grayTrials(), "the dropped candidate is not tried any more");
        assertEquals(50, sink.stats().grayDisagreements());
    }

    @Test
    void aReloadStartsATrialOnAHashShare() throws Exception {
        rewrite(ON_TRIAL.replace("share: {prefixes: ['user:']}", "share: {hashPercent: 25}"));
        assertTrue(reloader.reload().policyChanged());
        writeAll("a");
        KeyShare share = KeyShare.hashPercent(25);
        long inShare = 0;
        for (int i = 0; i < 50; i++) {
            inShare += (share.test("user:" + i) ? 1 : 0) + (share.test("item:" + i) ? 1 : 0);
        }
        assertTrue(inShare > 0 && inShare < 100);
        assertEquals(inShare, sink.stats().grayTrials());
    }

    @Test
    void aRefusedFileChangesNothing() throws Exception {
        ResolverPolicy<String, String> before = rep.resolverPolicy();
        rewrite(ON_TRIAL.replace(CANDIDATE, "com.example.Missing"));
        ConfigException e = assertThrows(ConfigException.class, reloader::reload);
        assertEquals("grayRelease.candidate", e.field());
        assertTrue(e.getMessage().contains("com.example.Missing") && e.getMessage().contains(file.toString()),
            e::getMessage);
        assertSame(before, rep.resolverPolicy());
        assertEquals(1, reloader.failures());
        assertSame(e, reloader.lastFailure());
        assertEquals(1.0, rep.meterRegistry().get("syncmap.replication.config.reloads").tag("result", "failed")
            .counter().count());
    }

    @Test
    void fieldsThatNeedARestartAreReportedNotApplied() throws Exception {
        AtomicReference<ReplicationConfig> seen = new AtomicReference<>();
        reloader.onReload(seen::set);
        rewrite(ON_TRIAL + "batchSize: 7\nmetrics: {prometheus: {port: 0}}\nspill: {maxBytes: 10}\n");
        ConfigReloader.Result r = reloader.reload();
        assertFalse(r.policyChanged());
        assertEquals(List.of("batchSize", "metrics.prometheus.enabled", "metrics.prometheus.port"), r.needRestart());
        assertEquals(List.of("spill"), r.sectionsChanged());
        assertEquals(500, reloader.current().batchSize(), "the configuration in force keeps the running value");
        assertEquals(Map.of("maxBytes", 10), seen.get().section("spill"), "listeners get the reserved sections");
        rewrite(ON_TRIAL + "batchSize: 7\nmetrics: {prometheus: {port: 0}}\nspill: {maxBytes: 10}\n");
        assertEquals(List.of("batchSize", "metrics.prometheus.enabled", "metrics.prometheus.port"),
            reloader.reload().needRestart(), "still not applied");
        assertEquals(2, reloader.reloads());
    }

    @Test
    void aWatchedFileIsReloadedWhenItChanges() throws Exception {
        reloader.watch();
        assertThrows(IllegalStateException.class, reloader::watch);
        // an editor's atomic save: write a temporary file, rename it onto the configuration
        Path tmp = dir.resolve("replication.yaml.tmp");
        Files.writeString(tmp, ON_TRIAL.replace("grayRelease:\n  candidate: " + CANDIDATE
            + "\n  share: {prefixes: ['user:']}\n", ""));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await(() -> rep.resolverPolicy().candidate() == null, "the watch dropped the candidate");
        // a refused edit is logged and counted, the policy stays
        rewrite("resolver: nope\n");
        await(() -> reloader.failures() > 0, "the refused edit is counted");
        assertNull(rep.resolverPolicy().candidate());
        assertEquals("last-writer-wins", rep.resolverPolicy().active().name());
        rewrite(ON_TRIAL);
        await(() -> rep.resolverPolicy().candidate() != null, "the watch started the trial again");
        reloader.close();
        reloader.close();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out: " + what);
            Thread.sleep(20);
        }
    }
}
