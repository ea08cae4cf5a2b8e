package dev.syncmap.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.Envelope;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Bad input, each a clear error naming what is wrong: bootstrap servers nobody listens on or that do not resolve,
 * a changelog topic that deletes or has too few partitions, and records that cannot be decoded (reported and
 * skipped, or stopping the node, by policy; never silently dropped).
 */
class BadInputTest extends WithBroker {

    static ReplicatedMap.Builder<String, Long> node(String servers, ChangelogTopic topic) {
        return ReplicatedMap.<String, Long>builder().bootstrapServers(servers).topic(topic).nodeId("n1")
            .keyCodec(Codecs.STRING).valueCodec(Codecs.LONG).setupTimeout(Duration.ofSeconds(3));
    }

    static KafkaSetupException refused(ReplicatedMap.Builder<String, Long> b) {
        try (ReplicatedMap<String, Long> n = b.build()) {
            return assertThrows(KafkaSetupException.class, n::start);
        }
    }

    @Test
    void serversNobodyListensOnFailWithinTheSetupTimeout() throws Exception {
        String servers;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            servers = "localhost:" + s.getLocalPort(); // free, and closed again: nobody listens there
        }
        KafkaSetupException e = refused(node(servers, ChangelogTopic.named("t")));
        assertTrue(e.getMessage().contains(servers), e::getMessage);
        assertTrue(e.getMessage().contains("within"), e::getMessage);
    }

    @Test
    void serversThatDoNotResolveAreNamed() {
        KafkaSetupException e = refused(node("no-such-host.invalid:9092", ChangelogTopic.named("t")));
        assertTrue(e.getMessage().contains("no-such-host.invalid:9092"), e::getMessage);
    }

    @Test
    void aTopicThatDeletesIsRefused() throws Exception {
        for (String policy : List.of("delete", "compact,delete")) {
            String topic = "deleting-" + policy.replace(',', '-');
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1)
                    .configs(Map.of("cleanup.policy", policy)))).all().get();
            }
            KafkaSetupException e = refused(node(broker.bootstrapServers(), ChangelogTopic.named(topic)));
            assertTrue(e.getMessage().contains("changelog topic " + topic + " has cleanup.policy=" + policy),
                e::getMessage);
        }
    }

    @Test
    void aTopicWithTooFewPartitionsIsRefused() throws Exception {
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("narrow", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        KafkaSetupException e = refused(node(broker.bootstrapServers(), ChangelogTopic.named("narrow")));
        assertTrue(e.getMessage().contains("changelog topic narrow has 1 partitions, fewer than the 4"),
            e::getMessage);
    }

    /** Publishes changes of Integer keys and String values, in order, as a node would. */
    @SafeVarargs
    static void produce(String servers, String topic, Envelope<Integer, String>... changes) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Envelope<Integer, String> e : changes) {
                producer.send(ChangelogFormat.toRecord(topic, e, new CodecSerde<>(Codecs.INTEGER),
                    new CodecSerde<>(Codecs.STRING)));
                producer.flush(); // one at a time: the log order is the order given
            }
        }
    }

    /** Writes a good change, a change written with the wrong value codec, and a record without headers. */
    static void writeMixedRecords(String topic) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        CodecSerde<String> strings = new CodecSerde<>(Codecs.STRING);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(ChangelogFormat.toRecord(topic, Envelope.change("other", 1, 1L << 20, "good", 7L, true),
                strings, new CodecSerde<>(Codecs.LONG)));
            producer.send(ChangelogFormat.toRecord(topic, Envelope.change("other", 2, 2L << 20, "wrong-codec",
                "seven", true), strings, strings));
            producer.send(new ProducerRecord<>(topic, strings.serialize(topic, "foreign"), new byte[] {1, 2, 3}));
            producer.flush();
        }
    }

    @Test
    void unreadableRecordsAreReportedAndSkipped() throws Exception {
        ChangelogTopic topic = ChangelogTopic.named("unreadable-skip");
        try (Admin admin = broker.admin()) {
            topic.ensure(admin, Duration.ofSeconds(10));
        }
        writeMixedRecords(topic.name());
        List<String> reported = new CopyOnWriteArrayList<>();
        try (ReplicatedMap<String, Long> n = node(broker.bootstrapServers(), topic)
            .unreadableRecords(UnreadableRecordPolicy.REPORT_AND_SKIP,
                (t, partition, offset, cause) -> reported.add(t + "-" + partition + "@" + offset + " " + cause))
            .build()) {
            n.start();
            assertTrue(n.awaitReady(Nodes.READY));
            assertEquals(2, reported.size(), reported::toString);
            assertEquals(2, n.applier().unreadableRecords());
            assertEquals(2.0, n.publisher().meterRegistry().get("syncmap.kafka.unreadable.records")
                .tag("topic", topic.name()).tag("node", "n1").functionCounter().count(), "the exported count");
            assertTrue(reported.stream().anyMatch(r -> r.contains("codec syncmap.long")), reported::toString);
            assertTrue(reported.stream().anyMatch(r -> r.contains("header syncmap.origin is missing")),
                reported::toString);
            assertEquals(Map.of("good", 7L), new HashMap<>(n.snapshot()), "the readable record is applied");
            n.put("after", 8L); // and the node goes on
            assertTrue(n.awaitCaughtUp(Nodes.CONVERGE));
            assertEquals(8L, n.get("after"));
        }
    }

    @Test
    void anUnreadableRecordStopsANodeWhosePolicyIsFail() throws Exception {
        ChangelogTopic topic = ChangelogTopic.named("unreadable-fail");
        try (Admin admin = broker.admin()) {
            topic.ensure(admin, Duration.ofSeconds(10));
        }
        writeMixedRecords(topic.name());
        try (ReplicatedMap<String, Long> n = node(broker.bootstrapServers(), topic)
            .unreadableRecords(UnreadableRecordPolicy.FAIL, null).build()) {
            n.start();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> n.awaitReady(Nodes.READY));
            assertTrue(e.getMessage().contains("unreadable changelog record unreadable-fail-"), e::getMessage);
            assertTrue(n.applier().failure() instanceof UnreadableRecordException);
        }
    }
}
