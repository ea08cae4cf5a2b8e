package dev.syncmap.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.syncmap.copy.Codecs;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;

import org.junit.jupiter.api.Test;

/**
 * A node process killed with {@code kill -9} while it writes, and started again: the restarted node rebuilds its
 * view from the topic and converges with a node that ran throughout (pause-and-compare), within 5 s of being
 * ready. Keys {@code [0, 1000)} are written only before the kill, so a restarted node must have read them from
 * the topic. The broken control keeps the node's positions in a consumer group while its state lives in memory:
 * after the kill, the restarted node resumes from the committed positions, misses what came before, and the oracle
 * must see it.
 */
class NodeKillTest extends WithBroker {

    static final long CHILD_WAIT_S = 90;


    @Test
    void aKilledNodeRestartsAndConverges() throws Exception {
        Outcome o = killAndRestart("kill", null);
        assertEquals(o.survivor, o.restarted, "the restarted node differs from the one that ran throughout");
    }

    @Test
    void positionsKeptApartFromTheStateAreCaught() throws Exception {
        Outcome o = killAndRestart("kill-control", "control-group");
        assertNotEquals(o.survivor, o.restarted, "the oracle must notice a node that resumed from committed"
            + " positions without the state they describe");
    }

    record Outcome(Map<Integer, String> survivor, Map<Integer, String> restarted) {}

    private static Outcome killAndRestart(String topic, String controlGroup) throws Exception {
        Path dump = dir.resolve(topic + ".dump");
        try (Nodes<Integer, String> nodes = Nodes.lww(broker.bootstrapServers(), topic, Codecs.INTEGER,
            Codecs.STRING)) {
            ReplicatedMap<Integer, String> survivor = nodes.start("survivor");
            Process first = child(topic, "child", 0, 1_000, dump, controlGroup, "first");
            Process second = null;
            try {
                awaitLine(first, "READY", topic + "-first");
                write(survivor, 0, 1_000, 800);
                if (controlGroup != null) {
                    awaitCommitted(controlGroup);
                }
                first.destroyForcibly(); // SIGKILL on Linux
                assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the killed child did not go away");
                assertEquals(137, first.exitValue(), "killed with SIGKILL");

                second = child(topic, "child", 1_000, 2_000, dump, controlGroup, "second");
                Process restarted = second;
                AtomicBoolean stop = new AtomicBoolean();
                Thread w = new Thread(() -> writeUntil(survivor, 1_000, 2_000, stop));
                w.start();
                try {
                    awaitLine(restarted, "READY", topic + "-second");
                    Thread.sleep(500); // both write after the restart
                } finally {
                    stop.set(true);
                    w.join();
                }
                // the survivor's writes are all in the log before the child reads to its end and dumps
                assertTrue(survivor.awaitCaughtUp(Nodes.CONVERGE), "the survivor did not publish its writes");
                try (OutputStream in = restarted.getOutputStream()) {
                    in.write("STOP\n".getBytes(StandardCharsets.UTF_8));
                }
                awaitLine(restarted, "DUMPED", topic + "-second");
                assertTrue(restarted.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, restarted.exitValue());
                assertTrue(survivor.awaitCaughtUp(Duration.ofSeconds(5)),
                    "the survivor did not catch up within 5 s");
                Map<Integer, String> fromChild = new TreeMap<>();
                for (String line : Files.readAllLines(dump)) {
                    int eq = line.indexOf('=');
                    fromChild.put(Integer.parseInt(line.substring(0, eq)), line.substring(eq + 1));
                }
                return new Outcome(new TreeMap<>(survivor.snapshot()), fromChild);
            } finally {
                destroy(first);
                destroy(second);
            }
        }
    }

    /** Waits until the control's group has committed positions (its coordinator may take a moment to start). */
    private static void awaitCommitted(String group) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Admin admin = broker.admin()) {
            while (System.nanoTime() < deadline) {
                long committed = 0;
                for (OffsetAndMetadata om : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get().values()) {
                    committed += om == null ? 0 : om.offset();
                }
                if (committed > 0) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the control's group " + group + " committed nothing within 30 s");
    }

    private static void write(ReplicatedMap<Integer, String> n, int from, int to, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread t = new Thread(() -> writeUntil(n, from, to, stop));
        t.start();
        Thread.sleep(millis);
        stop.set(true);
        t.join();
    }

    private static void writeUntil(ReplicatedMap<Integer, String> n, int from, int to, AtomicBoolean stop) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long i = 0;
        while (!stop.get()) {
            n.put(from + r.nextInt(to - from), n.origin() + ":" + i++);
            if ((i & 3) == 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static Process child(String topic, String node, int from, int to, Path dump, String controlGroup,
                                 String tag) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "-Xmx256m", KafkaNodeChild.class.getName(),
            "servers=" + broker.bootstrapServers(), "topic=" + topic, "node=" + node, "from=" + from, "to=" + to,
            "dump=" + dump));
        if (controlGroup != null) {
            cmd.add("controlGroup=" + controlGroup);
        }
        Path out = dir.resolve(topic + "-" + tag + ".out");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /** Waits until the child's output (in its file) has a line starting with {@code prefix}. */
    private static void awaitLine(Process p, String prefix, String tag) throws Exception {
        Path out = dir.resolve(tag + ".out");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_WAIT_S);
        while (System.nanoTime() < deadline) {
            if (Files.exists(out)) {
                for (String line : Files.readAllLines(out)) {
                    if (line.startsWith(prefix)) {
                        System.out.println(tag + ": " + line);
                        return;
                    }
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError(tag + " exited with " + p.exitValue() + " before " + prefix + ":\n"
                    + (Files.exists(out) ? Files.readString(out) : ""));
            }
            Thread.sleep(50);
        }
        throw new AssertionError(tag + " did not print " + prefix + " within " + CHILD_WAIT_S + " s");
    }

    private static void destroy(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
