package dev.syncmap.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syncmap demo replicate}: active-active replication through Kafka, on this machine. Starts a one-node KRaft
 * broker ({@code kafka.Kafka} in a child JVM, free loopback port), then three node processes ({@code syncmap
 * replicate} with a generated Kafka configuration) that write to overlapping keys under load; shows each node's
 * lag and throughput once a second; kills one node with {@code kill -9} and starts it again (it rebuilds its view
 * from the topic); then pauses the writers, waits until every node has read everything, and compares the nodes'
 * views (key count and a SHA-256 of the sorted entries). Exit status 0 only when they are EQUAL.
 *
 * <p>Everything it starts is stopped when it ends, fails or is interrupted (Ctrl-C: a shutdown hook kills the
 * children); its files live in a temporary directory that is deleted at the end.
 */
@Command(name = "replicate", mixinStandardHelpOptions = true,
        description = "Three node processes replicate one map through an embedded Kafka broker; one is killed with"
            + " kill -9 and restarted; the views are compared at the end.")
public final class ReplicateDemoCommand implements Callable<Integer> {

    static final Pattern STATUS = Pattern.compile("lag (\\S+) rec / (\\S+) ms \\| published (\\S+)/s"
        + " \\| applied (\\S+)/s \\| peers (\\d+) \\| view (\\S+) keys");
    private static final Duration WAIT = Duration.ofSeconds(120);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "6",
            description = "seconds of load before the kill and again after the restart (default: ${DEFAULT-VALUE})")
    private int seconds;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "1000",
            description = "changes a second each node writes (default: ${DEFAULT-VALUE})")
    private int rate;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "500",
            description = "keys the nodes share (default: ${DEFAULT-VALUE})")
    private int keys;

    private long startNanos;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (seconds < 1 || rate < 1 || keys < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds, --rate and --keys must be 1 or"
                + " more");
        }
        PrintWriter out = spec.commandLine().getOut();
        startNanos = System.nanoTime();
        Path dir = Files.createTempDirectory("syncmap-demo-replicate");
        List<NodeProcess> nodes = new CopyOnWriteArrayList<>(); // the hook reads it
        ChildBroker[] broker = new ChildBroker[1];
        Thread hook = new Thread(() -> killAll(nodes, broker[0]), "syncmap-demo-replicate-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean equal = false;
        try {
            say(out, "starting a Kafka broker (KRaft, one node, child JVM) ...");
            broker[0] = ChildBroker.start(dir.resolve("kafka"));
            say(out, "broker at " + broker[0].bootstrapServers());
            for (int i = 1; i <= 3; i++) {
                nodes.add(node("node-" + i, broker[0].bootstrapServers(), dir));
            }
            say(out, "starting 3 node processes (syncmap replicate), each writing " + rate + " changes/s to " + keys
                + " shared keys (last-writer-wins) ...");
            for (NodeProcess n : nodes) {
                n.start();
            }
            for (NodeProcess n : nodes) {
                say(out, n.name() + ": " + n.awaitLine("READY", WAIT));
            }
            live(out, nodes, seconds);
            NodeProcess victim = nodes.get(1);
            say(out, "kill -9 " + victim.name() + " (exit " + victim.kill() + ")");
            live(out, nodes, 1);
            victim.start();
            String ready = victim.awaitLine("READY", WAIT);
            say(out, victim.name() + " restarted: " + ready + "; ready " + millisSince(victim.launchedNanos())
                + " ms after its JVM was launched");
            live(out, nodes, seconds);
            say(out, "pausing the writers; waiting until every node has published its writes ...");
            for (NodeProcess n : nodes) {
                n.send("pause");
            }
            for (NodeProcess n : nodes) {
                say(out, n.name() + ": " + n.awaitLine("PAUSED", WAIT));
            }
            Map<String, String> digests = new LinkedHashMap<>();
            for (NodeProcess n : nodes) {
                n.send("digest");
            }
            for (NodeProcess n : nodes) {
                String d = n.awaitLine("DIGEST", WAIT);
                digests.put(n.name(), d);
                say(out, n.name() + ": " + d);
            }
            equal = digests.values().stream().distinct().count() == 1;
            say(out, equal ? "EQUAL: the 3 nodes hold the same " + keysOf(digests.values().iterator().next())
                + " keys (same SHA-256)" : "DIFFERENT: " + digests.size() + " views, " + digests.values().stream()
                .distinct().count() + " distinct; keys per node " + digests.entrySet().stream()
                .map(e -> e.getKey() + "=" + keysOf(e.getValue())).toList());
        } finally {
            try {
                for (NodeProcess n : nodes) {
                    n.close();
                }
                if (broker[0] != null) {
                    broker[0].close();
                }
            } finally {
                Runtime.getRuntime().removeShutdownHook(hook);
                if (equal) {
                    RedisDemoCommand.deleteTree(dir);
                } else {
                    out.println("files kept for a look: " + dir);
                }
                out.flush();
            }
        }
        return equal ? 0 : SyncmapCommand.EXIT_FAILURE;
    }

    private NodeProcess node(String name, String servers, Path dir) throws IOException {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, String.join("\n",
            "kafka:",
            "  bootstrapServers: " + servers,
            "  topic: demo",
            "  partitions: 4",
            "  nodeId: " + name,
            "  resolver: lww",
            "load:",
            "  keys: " + keys,
            "  rate: " + rate,
            "  valueBytes: 16",
            "statusInterval: 1s",
            ""));
        return new NodeProcess(name, ChildBroker.java("-Xmx256m", SyncmapCommand.class.getName(), "replicate",
            "--config", config.toString(), "--control"), dir.resolve(name + ".log"));
    }

    /** One line a second for {@code n} seconds: each node's lag, published and applied rates, peers. */
    private void live(PrintWriter out, List<NodeProcess> nodes, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            Thread.sleep(1_000);
            StringBuilder b = new StringBuilder();
            for (NodeProcess p : nodes) {
                b.append(b.length() == 0 ? "" : " | ").append(p.name()).append(' ').append(brief(p.status()));
            }
            say(out, b.toString());
        }
    }

    /** A node's status line in short: lag records/ms, published and applied per second, peers. */
    static String brief(String status) {
        Matcher m = STATUS.matcher(status);
        return m.find() ? "lag " + m.group(1) + "/" + m.group(2) + "ms pub " + m.group(3) + "/s app " + m.group(4)
            + "/s peers " + m.group(5) : status;
    }

    private static String keysOf(String digest) {
        Matcher m = Pattern.compile("keys=(\\d+)").matcher(digest);
        return m.find() ? m.group(1) : "?";
    }

    private void say(PrintWriter out, String line) {
        out.printf("[%3ds] %s%n", (System.nanoTime() - startNanos) / 1_000_000_000L, line);
        out.flush();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    /** The shutdown hook's work (Ctrl-C): kill every child at once. */
    private static void killAll(List<NodeProcess> nodes, ChildBroker broker) {
        try {
            for (NodeProcess n : nodes) {
                n.kill();
            }
            if (broker != null) {
                broker.kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
