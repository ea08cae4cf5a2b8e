package dev.syncmap.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A node process for {@link MultiProcessKafkaTest}: two {@link KafkaNode}s in one JVM, a last-writer-wins map on
 * topic {@code mp-lww} and a PN-counter on {@code mp-counters}, both under load, driven by {@link NodeControl}
 * commands on standard input. Prints {@code READY <node> ms=<JVM uptime> readMs=<connecting and reading both topics>}
 * once both views hold their topics, then a
 * status line per map every 500 ms.
 *
 * <p>Arguments: bootstrap servers, node id, changes a second per map, keys.
 */
public final class TwoMapNodeChild {

    private TwoMapNodeChild() {}

    /**
     * Runs the node until {@code stop} or the end of standard input.
     *
     * @param args servers, node id, rate, keys
     * @throws Exception on any failure (exit status 1)
     */
    public static void main(String[] args) throws Exception {
        String servers = args[0];
        String id = args[1];
        NodeConfig.Load load = new NodeConfig.Load(Integer.parseInt(args[3]), Integer.parseInt(args[2]), 16);
        Duration setup = Duration.ofSeconds(30);
        try (KafkaNode<?> lww = KafkaNode.create(new NodeConfig.Kafka(servers, "mp-lww", 4, (short) 1, id,
                 "last-writer-wins", setup, 0), null);
             KafkaNode<?> counters = KafkaNode.create(new NodeConfig.Kafka(servers, "mp-counters", 4, (short) 1, id,
                 "pn-counter", setup, 0), null)) {
            List<KafkaNode<?>> nodes = List.of(lww, counters);
            for (KafkaNode<?> n : nodes) {
                n.start(Duration.ofMinutes(2));
            }
            System.out.println("READY " + id + " ms=" + java.lang.management.ManagementFactory.getRuntimeMXBean()
                .getUptime() + " readMs=" + (lww.readyMillis() + counters.readyMillis()));
            for (KafkaNode<?> n : nodes) {
                n.startLoad(load);
            }
            CountDownLatch stop = new CountDownLatch(1);
            NodeControl.serve(nodes, load, new BufferedReader(new InputStreamReader(System.in,
                Charset.defaultCharset())), System.out::println, stop::countDown);
            long start = System.nanoTime();
            while (!stop.await(500, TimeUnit.MILLISECONDS)) {
                for (KafkaNode<?> n : nodes) {
                    System.out.println(n.statusLine((System.nanoTime() - start) / 1_000_000_000L));
                    if (n.failed()) {
                        throw new IllegalStateException(n.topic() + " failed: " + n.failure());
                    }
                }
            }
        }
    }
}
