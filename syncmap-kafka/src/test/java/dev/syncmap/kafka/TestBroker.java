package dev.syncmap.kafka;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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

    /** Counts the records the topic holds now with the given record key. */
    long countRecords(String topic, byte[] key) {
        return countRecords(topic, k -> java.util.Arrays.equals(key, k));
    }

    /** Counts the records the topic holds now whose record key passes the test. */
    long countRecords(String topic, java.util.function.Predicate<byte[]> keyTest) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long n = 0;
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (var r : c.poll(Duration.ofMillis(100))) {
                    if (keyTest.test(r.key())) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /** Creates a compacted topic whose segments roll every 100 ms, for a cleaner that compacts within seconds. */
    void createEagerlyCompactedTopic(String topic) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1).configs(Map.of("cleanup.policy", "compact",
                "segment.ms", "100", "min.cleanable.dirty.ratio", "0.01")))).all().get();
        }
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
