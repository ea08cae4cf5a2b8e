package dev.syncmap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;

import dev.syncmap.copy.Codecs;
import dev.syncmap.kafka.ChangelogFormat;
import dev.syncmap.kafka.ChangelogTopic;
import dev.syncmap.kafka.CodecSerde;
import dev.syncmap.kafka.ReplicatedMap;
import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.HybridLogicalClock;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * How fast a map is ready from a compacted Kafka topic, and how fast it applies updates once running: a one-shot
 * harness (each contender reads the same topic once, in one process, one after another), not JMH, because a
 * restore is a single long operation whose first run is the one that matters.
 *
 * <p>One in-process KRaft broker ({@code KafkaClusterTestKit}, logs in a temporary directory); a compacted topic
 * of {@code --keys} keys with values of {@code --value-bytes} bytes as encoded (the syncmap changelog format:
 * {@link ChangelogFormat} records with a 4-byte length and UTF-8 text, so every contender reads the same bytes),
 * over {@code --partitions} partitions. Time until ready, from creating the client to holding every key:
 * <ol>
 *   <li>{@code plain-consumer}: a {@link KafkaConsumer} assigned every partition (the fetch sizes and records per
 *   poll of the node's applier), reading to the end offsets into
 *   a {@link HashMap} (key decoded to a String, value kept as bytes): the floor;</li>
 *   <li>{@code globalktable-default}: Kafka Streams, a topology of one {@code GlobalKTable} with default
 *   settings (RocksDB store, record cache on); {@code start()} returns after the restore;</li>
 *   <li>{@code globalktable-tuned}: the same with {@code global.consumer.fetch.max.wait.ms=10}, 16 MiB partition
 *   fetches, 64 MiB fetches, 10,000 records per poll and the record cache off;</li>
 *   <li>{@code replicatedmap}: {@link ReplicatedMap#start} then {@link ReplicatedMap#awaitReady}, from the topic;</li>
 *   <li>{@code replicatedmap-snapshot}: the same node started again from the snapshot file it saved on close.</li>
 * </ol>
 * Then the steady state: a producer writes {@code --updates} updates of random existing keys as fast as it can,
 * then one sentinel per partition, while a running node applies them; the apply rate is the records written
 * over the time from the producer's start until the node shows every sentinel. If that time is barely longer
 * than the producer's own, the producer was the limit and the rate is a lower bound ({@code producerBound}).
 *
 * <p>Writes JSON (schema {@code syncmap-kafka-restore/1}) to {@code --out}. Run it with
 * {@code java -Xmx6g -cp syncmap-bench/target/benchmarks.jar dev.syncmap.bench.KafkaRestoreBenchmark
 * --keys 1000000 --out docs/benchmarks-data/kafka-restore-1m.json}.
 */
public final class KafkaRestoreBenchmark {

    static final String TOPIC = "restore";
    /** Keys and values in the changelog format's encoding: a 4-byte length, then UTF-8. */
    private static final CodecSerde<String> KEYS = new CodecSerde<>(Codecs.STRING);
    private static final Duration READY = Duration.ofMinutes(10);

    private final Options options;
    private final Path work;
    private final String servers;
    private final Map<String, Object> results = new LinkedHashMap<>();

    /** Command-line options, with the defaults of issue 10. */
    record Options(int keys, int valueBytes, int partitions, int updates, int rounds, Path out) {

        static Options parse(String... args) {
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("expected --name value, got " + args[i]);
                }
                m.put(args[i].substring(2), args[i + 1]);
            }
            if (args.length % 2 != 0) {
                throw new IllegalArgumentException("option " + args[args.length - 1] + " has no value");
            }
            int keys = Integer.parseInt(m.getOrDefault("keys", "1000000"));
            return new Options(keys, Integer.parseInt(m.getOrDefault("value-bytes", "100")),
                Integer.parseInt(m.getOrDefault("partitions", "4")),
                Integer.parseInt(m.getOrDefault("updates", Integer.toString(Math.max(1_000, keys / 2)))),
                Integer.parseInt(m.getOrDefault("rounds", "3")), Path.of(m.getOrDefault("out", "kafka-restore.json")));
        }
    }

    private KafkaRestoreBenchmark(Options options, Path work, String servers) {
        this.options = options;
        this.work = work;
        this.servers = servers;
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code --keys N --value-bytes B --partitions P --updates U --out FILE}
     * @throws Exception if the broker or a contender fails
     */
    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Map<String, Object> r = run(o);
        System.out.println(Json.write(r));
    }

    /**
     * Runs the benchmark and writes its JSON to {@code options.out()}.
     *
     * @param o the options
     * @return the results, as written
     * @throws Exception if the broker or a contender fails
     */
    static Map<String, Object> run(Options o) throws Exception {
        checkWritable(o.out());
        Path work = Files.createTempDirectory("kbench-restore-");
        try {
            TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBaseDirectory(work.resolve("kafka")).build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0").build();
            try {
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
                KafkaRestoreBenchmark b = new KafkaRestoreBenchmark(o, work, cluster.bootstrapServers());
                b.measure();
                Files.writeString(o.out(), Json.write(b.results) + "\n");
                return b.results;
            } finally {
                cluster.close();
            }
        } finally {
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /* ---------------- The run ---------------- */

    private void measure() throws Exception {
        results.put("schema", "syncmap-kafka-restore/1");
        results.put("environment", environment());
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("keys", options.keys());
        opts.put("valueBytes", options.valueBytes());
        opts.put("partitions", options.partitions());
        opts.put("updates", options.updates());
        opts.put("rounds", options.rounds());
        opts.put("broker", "1 KRaft broker in the same JVM (KafkaClusterTestKit), kafka " + kafkaVersion());
        results.put("options", opts);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, options.partitions(), (short) 1)
                .configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        long t = System.nanoTime();
        produce(options.keys(), null, new SplittableRandom(1));
        results.put("fillSeconds", seconds(t));

        Map<String, List<Timed>> rounds = new LinkedHashMap<>();
        Path file = work.resolve("node.snapshot");
        for (int round = 0; round < options.rounds(); round++) {
            add(rounds, "plain-consumer", plainConsumer());
            add(rounds, "globalktable-default", globalTableRestore(false));
            add(rounds, "globalktable-tuned", globalTableRestore(true));
            add(rounds, "replicatedmap", replicatedMapRestore(file, false));
            add(rounds, "replicatedmap-snapshot", replicatedMapRestore(file, true));
        }
        results.put("snapshotFileBytes", Files.size(file));
        List<Map<String, Object>> restore = new ArrayList<>();
        rounds.forEach((contender, timed) -> restore.add(row(contender, timed)));
        double plain = (double) restore.get(0).get("seconds");
        double gkt = (double) restore.get(1).get("seconds");
        for (Map<String, Object> row : restore) {
            row.put("ratioToGlobalKTableDefault", round((double) row.get("seconds") / gkt));
            row.put("ratioToPlainConsumer", round((double) row.get("seconds") / plain));
        }
        results.put("restore", restore);

        List<Map<String, Object>> steady = new ArrayList<>();
        steady.add(replicatedMapSteady(file));
        steady.add(globalTableSteady());
        results.put("steady", steady);
        results.put("steadyRatioReplicatedMapToGlobalKTableTuned",
            round((double) steady.get(0).get("recordsPerSecond") / (double) steady.get(1).get("recordsPerSecond")));
    }

    private static void add(Map<String, List<Timed>> rounds, String contender, Timed t) {
        rounds.computeIfAbsent(contender, c -> new ArrayList<>()).add(t);
    }

    /** A contender's row: the median of its rounds, every round's time, and the entries it held. */
    private static Map<String, Object> row(String contender, List<Timed> timed) {
        List<Double> seconds = timed.stream().map(Timed::seconds).toList();
        List<Double> sorted = seconds.stream().sorted().toList();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("contender", contender);
        row.put("seconds", sorted.get(sorted.size() / 2));
        row.put("rounds", seconds);
        row.put("entries", timed.get(timed.size() - 1).entries());
        return row;
    }

    /** A measured time and the entries held at its end. */
    record Timed(double seconds, long entries) {}

    /* ---------------- Contenders ---------------- */

    private Timed plainConsumer() {
        long t = System.nanoTime();
        Map<String, byte[]> map = new HashMap<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000); // the node's applier's settings
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 32 << 20);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(TOPIC).forEach(i -> parts.add(new TopicPartition(TOPIC, i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    map.put(KEYS.deserialize(TOPIC, r.key()), r.value());
                }
            }
        }
        return new Timed(seconds(t), map.size());
    }

    private Timed globalTableRestore(boolean tuned) throws Exception {
        long t = System.nanoTime();
        try (GlobalTable g = GlobalTable.start(servers, work, tuned)) {
            double s = seconds(t);
            return new Timed(s, g.store().approximateNumEntries());
        }
    }

    private Timed replicatedMapRestore(Path file, boolean fromSnapshot) throws Exception {
        if (!fromSnapshot) {
            Files.deleteIfExists(file); // the last round's
        }
        long t = System.nanoTime();
        try (ReplicatedMap<String, String> node = node(file)) {
            node.start();
            if (!node.awaitReady(READY)) {
                throw new IllegalStateException("node not ready within " + READY);
            }
            double s = seconds(t);
            if (node.restoredFromSnapshot() != fromSnapshot) {
                throw new IllegalStateException("expected restoredFromSnapshot " + fromSnapshot);
            }
            long n = node.view().size();
            if (!fromSnapshot) {
                long save = System.nanoTime();
                node.saveSnapshot();
                results.put("snapshotSaveSeconds", seconds(save)); // the last round's
            }
            return new Timed(s, n);
        }
    }

    private ReplicatedMap<String, String> node(Path file) {
        return ReplicatedMap.<String, String>builder().bootstrapServers(servers)
            .topic(new ChangelogTopic(TOPIC, options.partitions(), (short) 1)).nodeId("bench")
            .keyCodec(Codecs.STRING).valueCodec(Codecs.STRING).snapshotFile(file).build();
    }

    private Map<String, Object> replicatedMapSteady(Path file) throws Exception {
        try (ReplicatedMap<String, String> node = node(file)) {
            node.start();
            if (!node.awaitReady(READY)) {
                throw new IllegalStateException("node not ready within " + READY);
            }
            return steady("replicatedmap", key -> node.get(key) != null);
        }
    }

    private Map<String, Object> globalTableSteady() throws Exception {
        try (GlobalTable g = GlobalTable.start(servers, work, true)) {
            ReadOnlyKeyValueStore<byte[], byte[]> store = g.store();
            return steady("globalktable-tuned", key -> store.get(KEYS.serialize(TOPIC, key)) != null);
        }
    }

    /** Writes the updates and the sentinels, and waits until {@code holds} sees every sentinel. */
    private Map<String, Object> steady(String contender, Predicate<String> holds) throws Exception {
        List<String> sentinels = new ArrayList<>();
        for (int p = 0; p < options.partitions(); p++) {
            sentinels.add("sentinel-" + contender + "-" + p);
        }
        producerReady = new CountDownLatch(1);
        Thread producer = new Thread(() -> produce(options.updates(), sentinels, new SplittableRandom(7)),
            "kbench-steady-producer");
        AtomicReference<Throwable> failed = new AtomicReference<>();
        producer.setUncaughtExceptionHandler((th, e) -> {
            failed.set(e);
            producerReady.countDown();
        });
        producer.start();
        producerReady.await();
        long t = System.nanoTime();
        for (String s : sentinels) {
            while (!holds.test(s)) {
                if (failed.get() != null) {
                    throw new IllegalStateException("the producer failed", failed.get());
                }
                if (seconds(t) > READY.toSeconds()) {
                    throw new IllegalStateException(contender + " did not apply the updates within " + READY);
                }
                Thread.sleep(1);
            }
        }
        double applied = seconds(t);
        producer.join();
        if (failed.get() != null) {
            throw new IllegalStateException("the producer failed", failed.get());
        }
        double produced = lastProduceSeconds;
        Map<String, Object> row = new LinkedHashMap<>();
        long records = options.updates() + sentinels.size();
        row.put("contender", contender);
        row.put("records", records);
        row.put("producerSeconds", round(produced));
        row.put("appliedSeconds", round(applied));
        row.put("recordsPerSecond", round(records / applied));
        row.put("producerRecordsPerSecond", round(records / produced));
        row.put("producerBound", applied < produced * 1.1);
        return row;
    }

    /** Opened when {@link #produce} starts sending (its records encoded, its producer connected). */
    private volatile CountDownLatch producerReady = new CountDownLatch(1);
    /** Seconds the last {@link #produce} took, until its last record was acknowledged. */
    private volatile double lastProduceSeconds;

    /**
     * Writes keys {@code [0, count)} in order, or with {@code sentinels} {@code count} updates of random existing
     * keys and then one sentinel per partition; waits for every acknowledgement.
     */
    private void produce(int count, List<String> sentinels, SplittableRandom random) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        HybridLogicalClock clock = new HybridLogicalClock(Duration.ofSeconds(1));
        String origin = sentinels == null ? "loader" : "updater-" + sentinels.get(0);
        String filler = "v".repeat(Math.max(0, options.valueBytes() - Integer.BYTES - 12));
        // the records are encoded before the clock starts: the producer's time is its sending only
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(count + 8);
        for (int i = 0; i < count; i++) {
            int k = sentinels == null ? i : random.nextInt(options.keys());
            String value = String.format(Locale.ROOT, "%012d", i) + filler;
            records.add(ChangelogFormat.toRecord(TOPIC, change(origin, i + 1, clock.now(), key(k), value), KEYS,
                KEYS));
        }
        if (sentinels != null) {
            for (int i = 0; i < sentinels.size(); i++) {
                ProducerRecord<byte[], byte[]> r = ChangelogFormat.toRecord(TOPIC,
                    change(origin, count + i + 1, clock.now(), sentinels.get(i), "done"), KEYS, KEYS);
                records.add(new ProducerRecord<>(TOPIC, i, r.timestamp(), r.key(), r.value(), r.headers()));
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producerReady.countDown();
            long t = System.nanoTime();
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r);
            }
            producer.flush();
            lastProduceSeconds = seconds(t);
        }
    }

    private static Envelope<String, String> change(String origin, long revision, long stamp, String key,
                                                   String value) {
        return new Envelope<>(Envelope.Kind.CHANGE, origin, revision, stamp, key, value, true, Envelope.NO_EXPIRY);
    }

    static String key(int k) {
        return String.format(Locale.ROOT, "key-%09d", k);
    }

    /* ---------------- Kafka Streams ---------------- */

    /** A Kafka Streams application of one global table over the topic, started and restored. */
    private static final class GlobalTable implements AutoCloseable {
        private static final java.util.concurrent.atomic.AtomicInteger INSTANCES =
            new java.util.concurrent.atomic.AtomicInteger();
        private final KafkaStreams streams;
        private final String storeName;

        private GlobalTable(KafkaStreams streams, String storeName) {
            this.streams = streams;
            this.storeName = storeName;
        }

        static GlobalTable start(String servers, Path work, boolean tuned) throws Exception {
            String id = "kbench-gkt-" + INSTANCES.getAndIncrement();
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
            p.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("streams").toString());
            if (tuned) {
                p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
                p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 16 << 20);
                p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), 64 << 20);
                p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 10_000);
                p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
            }
            StreamsBuilder b = new StreamsBuilder();
            String store = id + "-store";
            b.globalTable(TOPIC, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()),
                Materialized.<byte[], byte[], KeyValueStore<Bytes, byte[]>>as(store));
            KafkaStreams streams = new KafkaStreams(b.build(), p);
            boolean ok = false;
            try {
                streams.start(); // a topology of only a global table: returns after the restore
                long deadline = System.nanoTime() + READY.toNanos();
                while (streams.state() != KafkaStreams.State.RUNNING) {
                    if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
                        throw new IllegalStateException("Kafka Streams " + id + " is " + streams.state());
                    }
                    Thread.sleep(1);
                }
                ok = true;
                return new GlobalTable(streams, store);
            } finally {
                if (!ok) {
                    streams.close();
                }
            }
        }

        ReadOnlyKeyValueStore<byte[], byte[]> store() {
            return streams.store(StoreQueryParameters.fromNameAndType(storeName,
                QueryableStoreTypes.<byte[], byte[]>keyValueStore()));
        }

        @Override
        public void close() {
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
    }

    /* ---------------- Output ---------------- */

    private static Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("jdk", System.getProperty("java.version"));
        env.put("jvm", System.getProperty("java.vm.name"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("arch", System.getProperty("os.arch"));
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        env.put("date", Instant.now().toString());
        return env;
    }

    private static String kafkaVersion() {
        return org.apache.kafka.common.utils.AppInfoParser.getVersion();
    }

    private static double seconds(long startNanos) {
        return round((System.nanoTime() - startNanos) / 1e9);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** The few JSON shapes the results use: maps, lists, strings, numbers, booleans. */
    static final class Json {
        private Json() {}

        static String write(Object o) {
            StringBuilder sb = new StringBuilder();
            write(o, sb, "");
            return sb.toString();
        }

        private static void write(Object o, StringBuilder sb, String indent) {
            if (o instanceof Map<?, ?> m) {
                sb.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(indent).append("  ");
                    string(String.valueOf(e.getKey()), sb);
                    sb.append(": ");
                    write(e.getValue(), sb, indent + "  ");
                    sb.append(++i < m.size() ? ",\n" : "\n");
                }
                sb.append(indent).append('}');
            } else if (o instanceof List<?> l) {
                sb.append("[\n");
                for (int i = 0; i < l.size(); i++) {
                    sb.append(indent).append("  ");
                    write(l.get(i), sb, indent + "  ");
                    sb.append(i + 1 < l.size() ? ",\n" : "\n");
                }
                sb.append(indent).append(']');
            } else if (o instanceof Number || o instanceof Boolean) {
                sb.append(o);
            } else if (o == null) {
                sb.append("null");
            } else {
                string(o.toString(), sb);
            }
        }

        private static void string(String s, StringBuilder sb) {
            sb.append('"');
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20) {
                    sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            sb.append('"');
        }
    }

    /** Fails before the long run if the output's directory is missing. */
    static void checkWritable(Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("no directory for " + out);
        }
    }
}
