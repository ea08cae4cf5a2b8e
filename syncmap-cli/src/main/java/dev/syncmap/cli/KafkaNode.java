package dev.syncmap.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import dev.syncmap.copy.Codec;
import dev.syncmap.copy.Codecs;
import dev.syncmap.kafka.ChangelogTopic;
import dev.syncmap.kafka.ReplicatedMap;
import dev.syncmap.replicate.ConflictResolver;
import dev.syncmap.replicate.MetricsExport;
import dev.syncmap.replicate.PnCount;
import dev.syncmap.replicate.ReplicationConfig;
import dev.syncmap.replicate.Replicator;
import dev.syncmap.replicate.Resolvers;

/**
 * One Kafka node of {@code syncmap replicate} ({@link NodeConfig.Kafka}): a {@link ReplicatedMap} with string keys,
 * an optional built-in load, a status line and the commands of the pause-and-compare oracle ({@link #pause},
 * {@link #digest}). Values are strings for last-writer-wins and latest-update, {@code Long} for {@code g-counter},
 * {@link PnCount} for {@code pn-counter}.
 *
 * <p><b>Implementation notes.</b> The load runs on its own daemon thread and writes the node's map only; the
 * status line and the commands read the node's thread-safe counters and views. {@link #ownTotal} sums the deltas
 * this incarnation merged into its counters: once {@link #pause} has returned (load stopped, every write
 * acknowledged by Kafka), it is this incarnation's exact contribution to the counters' sum. Not thread-safe for
 * concurrent {@link #pause}/{@link #resume} calls (one control thread calls them).
 *
 * @param <V> the type of values
 */
final class KafkaNode<V> implements AutoCloseable {

    /** Encodes a {@link PnCount} as its two totals. */
    static final Codec<PnCount> PN_COUNT = Codec.of("syncmap.pn-count", (v, out) -> {
        out.writeLong(v.increments());
        out.writeLong(v.decrements());
    }, in -> new PnCount(in.readLong(), in.readLong()));

    private static final Duration CAUGHT_UP = Duration.ofSeconds(60);

    private final NodeConfig.Kafka config;
    private final ValueKind<V> kind;
    private final ReplicatedMap<String, V> node;
    /** The Prometheus endpoint, or null. */
    private final MetricsExport metrics;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong ownTotal = new AtomicLong();
    private Thread load;
    private volatile boolean loadStopped;
    private long lastPublished;
    private long lastApplied;
    private long lastNanos;
    private volatile long readyMillis;

    private KafkaNode(NodeConfig.Kafka config, ValueKind<V> kind, java.nio.file.Path spill) throws IOException {
        this.config = config;
        this.kind = kind;
        this.metrics = config.metricsPort() == 0 ? null : MetricsExport.start(new ReplicationConfig.Metrics(
            new ReplicationConfig.Prometheus(true, "0.0.0.0", config.metricsPort(), "/metrics"),
            ReplicationConfig.Otlp.DEFAULT, ReplicationConfig.KeyMetrics.DEFAULT), config.nodeId());
        ReplicatedMap.Builder<String, V> b = ReplicatedMap.<String, V>builder()
            .bootstrapServers(config.bootstrapServers())
            .topic(new ChangelogTopic(config.topic(), config.partitions(), config.replicationFactor()))
            .nodeId(config.nodeId()).keyCodec(Codecs.STRING).valueCodec(kind.codec()).resolver(kind.resolver())
            .setupTimeout(config.setupTimeout());
        if (spill != null) {
            b.spillDirectory(spill);
        }
        if (metrics != null) {
            b.meterRegistry(metrics.registry());
        }
        this.node = b.build();
    }

    /**
     * Builds a node (not started) for the configuration's resolver.
     *
     * @param config the kafka section
     * @param spill the publisher's spill directory, or null
     * @return the node
     * @throws IOException if the metrics endpoint cannot bind its port (the message names it)
     */
    static KafkaNode<?> create(NodeConfig.Kafka config, java.nio.file.Path spill) throws IOException {
        switch (config.resolver()) {
            case "g-counter":
                return new KafkaNode<>(config, ValueKind.gCounter(), spill);
            case "pn-counter":
                return new KafkaNode<>(config, ValueKind.pnCounter(), spill);
            default:
                return new KafkaNode<>(config, ValueKind.strings(config.resolver()), spill);
        }
    }

