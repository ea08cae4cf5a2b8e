package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.syncmap.VersionedMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replicator started from a file, with its metrics endpoint and a watched configuration. */
class ConfiguredReplicatorTest {

    @TempDir
    Path dir;

    @Test
    void startsScrapesReloadsAndStops() throws Exception {
        Path file = dir.resolve("rep.yaml");
        Files.writeString(file, String.join("\n",
            "name: from-file",
            "origin: node-a",
            "grayRelease: {candidate: put-if-absent, share: {prefixes: ['a:']}}",
            "checkpoint: {directory: cp}",
            "metrics: {prometheus: {host: 127.0.0.1, port: 0}}",
            "reload: {watch: true, debounce: 20ms}",
            ""));
        VersionedMap<String, String> map = new VersionedMap<>();
        ConcurrentHashMap<String, String> replica = new ConcurrentHashMap<>();
        try (ConfiguredReplicator<String, String> r = ConfiguredReplicator.start(file, map,
            List.of(new MapReplicaSink<>("r", replica)))) {
            map.put("a:1", "x");
            assertTrue(r.replicator().awaitCaughtUp(Duration.ofSeconds(5)));
            assertEquals(Map.of("a:1", "x"), replica);
            String body = MetricsExportTest.get(r.metrics().scrapeUri()).body();
            assertTrue(body.contains("syncmap_replication_keys_total{prefix=\"a:\",replicator=\"from-file\""), body);
            Files.writeString(file, Files.readString(file).replace(
                "grayRelease: {candidate: put-if-absent, share: {prefixes: ['a:']}}\n", ""));
            ConfigReloaderTest.await(() -> r.replicator().resolverPolicy().candidate() == null, "watched reload");
            assertNull(r.reloader().current().grayRelease());
        }
        assertTrue(Files.isDirectory(dir.resolve("cp")), "checkpoint directory relative to the file");
    }

    @Test
    void nothingStartsWhenTheConfigurationIsRefusedOrThePortTaken() throws Exception {
        Path file = dir.resolve("rep.yaml");
        Files.writeString(file, "origin: node-a\nbatchSize: -5\n");
        ConfigException e = assertThrows(ConfigException.class,
            () -> ConfiguredReplicator.start(file, new VersionedMap<String, String>(),
                List.of(new MapReplicaSink<>("r", new ConcurrentHashMap<>()))));
        assertEquals("batchSize", e.field());
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Files.writeString(file, "origin: node-a\nmetrics: {prometheus: {host: 127.0.0.1, port: "
                + taken.getLocalPort() + "}}\n");
            assertThrows(java.io.IOException.class, () -> ConfiguredReplicator.start(file,
                new VersionedMap<String, String>(), List.of(new MapReplicaSink<>("r", new ConcurrentHashMap<>()))));
        }
    }
}
