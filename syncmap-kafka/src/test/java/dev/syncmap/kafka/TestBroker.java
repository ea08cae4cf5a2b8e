package dev.syncmap.kafka;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-node KRaft cluster (combined broker and controller) in the test JVM, on free ports, with its logs under
 * a test's temporary directory. Settings from the project's real-servers recipe: one replica for the internal
 * topics, short broker sessions so a restart is accepted quickly.
 */
final class TestBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private TestBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Formats and starts a cluster under {@code dir}. */
    static TestBroker start(Path dir) throws Exception {
        return start(dir, 0);
    }

    /**
     * Formats and starts a cluster under {@code dir}; with a non-zero {@code advertisedPort} the broker tells
     * clients to reach it there (where a {@link TcpProxy} forwards to it), so a test can cut them off.
     */
    static TestBroker start(Path dir, int advertisedPort) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .setBaseDirectory(dir)
            .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("broker.session.timeout.ms", "3000")
            .setConfigProp("broker.heartbeat.interval.ms", "500")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("log.cleaner.backoff.ms", "200"); // compaction tests: the cleaner looks often
        if (advertisedPort != 0) {
            builder.setConfigProp("advertised.listeners", "EXTERNAL://localhost:" + advertisedPort);
        }
        KafkaClusterTestKit c = builder.build();
        boolean ok = false;
        try {
            c.format();
            c.startup();
            c.waitForReadyBrokers();
            ok = true;
            return new TestBroker(c);
        } finally {
            if (!ok) {
                c.close();
            }
        }
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    Admin admin() {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(p);
    }

    @Override
    public void close() throws IOException {
        try {
            cluster.close();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("stopping the test broker failed", e);
        }
    }
}
