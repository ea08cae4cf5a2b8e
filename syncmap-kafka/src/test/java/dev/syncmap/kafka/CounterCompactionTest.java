package dev.syncmap.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.PnCount;
import dev.syncmap.replicate.Resolvers;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counters survive compaction: after the log cleaner has compacted the topic, a new node's sums still equal the
 * exact sum of every node's increments, because the record key is (map key, origin) and compaction keeps each
 * origin's latest contribution. The broken control keys records by the map key alone, and the new node's sums
 * must come out wrong.
 */
class CounterCompactionTest {

    @TempDir
    static Path dir;
    static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aNewNodeAfterCompactionHasTheExactSums() throws Exception {
        Map<String, Long> expected = new HashMap<>();
        Map<String, Long> seen = runAndBootstrapAfterCompaction("counters-by-origin", true, expected);
        assertEquals(expected, seen, "sums after compaction");
    }

    /** Broken control: keyed by the map key alone, compaction keeps one origin's contribution per key. */
    @Test
    void countersKeyedByTheMapKeyAloneAreCaught() throws Exception {
        Map<String, Long> expected = new HashMap<>();
        Map<String, Long> seen = runAndBootstrapAfterCompaction("counters-by-key", false, expected);
        assertNotEquals(expected, seen, "the oracle must notice contributions that compaction dropped");
    }

    private static Map<String, Long> runAndBootstrapAfterCompaction(String topic, boolean originInKey,
                                                                    Map<String, Long> expected) throws Exception {
        try (Admin admin = broker.admin()) {
            // small segments and an eager cleaner, so the test sees a compaction within seconds
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1).configs(Map.of("cleanup.policy", "compact",
                "segment.ms", "100", "min.cleanable.dirty.ratio", "0.01")))).all().get();
        }
        try (Nodes<String, PnCount> nodes = new Nodes<>(broker.bootstrapServers(), ChangelogTopic.named(topic),
            Codecs.STRING, ReplicatedMapConvergenceTest.PN, Resolvers.pnCounter())) {
            List<ReplicatedMap<String, PnCount>> writers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                writers.add(nodes.start(nodes.builder("node-" + i).originInRecordKey(originInKey)));
            }
            Random r = new Random(17);
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 300; i++) {
                    ReplicatedMap<String, PnCount> n = writers.get(r.nextInt(writers.size()));
                    String k = "c" + r.nextInt(5);
                    long delta = r.nextInt(21) - 10;
                    n.merge(k, PnCount.of(delta), PnCount::plus);
                    expected.merge(k, delta, Long::sum);
                }
                nodes.assertConverged("round " + round);
                Thread.sleep(150); // past segment.ms: the next record rolls a segment the cleaner may compact
            }
            long written = countRecords(topic);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long now = written;
            while (now >= written && System.nanoTime() < deadline) {
                writers.get(0).merge("roll", PnCount.of(1), PnCount::plus); // rolls the active segments
                expected.merge("roll", 1L, Long::sum);
                assertTrue(writers.get(0).awaitCaughtUp(Nodes.CONVERGE));
                Thread.sleep(300);
                now = countRecords(topic);
                written++;
            }
            assertTrue(now < written, "the cleaner did not compact the topic within 30 s");
            ReplicatedMap<String, PnCount> late = nodes.start("late");
            assertTrue(late.awaitCaughtUp(Nodes.CONVERGE));
            Map<String, Long> sums = new HashMap<>();
            late.snapshot().forEach((k, v) -> sums.put(k, v.value()));
            return sums;
        }
    }

    /** Counts the records the topic holds now (after compaction, fewer than were written). */
    static long countRecords(String topic) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
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
                n += c.poll(Duration.ofMillis(100)).count();
            }
            return n;
        }
    }
}
