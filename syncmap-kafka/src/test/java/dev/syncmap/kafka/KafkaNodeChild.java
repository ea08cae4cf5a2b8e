package dev.syncmap.kafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.syncmap.copy.Codecs;

/**
 * A node in a child JVM, for {@link NodeKillTest}: starts a {@link ReplicatedMap}, prints {@code READY ms=...}
 * once it holds the topic (milliseconds since the JVM started), then writes keys {@code [from, to)} at a few
 * thousand writes a second until it reads {@code STOP} on stdin; then it waits until it has caught up, writes
 * its view to {@code dump} (one {@code key=value} line per entry, in key order), prints {@code DUMPED} and
 * exits 0. The test kills it with {@code kill -9} while it writes.
 *
 * <p>Arguments, {@code name=value}: {@code servers topic node from to dump}, and {@code controlGroup=G} for the
 * broken control (positions kept in a consumer group).
 */
public final class KafkaNodeChild {

    private KafkaNodeChild() {}

    /**
     * Runs the node.
     *
     * @param args {@code name=value} pairs
     * @throws Exception on any failure (exit status 1)
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new TreeMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        ReplicatedMap.Builder<Integer, String> b = ReplicatedMap.<Integer, String>builder()
            .bootstrapServers(a.get("servers")).topic(ChangelogTopic.named(a.get("topic"))).nodeId(a.get("node"))
            .keyCodec(Codecs.INTEGER).valueCodec(Codecs.STRING);
        if (a.containsKey("controlGroup")) {
            b.resumeFromConsumerGroupForControl(a.get("controlGroup"));
        }
        int from = Integer.parseInt(a.get("from"));
        int to = Integer.parseInt(a.get("to"));
        try (ReplicatedMap<Integer, String> node = b.build()) {
            node.start();
            if (!node.awaitReady(Duration.ofSeconds(60))) {
                throw new IllegalStateException("not ready within 60 s");
            }
            long uptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
            System.out.println("READY ms=" + uptime);
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                long n = 0;
                while (!stop.get()) {
                    node.put(from + r.nextInt(to - from), node.origin() + ":" + n++);
                    if ((n & 3) == 0) {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            writer.start();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("STOP")) {
                // only STOP is understood
            }
            stop.set(true);
            writer.join();
            if (!node.awaitCaughtUp(Duration.ofSeconds(30))) {
                throw new IllegalStateException("not caught up within 30 s");
            }
            List<String> lines = new ArrayList<>();
            new TreeMap<>(node.snapshot()).forEach((k, v) -> lines.add(k + "=" + v));
            Files.write(Path.of(a.get("dump")), lines, StandardCharsets.UTF_8);
            System.out.println("DUMPED");
        }
    }
}