    /**
     * Connects and waits until the view holds everything the topic held.
     *
     * @param readyTimeout the longest wait for the view
     * @throws IOException if the spill cannot be opened
     * @throws InterruptedException if interrupted
     * @throws dev.syncmap.kafka.KafkaSetupException if Kafka does not answer or the topic is refused
     * @throws IllegalStateException if the view is not ready in time
     */
    void start(Duration readyTimeout) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        node.start();
        if (!node.awaitReady(readyTimeout)) {
            throw new IllegalStateException("node " + config.nodeId() + ": the view did not read topic "
                + config.topic() + " within " + readyTimeout);
        }
        readyMillis = (System.nanoTime() - t0) / 1_000_000;
        synchronized (this) {
            lastNanos = System.nanoTime();
            lastPublished = published();
            lastApplied = node.applier().appliedRecords();
        }
    }

    /** Returns how long {@link #start} took: connecting, and reading the topic into the view. */
    long readyMillis() {
        return readyMillis;
    }

    /** Returns the Prometheus scrape address, or null without a metrics port. */
    java.net.URI metricsUri() {
        return metrics == null ? null : metrics.scrapeUri();
    }

    /** Returns the node. */
    ReplicatedMap<String, V> map() {
        return node;
    }

    /** Returns the topic's name. */
    String topic() {
        return config.topic();
    }

    /**
     * Starts the built-in load (no-op if it runs): {@code load.rate()} changes a second over {@code load.keys()}
     * keys; last-writer-wins: nine puts in ten and one removal; counters: merges of small deltas.
     *
     * @param l the load
     */
    synchronized void startLoad(NodeConfig.Load l) {
        if (load != null) {
            return;
        }
        loadStopped = false;
        load = new Thread(() -> runLoad(l), "syncmap-kafka-load-" + config.topic());
        load.setDaemon(true);
        load.start();
    }

    private void runLoad(NodeConfig.Load l) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long start = System.nanoTime();
        long done = 0;
        while (!loadStopped) {
            long due = (System.nanoTime() - start) * l.rate() / 1_000_000_000L;
            for (; done < due && !loadStopped; done++) {
                ownTotal.addAndGet(kind.write(node, "key-" + r.nextInt(l.keys()), l.valueBytes(), r));
                written.incrementAndGet();
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return; // stopLoad() interrupts: the load ends
            }
        }
    }

    /** Stops the load and waits for its thread. */
    synchronized void stopLoad() throws InterruptedException {
        if (load == null) {
            return;
        }
        loadStopped = true;
        load.interrupt();
        load.join();
        load = null;
    }

    /**
     * Stops the load and waits until every write of this node is acknowledged by Kafka and applied back.
     *
     * @return {@code PAUSED <topic> written=<changes> own=<this incarnation's counter total>}
     * @throws InterruptedException if interrupted
     * @throws IllegalStateException if not caught up within a minute
     */
    String pause() throws InterruptedException {
        stopLoad();
        awaitCaughtUp();
        return "PAUSED " + config.topic() + " written=" + written.get() + " own=" + ownTotal.get();
    }

    /**
     * Waits until caught up (every node paused first: then the view holds everything) and describes the view.
     *
     * @return {@code DIGEST <topic> keys=<n> total=<counter sum> sha256=<hex of the sorted entries>}
     * @throws InterruptedException if interrupted
     */
    String digest() throws InterruptedException {
        awaitCaughtUp();
        Map<String, V> view = new TreeMap<>(node.snapshot());
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        long total = 0;
        for (Map.Entry<String, V> e : view.entrySet()) {
            sha.update((e.getKey() + '=' + e.getValue() + '\n').getBytes(StandardCharsets.UTF_8));
            total += kind.total(e.getValue());
        }
        return "DIGEST " + config.topic() + " keys=" + view.size() + " total=" + total + " sha256="
            + HexFormat.of().formatHex(sha.digest());
    }

    private void awaitCaughtUp() throws InterruptedException {
        if (!node.awaitCaughtUp(CAUGHT_UP)) {
            throw new IllegalStateException("node " + config.nodeId() + ", topic " + config.topic()
                + ": not caught up within " + CAUGHT_UP + " (lag " + node.applier().lagRecords() + " records)");
        }
    }

    /**
     * One status line: lag, published and applied changes a second since the last line, peers (distinct node
     * ids whose records were applied), view size. Call from one thread.
     *
     * @param seconds seconds since the start
     * @return the line
     */
    synchronized String statusLine(long seconds) {
        long now = System.nanoTime();
        long pub = published();
        long app = node.applier().appliedRecords();
        double secs = Math.max(1, now - lastNanos) / 1e9;
        String line = String.format("[%5ds] %s/%s: lag %,d rec / %,d ms | published %,.0f/s | applied %,.0f/s"
                + " | peers %d | view %,d keys", seconds, config.nodeId(), config.topic(),
            node.applier().lagRecords(), node.applier().lagMillis(System.currentTimeMillis()),
            (pub - lastPublished) / secs, (app - lastApplied) / secs, peers(), node.view().size());
        lastNanos = now;
        lastPublished = pub;
        lastApplied = app;
        return line;
    }

    /** Revisions of this node's writes that Kafka has acknowledged. */
    private long published() {
        Replicator<String, V> p = node.publisher();
        if (p == null) {
            return 0;
        }
        List<Replicator.SinkStatus> sinks = p.status().sinks();
        return sinks.isEmpty() ? 0 : sinks.get(0).appliedRevision();
    }

    /** Distinct node ids (an origin is {@code nodeId.<incarnation>}) among the origins applied. */
    private int peers() {
        Set<String> ids = new HashSet<>();
        for (String origin : node.applier().originsSeen()) {
            int dot = origin.indexOf('.');
            ids.add(dot < 0 ? origin : origin.substring(0, dot));
        }
        return ids.size();
    }

    /** Returns whether the publisher failed. */
    boolean failed() {
        Replicator<String, V> p = node.publisher();
        return (p != null && p.status().state() == Replicator.State.FAILED) || node.applier().failure() != null;
    }

    /** Describes the failure, if any. */
    String failure() {
        Replicator<String, V> p = node.publisher();
        Throwable t = p == null ? null : p.status().failure();
        return String.valueOf(t != null ? t : node.applier().failure());
    }

    /** Stops the load, then the node (publishing what is queued, up to 30 s). */
    @Override
    public void close() {
        try {
            stopLoad();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the load thread was told to stop; closing goes on
        } finally {
            try {
                node.close();
            } finally {
                if (metrics != null) {
                    metrics.close();
                }
            }
        }
    }

    /**
     * What the values of a node are: their codec, the resolver, how the load writes one, what a value adds to the
     * counters' total.
     *
     * @param <V> the type of values
     */
    private interface ValueKind<V> {
        Codec<V> codec();

        ConflictResolver<String, V> resolver();

        /** Writes one change; returns the delta added to this node's counter total (0 for strings). */
        long write(ReplicatedMap<String, V> n, String key, int valueBytes, ThreadLocalRandom r);

        long total(V value);

        static ValueKind<String> strings(String resolver) {
            ConflictResolver<String, String> res = Resolvers.byClassName(resolver);
            return new ValueKind<>() {
                public Codec<String> codec() {
                    return Codecs.STRING;
                }

                public ConflictResolver<String, String> resolver() {
                    return res;
                }

                public long write(ReplicatedMap<String, String> n, String key, int valueBytes, ThreadLocalRandom r) {
                    if (r.nextInt(10) == 0) {
                        n.remove(key);
                    } else {
                        n.put(key, String.valueOf((char) ('a' + r.nextInt(26))).repeat(valueBytes));
                    }
                    return 0;
                }

                public long total(String value) {
                    return 0;
                }
            };
        }

        static ValueKind<Long> gCounter() {
            return new ValueKind<>() {
                public Codec<Long> codec() {
                    return Codecs.LONG;
                }

                public ConflictResolver<String, Long> resolver() {
                    return Resolvers.gCounter();
                }

                public long write(ReplicatedMap<String, Long> n, String key, int valueBytes, ThreadLocalRandom r) {
                    long delta = 1 + r.nextInt(3);
                    n.merge(key, delta, Long::sum);
                    return delta;
                }

                public long total(Long value) {
                    return value;
                }
            };
        }

        static ValueKind<PnCount> pnCounter() {
            return new ValueKind<>() {
                public Codec<PnCount> codec() {
                    return PN_COUNT;
                }

                public ConflictResolver<String, PnCount> resolver() {
                    return Resolvers.pnCounter();
                }

                public long write(ReplicatedMap<String, PnCount> n, String key, int valueBytes, ThreadLocalRandom r) {
                    long delta = r.nextInt(4) - 1; // -1, 0, +1, +2
                    if (delta == 0) {
                        delta = 1;
                    }
                    n.merge(key, PnCount.of(delta), PnCount::plus);
                    return delta;
                }

                public long total(PnCount value) {
                    return value.value();
                }
            };
        }
    }
}
