package dev.syncmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes ({@link TwoMapNodeChild}: a last-writer-wins map and a PN-counter each, both under load on
 * the same keys) and a broker process ({@link ChildBroker}). Mid-run one node is killed with {@code kill -9} and
 * started again (a new incarnation that rebuilds its views from the topics), and then the broker is killed with
 * {@code kill -9} and started again on the same log directory and port while the nodes write. At the end the writers
 * pause and every node's views are compared (pause-and-compare): the last-writer-wins views must be equal, the
 * counter views equal, and the counters' sum must equal exactly the sum of the increments acknowledged by Kafka:
 * every survivor's own total, the restarted node's new total, and what its first incarnation had acknowledged
 * before it was killed (its counter load is paused, and its writes acknowledged, just before the kill; its
 * last-writer-wins load runs up to the kill).
 *
 * <p>Prints the measured figures: how long the restarted node took from its JVM's launch to a view that holds
 * everything the topics held (READY), the broker's restart time, and how long the final pause took.
 */
class MultiProcessKafkaTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Pattern OWN = Pattern.compile("own=(-?\\d+)");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the nodes' and the broker's logs
    Path dir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void nodesAndTheBrokerKilledMidRunStillConvergeWithExactCounters() throws Exception {
        List<NodeProcess> nodes = new ArrayList<>();
        try (ChildBroker broker = ChildBroker.start(dir.resolve("kafka"))) {
            for (int i = 1; i <= 3; i++) {
                String id = "mp-" + i;
                nodes.add(new NodeProcess(id, ChildBroker.java("-Xmx256m", TwoMapNodeChild.class.getName(),
                    broker.bootstrapServers(), id, "400", "200"), dir.resolve(id + ".log")));
            }
            try {
                for (NodeProcess n : nodes) {
                    n.start();
                }
                for (NodeProcess n : nodes) {
                    n.awaitLine("READY", WAIT);
                }
                Thread.sleep(3_000);

                NodeProcess victim = nodes.get(1);
                victim.send("pause mp-counters");
                long firstIncarnation = own(victim.awaitLine("PAUSED mp-counters", WAIT));
                assertEquals(137, victim.kill(), "killed with SIGKILL");
                victim.start();
                String ready = victim.awaitLine("READY", WAIT);
                long restartMs = (System.nanoTime() - victim.launchedNanos()) / 1_000_000;
                System.out.println("restarted node: " + ready + ", ready " + restartMs
                    + " ms after its JVM was launched");
                Thread.sleep(2_000);

                broker.kill();
                Thread.sleep(1_000);
                long t0 = System.nanoTime();
                broker.restart();
                System.out.println("broker restarted on the same port in " + (System.nanoTime() - t0) / 1_000_000
                    + " ms");
                Thread.sleep(3_000);

                long pause0 = System.nanoTime();
                long expected = firstIncarnation;
                for (NodeProcess n : nodes) {
                    n.send("pause");
                }
                for (NodeProcess n : nodes) {
                    n.awaitLine("PAUSED mp-lww", WAIT);
                    expected += own(n.awaitLine("PAUSED mp-counters", WAIT));
                }
                System.out.println("all writes acknowledged " + (System.nanoTime() - pause0) / 1_000_000
                    + " ms after the pause");
                Map<String, List<String>> digests = new HashMap<>();
                for (NodeProcess n : nodes) {
                    n.send("digest");
                }
                for (NodeProcess n : nodes) {
                    for (String topic : List.of("mp-lww", "mp-counters")) {
                        String d = n.awaitLine("DIGEST " + topic, WAIT);
                        System.out.println(n.name() + ": " + d);
                        digests.computeIfAbsent(topic, t -> new ArrayList<>()).add(d);
                    }
                }
                for (List<String> same : digests.values()) {
                    assertEquals(1, same.stream().distinct().count(), "the nodes' views differ: " + same);
                }
                Matcher total = Pattern.compile("total=(-?\\d+)").matcher(digests.get("mp-counters").get(0));
                assertTrue(total.find(), digests.get("mp-counters").get(0));
                assertEquals(expected, Long.parseLong(total.group(1)),
                    "the counters' sum is not the sum of the acknowledged increments");
            } finally {
                for (NodeProcess n : nodes) {
                    n.close();
                }
            }
        }
    }

    private static long own(String paused) {
        Matcher m = OWN.matcher(paused);
        if (!m.find()) {
            throw new AssertionError("no own= in " + paused);
        }
        return Long.parseLong(m.group(1));
    }
}
