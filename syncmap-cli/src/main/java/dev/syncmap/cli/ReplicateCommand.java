package dev.syncmap.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.syncmap.VersionedMap;
import dev.syncmap.copy.Codecs;
import dev.syncmap.redis.RedisReplicaReader;
import dev.syncmap.redis.RedisSink;
import dev.syncmap.redis.RedisSinkException;
import dev.syncmap.replicate.ConfigException;
import dev.syncmap.replicate.MapReplicaSink;
import dev.syncmap.replicate.Replicator;
import dev.syncmap.replicate.Sink;
import dev.syncmap.replicate.SinkProtection;
import dev.syncmap.replicate.SinkProtectionStatus;
import dev.syncmap.replicate.VersionedMapSource;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syncmap replicate --config node.yaml}: runs one replication node ({@link NodeConfig}): a local
 * {@link VersionedMap}, optionally written by a built-in load generator, replicated into the configured sinks with
 * the circuit breaker on (and the durable spill if the file names a directory). Prints one status line per
 * interval (source revision and rate, each sink's lag, breaker state and spill); stops cleanly on Ctrl-C or after
 * {@code --duration}: the load stops, the replicator drains what it had and checkpoints it, and each sink is
 * compared with the source once more.
 *
 * <p>With a {@code kafka} section the node is a {@link KafkaNode}: a {@code ReplicatedMap} on the changelog topic,
 * the load writing it, one status line per interval (lag in records and milliseconds, published and applied changes
 * a second, peers, view size); Ctrl-C or {@code --duration} closes the node (its queued writes are published
 * first). With {@code --control} it also reads {@link NodeControl} commands on standard input.
 *
 * <p>Exit status: 0 after a clean stop; 1 if the replicator failed (or Kafka could not be set up); 2 for a
 * configuration that is refused (one line naming the field).
 */
@Command(name = "replicate", mixinStandardHelpOptions = true,
        description = "Runs a replication node: a local map (optionally written by a built-in load) replicated into"
            + " the sinks of its configuration (redis, map), or a Kafka node (a 'kafka' section); Ctrl-C stops it"
            + " cleanly.")
public final class ReplicateCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the node's YAML configuration")
    private Path config;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "stop after this long (500ms, 30s, 5m, 1h); default: run until Ctrl-C")
    private String duration;

    @Option(names = "--control", hidden = true,
            description = "Kafka node: read pause/resume/digest/stop commands on standard input (demo and tests)")
    private boolean control;

    /** How long a Kafka node may take to read its topic at start. */
    private static final Duration READY = Duration.ofMinutes(2);

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        NodeConfig node;
        List<Sink<String, String>> sinks = new ArrayList<>();
        Duration limit;
        try {
            node = NodeConfig.load(config);
            limit = duration == null ? null : NodeConfig.duration("--duration", duration);
            for (NodeConfig.Sink s : node.sinks()) {
                sinks.add(NodeSinks.create(s));
            }
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config: no such file: " + config);
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config " + config + ": " + e.getMessage());
        }
        for (Sink<String, String> s : sinks) {
            if (s instanceof RedisSink<String, String> r) {
                try {
                    r.verify();
                    out.println("sink " + r.name() + ": Redis at " + r.address() + " is reachable; keys under '"
                        + r.keyPrefix() + "'");
                } catch (RedisSinkException e) {
                    out.println(e.getMessage() + "; starting anyway: its batches wait (breaker, spill) until Redis"
                        + " is reachable");
                }
            }
        }
        out.flush();
        if (node.kafka() != null) {
            return runKafka(node, limit, out);
        }
        String origin = node.replication().origin() != null ? node.replication().origin() : node.replication().name();
        VersionedMap<String, String> map = VersionedMap.<String, String>builder().historyCount(1 << 20).build();
        Replicator.Builder<String, String> b = node.replication()
            .builder(new VersionedMapSource<>(map, origin), sinks, null).protection(SinkProtection.defaults());
        if (node.spill() != null) {
            b.spillDirectory(node.spill()).keyCodec(Codecs.STRING).valueCodec(Codecs.STRING);
        }
        StopSignal stop = StopSignal.install();
        Replicator.State end;
        try (stop; Replicator<String, String> rep = b.build()) {
            rep.start();
            out.println("node " + origin + ": replicating into " + sinks.size() + " sink(s)"
                + (node.load() == null ? "" : "; load " + node.load().rate() + " changes/s over " + node.load().keys()
                + " keys") + (limit == null ? "; Ctrl-C stops" : "; stopping after " + duration));
            out.flush();
            end = run(rep, map, node, limit, stop, out);
            rep.stop(Replicator.StopMode.DRAIN, Duration.ofSeconds(20));
            out.println();
            out.println("stopped: " + rep.status().state() + ", source revision " + map.revision());
            verdicts(map, sinks, out);
        } finally {
            for (Sink<String, String> s : sinks) {
                s.close();
            }
            out.flush();
        }
        return end == Replicator.State.FAILED ? SyncmapCommand.EXIT_FAILURE : 0;
    }

    /** A Kafka node: start, read the topic, load, status lines until Ctrl-C, the time limit, stop or a failure. */
    private int runKafka(NodeConfig node, Duration limit, PrintWriter out) throws IOException, InterruptedException {
        NodeConfig.Kafka k = node.kafka();
        StopSignal stop = StopSignal.install();
        try (stop; KafkaNode<?> kn = KafkaNode.create(k, node.spill())) {
            out.println("node " + k.nodeId() + ": Kafka at " + k.bootstrapServers() + ", topic " + k.topic() + " ("
                + k.resolver() + "); reading the topic ..."
                + (kn.metricsUri() == null ? "" : "; metrics at " + kn.metricsUri()));
            out.flush();
            kn.start(READY);
            long uptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
            out.println("READY " + k.nodeId() + " ms=" + uptime + " readMs=" + kn.readyMillis() + " keys="
                + kn.map().view().size() + " origin=" + kn.map().origin()
                + (limit == null ? (control ? "" : "; Ctrl-C stops") : "; stopping after " + duration));
            out.flush();
            if (node.load() != null) {
                kn.startLoad(node.load());
            }
            if (control) {
                NodeControl.serve(List.of(kn), node.load(), new java.io.BufferedReader(new java.io.InputStreamReader(
                    System.in, java.nio.charset.Charset.defaultCharset())), line -> {
                        out.println(line);
                        out.flush();
                    }, stop::signal);
            }
            long start = System.nanoTime();
            boolean terminal = System.console() != null && !control;
            while (!stop.await(node.statusInterval())) {
                String line = kn.statusLine((System.nanoTime() - start) / 1_000_000_000L);
                out.print(terminal ? "\r" + line : line + System.lineSeparator());
                out.flush();
                if (kn.failed()) {
                    out.println();
                    out.println("node failed: " + kn.failure());
                    return SyncmapCommand.EXIT_FAILURE;
                }
                if (limit != null && System.nanoTime() - start >= limit.toNanos()) {
                    break;
                }
            }
            kn.stopLoad();
            out.println();
            out.println("stopping: publishing what is queued, then closing (view " + kn.map().view().size()
                + " keys)");
            out.flush();
        }
        out.println("stopped");
        out.flush();
        return 0;
    }

    /**
     * Ctrl-C (the JVM's shutdown) or a stop command: the shutdown hook signals the loop and holds the JVM until
     * the node has closed (up to 30 s); closing it without a shutdown removes the hook.
     */
    private static final class StopSignal implements AutoCloseable {
        private final CountDownLatch stop = new CountDownLatch(1);
        private final CountDownLatch stopped = new CountDownLatch(1);
        /** Set by the hook: the JVM is shutting down, and the hook cannot be removed any more. */
        private volatile boolean shuttingDown;
        private final Thread hook = new Thread(() -> {
            shuttingDown = true;
            signal();
            try {
                stopped.await(30, TimeUnit.SECONDS); // let the node drain and close before the JVM exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "syncmap-replicate-shutdown");

        static StopSignal install() {
            StopSignal s = new StopSignal();
            Runtime.getRuntime().addShutdownHook(s.hook);
            return s;
        }

        void signal() {
            stop.countDown();
        }

        /** Waits up to {@code d}; true once stopped. */
        boolean await(Duration d) throws InterruptedException {
            return stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            stopped.countDown();
            if (!shuttingDown) { // not stopped by a shutdown: the JVM goes on, the hook must go
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
    }

    /** The load and the status line, until Ctrl-C, the time limit or a failure. */
    private static Replicator.State run(Replicator<String, String> rep, VersionedMap<String, String> map,
                                        NodeConfig node, Duration limit, StopSignal stop, PrintWriter out)
        throws InterruptedException {
        LoadGenerator load = node.load() == null ? null : LoadGenerator.start(map, node.load());
        try {
            long startNanos = System.nanoTime();
            long lastRevision = map.revision();
            long lastNanos = startNanos;
            boolean terminal = System.console() != null;
            while (!stop.await(node.statusInterval())) {
                long now = System.nanoTime();
                long revision = map.revision();
                double rate = (revision - lastRevision) * 1e9 / Math.max(1, now - lastNanos);
                lastRevision = revision;
                lastNanos = now;
                String line = statusLine(rep, (now - startNanos) / 1_000_000_000L, revision, rate);
                if (terminal) {
                    out.print("\r" + line);
                } else {
                    out.println(line);
                }
                out.flush();
                Replicator.State st = rep.status().state();
                if (st == Replicator.State.FAILED) {
                    out.println();
                    out.println("replicator failed: " + rep.status().failure());
                    return st;
                }
                if (limit != null && now - startNanos >= limit.toNanos()) {
                    break;
                }
            }
            return rep.status().state();
        } finally {
            if (load != null) {
                load.close();
            }
        }
    }

    static String statusLine(Replicator<String, String> rep, long seconds, long revision, double rate) {
        StringBuilder b = new StringBuilder(String.format("[%5ds] source rev %,d (%,.0f/s)", seconds, revision, rate));
        Map<String, SinkProtectionStatus> protection = new HashMap<>();
        for (SinkProtectionStatus p : rep.protectionStatus()) {
            protection.put(p.sink(), p);
        }
        for (Replicator.SinkStatus s : rep.status().sinks()) {
            b.append(" | ").append(s.name()).append(": lag ").append(String.format("%,d", s.lagRevisions()));
            SinkProtectionStatus p = protection.get(s.name());
            if (p != null) {
                b.append(", breaker ").append(p.breakerState()).append(", spill ")
                    .append(String.format("%,d", p.spillChanges()));
            }
        }
        return b.toString();
    }

    /** Compares each sink with the source, now that both are still. */
    private static void verdicts(VersionedMap<String, String> map, List<Sink<String, String>> sinks, PrintWriter out)
        throws IOException {
        Map<String, String> source = new HashMap<>(map.snapshot());
        for (Sink<String, String> s : sinks) {
            Map<String, String> replica;
            if (s instanceof RedisSink<String, String> r) {
                try (RedisReplicaReader<String, String> reader = r.reader()) {
                    replica = reader.readAll();
                } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
                    out.println("sink " + s.name() + ": Redis at " + r.address() + " is not reachable to compare ("
                        + e.getMessage() + ")");
                    continue;
                }
            } else if (s instanceof MapReplicaSink<String, String> m) {
                replica = new HashMap<>(m.replica());
            } else {
                continue;
            }
            out.println("sink " + s.name() + ": " + (replica.equals(source) ? "equal to the source ("
                + String.format("%,d", source.size()) + " keys)" : "DIFFERENT from the source (" + source.size()
                + " keys at the source, " + replica.size() + " in the sink; a spill drains on the next start)"));
        }
    }

    /** The built-in writer: puts (nine in ten) and removes over "key-0".."key-(keys-1)", at a rate. */
    private static final class LoadGenerator implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;

        private LoadGenerator(VersionedMap<String, String> map, NodeConfig.Load load) {
            thread = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                char[] chars = new char[load.valueBytes()];
                long start = System.nanoTime();
                long written = 0;
                while (!stop) {
                    long due = (System.nanoTime() - start) * load.rate() / 1_000_000_000L;
                    for (; written < due && !stop; written++) {
                        String key = "key-" + r.nextInt(load.keys());
                        if (r.nextInt(10) == 0) {
                            map.remove(key);
                        } else {
                            java.util.Arrays.fill(chars, (char) ('a' + r.nextInt(26)));
                            map.put(key, new String(chars));
                        }
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return; // close() interrupts: the load ends
                    }
                }
            }, "syncmap-replicate-load");
            thread.setDaemon(true);
        }

        static LoadGenerator start(VersionedMap<String, String> map, NodeConfig.Load load) {
            LoadGenerator g = new LoadGenerator(map, load);
            g.thread.start();
            return g;
        }

        @Override
        public void close() {
            stop = true;
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
