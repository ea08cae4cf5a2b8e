package dev.syncmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.embedded.RedisServer;

/**
 * {@code syncmap replicate}: a node with a load, a Redis sink and a map sink runs, prints status lines and ends
 * with both sinks equal to the source; a refused configuration is one line naming the field, status 2;
 * {@code syncmap demo redis} reads the replica back from Redis and holds its checks.
 */
class ReplicateCommandTest {

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aNodeReplicatesItsLoadIntoRedisAndAMap() throws Exception {
        int port = freePort();
        RedisServer redis = RedisServer.builder().port(port).bind("127.0.0.1").setting("save \"\"")
            .setting("appendonly no").setting("dir " + dir.toAbsolutePath()).build();
        redis.start();
        try {
            Path config = dir.resolve("node.yaml");
            Files.writeString(config, String.join("\n",
                "replication:",
                "  name: node-a",
                "  origin: node-a",
                "load:",
                "  keys: 500",
                "  rate: 2000",
                "  valueBytes: 20",
                "spill: " + dir.resolve("spill"),
                "statusInterval: 500ms",
                "sinks:",
                "  - type: redis",
                "    name: redis",
                "    address: 127.0.0.1:" + port,
                "    keyPrefix: \"node-a:\"",
                "  - type: map",
                "    name: local",
                ""));
            CliTest.Outcome o = CliTest.run("replicate", "--config", config.toString(), "--duration", "2s");
            assertEquals(0, o.status(), o.toString());
            assertTrue(o.out().contains("| redis: lag ") && o.out().contains("breaker CLOSED"), o.out());
            assertTrue(o.out().contains("sink redis: equal to the source"), o.out());
            assertTrue(o.out().contains("sink local: equal to the source"), o.out());
        } finally {
            redis.stop();
        }
    }

    private void assertRefused(String yaml, String expected) throws IOException {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, yaml);
        CliTest.Outcome o = CliTest.run("replicate", "--config", config.toString(), "--duration", "1s");
        assertEquals(2, o.status(), o.toString());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().startsWith("syncmap replicate: ") && o.err().contains(expected), o.err());
    }

    @Test
    void aRefusedConfigurationNamesTheField() throws Exception {
        assertRefused("sinks:\n  - type: kafkaa\n", "sinks[0].type");
        assertRefused("sinks:\n  - type: redis\n    adress: localhost:6379\n", "sinks[0].adress");
        assertRefused("sinks:\n  - type: redis\n", "sinks[0].address");
        assertRefused("sinks:\n  - type: redis\n    address: localhost:6379\n    keyPrefix: a\n    metaPrefix: ab\n",
            "key pattern collision");
        assertRefused("sink:\n  - type: map\n", "'sink'");
        assertRefused("replication:\n  batchSize: -1\nsinks:\n  - type: map\n", "replication.batchSize");
        assertRefused("load:\n  rate: fast\nsinks:\n  - type: map\n", "load.rate");
        CliTest.Outcome missing = CliTest.run("replicate", "--config", dir.resolve("none.yaml").toString());
        assertEquals(2, missing.status(), missing.toString());
    }

    @Test
    void aRefusedKafkaConfigurationNamesTheField() throws Exception {
        String node = "kafka:\n  topic: t\n  nodeId: web-1\n";
        assertRefused(node, "kafka.bootstrapServers");
        assertRefused(node + "  bootstrapServers: localhost\n", "kafka.bootstrapServers");
        String servers = "kafka:\n  bootstrapServers: localhost:9092\n  topic: t\n";
        assertRefused(servers + "  nodeId: web.1\n", "kafka.nodeId");
        assertRefused(servers + "  nodeId: \"-web\"\n", "kafka.nodeId");
        assertRefused(servers, "kafka.nodeId");
        assertRefused(servers + "  nodeId: web-1\n  resolver: highest-bid\n", "kafka.resolver");
        assertRefused(servers + "  nodeId: web-1\n  partitions: 0\n", "kafka.partitions");
        assertRefused(servers + "  nodeId: web-1\n  metricsPort: 70000\n", "kafka.metricsPort");
        assertRefused(servers + "  nodeId: web-1\n  topics: t\n", "kafka.topics");
        assertRefused(servers + "  nodeId: web-1\nsinks:\n  - type: map\n", "'sinks'");
        assertRefused("sinks:\n  - type: kafka\n", "top-level 'kafka' section");
    }

    @Test
    void aKafkaNodeThatCannotReachItsBrokersSaysWhich() throws Exception {
        Path config = dir.resolve("node.yaml");
        int port = freePort(); // nobody listens there
        Files.writeString(config, "kafka:\n  bootstrapServers: 127.0.0.1:" + port + "\n  topic: t\n  nodeId: web-1\n"
            + "  setupTimeout: 1s\n");
        CliTest.Outcome o = CliTest.run("replicate", "--config", config.toString(), "--duration", "1s");
        assertEquals(1, o.status(), o.toString());
        assertTrue(o.err().contains("127.0.0.1:" + port), o.err());
    }

    @Test
    void theRedisDemoReadsTheReplicaBackFromRedis() {
        CliTest.Outcome o = CliTest.run("demo", "redis");
        assertEquals(0, o.status(), o.toString());
        assertTrue(o.out().contains("read back from Redis (replicated):") && o.out().contains("all checks held"),
            o.out());
        assertTrue(o.out().contains("read back from Redis (re-anchored):"), o.out());
    }
}
