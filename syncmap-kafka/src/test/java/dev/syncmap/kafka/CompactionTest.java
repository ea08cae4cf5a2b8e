package dev.syncmap.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.HybridLogicalClock;
import dev.syncmap.replicate.PnCount;
import dev.syncmap.replicate.Resolvers;

import org.junit.jupiter.api.Test;

/**
 * What a node that bootstraps after the log cleaner compacted the topic sees.
 *
 * <p>Counters: a new node's sums still equal the exact sum of every node's increments, because the record key
 * is (map key, origin) and compaction keeps each origin's latest contribution. Broken control: records keyed by
 * the map key alone; the new node's sums must come out wrong.
 *
 * <p>Last-writer-wins: two concurrent writes reach the log in the opposite order of their stamps, so the key's
 * last record is the loser. With the log-order repair the loser's writer publishes the winner again and a new
 * node holds the winner; the broken control turns the repair off and the new node must hold the loser.
 */
class CompactionTest extends WithBroker {

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

    /** Counts the records of the counters c0..c4 (not the records that roll segments). */
    private static long counterRecords(String topic) {
        byte[] roll = "roll".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return broker.countRecords(topic, k -> indexOf(k, roll) < 0);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void lastWriterWinsSurvivesCompactionWhenTheLoserReachedTheLogLast() throws Exception {
        assertEquals("winner", lateValueAfterCompaction("lww-repaired", true));
    }

    /** Broken control: without the repair, compaction keeps the loser, and a late node holds it. */
    @Test
    void withoutTheRepairALateNodeHoldsTheLoser() throws Exception {
        assertEquals("loser", lateValueAfterCompaction("lww-unrepaired", false));
    }

    private static String lateValueAfterCompaction(String topic, boolean repair) throws Exception {
        broker.createEagerlyCompactedTopic(topic);
        try (Nodes<Integer, String> nodes = Nodes.lww(broker.bootstrapServers(), topic, Codecs.INTEGER,
            Codecs.STRING)) {
            ReplicatedMap<Integer, String> n = nodes.start(nodes.builder("writer").repairLogOrder(repair));
            long now = System.currentTimeMillis();
            // two concurrent writes of key 1: the other node's wins by stamp but reaches the log first
            BadInputTest.produce(broker.bootstrapServers(), topic,
                Envelope.change("other.x", 1, HybridLogicalClock.stamp(now, 5), 1, "winner", true),
                Envelope.change(n.origin(), 1, HybridLogicalClock.stamp(now - 1_000, 0), 1, "loser", true));
            assertTrue(n.awaitCaughtUp(Nodes.CONVERGE));
            assertEquals("winner", n.get(1), "the running node resolves it right either way");
            byte[] key1 = new CodecSerde<>(Codecs.INTEGER).serialize(topic, 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int i = 0;
            while (broker.countRecords(topic, key1) > 1 && System.nanoTime() < deadline) {
                Thread.sleep(150);
                for (int k = 100; k < 140; k++) { // a record in every partition rolls its segment
                    n.put(k, "roll" + i);
                }
                i++;
                assertTrue(n.awaitCaughtUp(Nodes.CONVERGE));
            }
            assertEquals(1, broker.countRecords(topic, key1), "the cleaner did not compact key 1 within 30 s");
            return nodes.start("late").get(1);
        }
    }

    private static Map<String, Long> runAndBootstrapAfterCompaction(String topic, boolean originInKey,
                                                                    Map<String, Long> expected) throws Exception {
        broker.createEagerlyCompactedTopic(topic);
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
            // roll every partition's active segment (records of other keys, in every partition) until the
            // cleaner has left one record per record key of the counters: 3 origins x 5 keys, or 5 keys alone
            long target = originInKey ? 15 : 5;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int i = 0;
            while (counterRecords(topic) > target && System.nanoTime() < deadline) {
                for (int k = 0; k < 40; k++) {
                    writers.get(0).merge("roll-" + k, PnCount.of(1), PnCount::plus);
                    expected.merge("roll-" + k, 1L, Long::sum);
                }
                i++;
                assertTrue(writers.get(0).awaitCaughtUp(Nodes.CONVERGE));
                Thread.sleep(150);
            }
            long left = counterRecords(topic);
            assertEquals(target, left, "the cleaner did not compact the counters' records within 30 s (" + i
                + " rolls)");
            ReplicatedMap<String, PnCount> late = nodes.start("late");
            assertTrue(late.awaitCaughtUp(Nodes.CONVERGE));
            Map<String, Long> sums = new HashMap<>();
            late.snapshot().forEach((k, v) -> sums.put(k, v.value()));
            return sums;
        }
    }
}
