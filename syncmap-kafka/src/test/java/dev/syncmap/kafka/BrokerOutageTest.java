package dev.syncmap.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.SinkProtection;
import dev.syncmap.replicate.SinkProtectionStatus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker becomes unreachable while a node writes (a TCP proxy the broker advertises cuts every
 * connection): local writes go on, the publisher's breaker opens and its writes spill to the durable local queue;
 * when the broker is reachable again, the spill drains in order and every node converges with nothing lost.
 */
class BrokerOutageTest {

    @TempDir
    Path dir;

    @Test
    void writesDuringAnOutageSpillAndArriveAfterIt() throws Exception {
        int port = TcpProxy.freePort();
        TestBroker broker = TestBroker.start(dir.resolve("kafka"), port);
        try (TcpProxy proxy = new TcpProxy(port, broker.bootstrapServers());
             Nodes<Integer, String> nodes = Nodes.lww("localhost:" + port, "outage", Codecs.INTEGER,
                 Codecs.STRING)) {
            proxy.open();
            SinkProtection protection = SinkProtection.builder()
                .breaker(50f, 4, 2, Duration.ofMillis(500))
                .spillAfterFailures(1)
                .build();
            ReplicatedMap<Integer, String> a = nodes.start(nodes.builder("node-a").protection(protection)
                .spillDirectory(dir.resolve("spill-a"))
                .clientProperty("max.block.ms", 1_000).clientProperty("delivery.timeout.ms", 2_000)
                .clientProperty("request.timeout.ms", 1_000));
            ReplicatedMap<Integer, String> b = nodes.start("node-b");
            Map<Integer, String> expected = new HashMap<>();
            for (int i = 0; i < 100; i++) {
                a.put(i, "before" + i);
                expected.put(i, "before" + i);
            }
            nodes.assertConverged("before the outage");

            proxy.cut(); // the broker is unreachable for every client
            for (int i = 50; i < 300; i++) { // local writes never block on Kafka
                a.put(i, "during" + i);
                expected.put(i, "during" + i);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (spilled(a) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(spilled(a) > 0, () -> "nothing spilled during the outage: " + a.publisher().protectionStatus());

            proxy.open();
            nodes.assertConverged("after the outage");
            assertEquals(expected, new HashMap<>(b.snapshot()), "node b holds every write, in order");
        } finally {
            broker.close();
        }
    }

    private static long spilled(ReplicatedMap<Integer, String> n) {
        long total = 0;
        for (SinkProtectionStatus s : n.publisher().protectionStatus()) {
            total += s.spilled();
        }
        return total;
    }
}
