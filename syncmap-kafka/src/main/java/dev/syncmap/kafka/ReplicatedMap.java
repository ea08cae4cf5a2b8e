package dev.syncmap.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

import dev.syncmap.VersionedMap;
import dev.syncmap.VersionedSnapshot;
import dev.syncmap.copy.Codec;
import dev.syncmap.replicate.ConflictResolver;
import dev.syncmap.replicate.HybridLogicalClock;
import dev.syncmap.replicate.MapReplicaSink;
import dev.syncmap.replicate.Replicator;
import dev.syncmap.replicate.ResolutionStats;
import dev.syncmap.replicate.ResolverPolicy;
import dev.syncmap.replicate.Resolvers;
import dev.syncmap.replicate.SinkProtection;
import dev.syncmap.replicate.SinkProtectionStatus;
import dev.syncmap.replicate.VersionedMapSource;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of an active-active map replicated through a Kafka compacted topic: every node writes locally,
 * publishes its writes to the topic, applies everyone's writes from it, and all nodes converge to the same
 * content, decided by the configured {@link ConflictResolver} (last-writer-wins by hybrid logical clock and
 * origin id by default; CRDT counters with {@link Resolvers#pnCounter()} or {@link Resolvers#gCounter()}).
 *
 * <pre>{@code
 * try (ReplicatedMap<String, String> node = ReplicatedMap.<String, String>builder()
 *         .bootstrapServers("kafka:9092").topic(ChangelogTopic.named("sessions")).nodeId("web-1")
 *         .keyCodec(Codecs.STRING).valueCodec(Codecs.STRING).build()) {
 *     node.start();
 *     node.awaitReady(Duration.ofSeconds(30)); // holds everything the topic held at start
 *     node.put("user-7", "eu-west");
 *     String region = node.get("user-7");      // a local read
 * }
 * }</pre>
 *
 * <p><b>Implementation notes.</b> A node is two {@link VersionedMap}s and two threads of work:
 * <ul>
 *   <li>the <b>writes</b> map holds this node's own writes only. A {@link Replicator} reads it through a
 *   {@link VersionedMapSource} (which stamps each revision with the node's {@link HybridLogicalClock}) and
 *   publishes it through a {@link KafkaSink}, with the pipeline's breaker and, if a spill directory is set,
 *   its durable spill while the brokers are unreachable;</li>
 *   <li>the <b>view</b> map is what the node reads. Only the {@link ChangelogApplier} writes it: it reads every
 *   record of the topic, the node's own included, and applies each through a {@link MapReplicaSink} with the
 *   resolver.</li>
 * </ul>
 * Keeping the two apart is how echo is avoided: the applier never writes the map the publisher reads, so a
 * change that came from another node is never published again as this node's; and the view depends on the
 * topic alone, so every node that has read the same records holds the same content, whatever order its local
 * writes happened in. The price: a node's own write becomes visible in its view when it comes back from the
 * log (one produce and one fetch, milliseconds), not at once; {@link #awaitCaughtUp} waits for it.
 *
 * <p><b>Origins.</b> The writes map starts empty in every process and its revisions restart at 1, so each start
 * is a new <i>incarnation</i> with its own origin id, {@code nodeId.<start time and random suffix>}. Appliers
 * recognise replays by (origin, revision), so a restarted node's new writes are never mistaken for the old
 * incarnation's. For counters, each incarnation contributes its own running total; the old incarnation's
 * contribution stays in the topic, so the sum stays exact across restarts.
 *
 * <p><b>Compaction.</b> The topic keeps every key's last record. For last-writer-wins that must be the winner, so
 * a node whose own record lost to an earlier one publishes the winner again ({@link Builder#repairLogOrder});
 * counters key records by (map key, origin) instead ({@link Builder#originInRecordKey}).
 *
 * <p><b>Removal.</b> {@link #remove} publishes a removal even when this node never wrote the key: it first
 * records the value its view holds as its own and then removes it (two revisions, published in order). The
 * removal's tombstone carries its origin and stamp, so it wins or loses last-writer-wins like any write.
 *
 * <p><b>Snapshot file.</b> With {@link Builder#snapshotFile}, {@link #close} (and {@link #saveSnapshot} on demand)
 * saves the applier's state, every key's version (tombstones and other origins' revisions included: what the
 * applier needs to treat replays as duplicates) with the per-partition offsets that state covers, taken between
 * two polls of the applier so the two match; the file is replaced atomically (see {@link NodeSnapshotFile}).
 * {@link #start} loads it, rebuilds the view from it and reads the topic from those offsets on, so a restart
 * reads only what was written since. The file is refused, and the node rebuilds from the whole topic as without
 * a file, if it is truncated or corrupted, of another topic (by name or by Kafka topic id: a topic deleted and
 * created again), another codec, resolver or record-key layout, if its offsets lie outside what the partitions
 * hold now (before the log start: records deleted; past the end: another log), or if it is older than the
 * topic's {@code delete.retention.ms} (a removal written meanwhile may have been compacted away with its
 * tombstone). A refusal is logged at WARN with its reason, counted ({@link #snapshotRejections()}, meter
 * {@code syncmap.kafka.snapshot.rejected}), and the file is moved aside to {@code <file>.rejected}; nothing is
 * lost, since the topic holds everything. A failed applier's state is not saved (the last good file stays).
 *
 * <p><b>Threads.</b> All methods are thread-safe. {@link #get} and {@link #snapshot} read the view at map
 * speed; writes cost a local map write (publishing is asynchronous). Exceptions from a user's merge function
 * propagate to the caller and leave both maps unchanged (the writes map's own guarantee).
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class ReplicatedMap<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedMap.class);

    private final Settings<K, V> settings;
    private final String origin;
    private final VersionedMap<K, V> writes = new VersionedMap<>();
    private final VersionedMap<K, V> view = new VersionedMap<>();
    private final HybridLogicalClock clock;
    private final MapReplicaSink<K, V> replica;
    private final ChangelogApplier<K, V> applier;
    /** Set once by {@link #start} (under this object's lock), read by any thread. */
    private volatile Admin admin;
    /** Set once by {@link #start} (under this object's lock), read by any thread. */
    private volatile Replicator<K, V> publisher;
    private boolean started;
    /** True once the applier runs: only then is there a state worth saving (under this object's lock). */
    private boolean applying;
    /** True once close() has saved the snapshot file (under this object's lock). */
    private boolean savedOnClose;
    /** The topic's Kafka id, read by start() when a snapshot file is configured (under this object's lock). */
    private String topicId;
    private volatile boolean restoredFromSnapshot;
    private final AtomicLong snapshotRejections = new AtomicLong();

    private ReplicatedMap(Settings<K, V> s) {
        this.settings = s;
        this.origin = s.nodeId + "." + Long.toString(System.currentTimeMillis(), 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        this.clock = new HybridLogicalClock(s.maxClockSkew);
        this.replica = new MapReplicaSink<>("view", view, ResolverPolicy.of(s.resolver), null,
            MapReplicaSink.DEFAULT_TOMBSTONE_GRACE, System::currentTimeMillis);
        this.applier = new ChangelogApplier<>(s.topic.name(), s.clientProps, new CodecSerde<>(s.keyCodec),
            new CodecSerde<>(s.valueCodec), replica, clock, s.unreadablePolicy, s.unreadableListener);
        if (s.skipOwnRecords) {
            applier.ignoreOriginForControl(origin);
        }
        if (s.controlGroup != null) {
            applier.resumeFromGroupForControl(s.controlGroup);
        }
    }

    /**
     * Returns a builder.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return a new builder
     */
    public static <K, V> Builder<K, V> builder() {
        return new Builder<>();
    }

    /**
     * Connects: creates or checks the topic, starts reading it from the beginning, starts publishing. Returns
     * without waiting for the topic to be read (see {@link #awaitReady}). Call once.
     *
     * @throws KafkaSetupException if the brokers do not answer within the setup timeout, or the topic is
     *     misconfigured; the message names the servers or the topic. Nothing is left running.
     * @throws IOException if the publisher's spill or checkpoint directory cannot be opened
     * @throws InterruptedException if interrupted while waiting for the cluster
     */
    public synchronized void start() throws IOException, InterruptedException {
        if (started) {
            throw new IllegalStateException("node " + origin + " already started");
        }
        started = true;
        boolean ok = false;
        try {
            try {
                admin = Admin.create(KafkaClients.adminProperties(settings.clientProps));
            } catch (KafkaException e) {
                throw new KafkaSetupException("cannot connect to Kafka at " + KafkaClients.servers(settings.clientProps)
                    + ": " + e.getMessage(), e);
            }
            try {
                settings.topic.ensure(admin, settings.setupTimeout);
            } catch (KafkaSetupException e) {
                throw new KafkaSetupException("node " + settings.nodeId + ", Kafka at "
                    + KafkaClients.servers(settings.clientProps) + ": " + e.getMessage(), e.getCause());
            }
            if (settings.repairLogOrder && !settings.originInKey) {
                applier.repairLosingRecordsOf(origin, new KafkaSink<>("kafka.repair." + settings.topic.name(),
                    settings.topic.name(), settings.clientProps, new CodecSerde<>(settings.keyCodec),
                    new CodecSerde<>(settings.valueCodec), false));
            }
            if (settings.snapshotFile != null) {
                loadSnapshot();
            }
            applier.start(settings.setupTimeout);
            applying = true;
            Replicator.Builder<K, V> b = Replicator.<K, V>builder()
                .name("kafka-" + settings.topic.name())
                .source(new VersionedMapSource<>(writes, origin))
                .sink(new KafkaSink<>("kafka." + settings.topic.name(), settings.topic.name(), settings.clientProps,
                    new CodecSerde<>(settings.keyCodec), new CodecSerde<>(settings.valueCodec),
                    settings.originInKey))
                .clock(clock)
                .keyCodec(settings.keyCodec)
                .valueCodec(settings.valueCodec);
            if (settings.protection != null) {
                b.protection(settings.protection);
            }
            if (settings.spillDirectory != null) {
                b.spillDirectory(settings.spillDirectory);
            }
            if (settings.meterRegistry != null) {
                b.meterRegistry(settings.meterRegistry);
            }
            publisher = b.build();
            registerMeters(publisher.meterRegistry());
            publisher.start();
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    /**
     * The applier's meters, beside the pipeline's: lag in records and milliseconds, unreadable records, repairs;
     * tagged with the topic and node id.
     */
    private void registerMeters(MeterRegistry registry) {
        Tags tags = Tags.of("topic", settings.topic.name(), "node", settings.nodeId);
        Gauge.builder("syncmap.kafka.lag.records", applier, ChangelogApplier::lagRecords)
            .description("records the node's view is behind the changelog").tags(tags).register(registry);
        Gauge.builder("syncmap.kafka.lag.ms", applier, a -> a.lagMillis(System.currentTimeMillis()))
            .description("how old the newest applied change is while the view is behind").baseUnit("milliseconds")
            .tags(tags).register(registry);
        FunctionCounter.builder("syncmap.kafka.unreadable.records", applier, ChangelogApplier::unreadableRecords)
            .description("changelog records that could not be decoded").tags(tags).register(registry);
        FunctionCounter.builder("syncmap.kafka.repaired.records", applier, ChangelogApplier::repairedRecords)
            .description("winners published again by the log-order repair").tags(tags).register(registry);
        FunctionCounter.builder("syncmap.kafka.snapshot.rejected", snapshotRejections, AtomicLong::get)
            .description("snapshot files refused at start (the view was rebuilt from the whole topic)")
            .tags(tags).register(registry);
    }

    /**
     * Waits until the view holds everything the topic held when {@link #start} ran.
     *
     * @param timeout the longest wait
     * @return true if ready, false on timeout
     * @throws IllegalStateException if applying failed (the cause is attached)
     * @throws InterruptedException if interrupted
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return applier.awaitReady(timeout);
    }

    /**
     * Waits until this node's writes so far are published and the view holds every record the topic holds now
     * (this node's writes included): the pause-and-compare oracle's wait.
     *
     * @param timeout the longest wait
     * @return true if caught up, false on timeout
     * @throws IllegalStateException if applying failed
     * @throws InterruptedException if interrupted
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Replicator<K, V> p = publisher;
        Admin a = admin;
        if (p == null || a == null) {
            throw new IllegalStateException("node " + origin + " is not started");
        }
        if (!p.awaitCaughtUp(timeout) || !awaitSpillDrained(p, deadline)) {
            return false;
        }
        long left = deadline - System.nanoTime();
        return left > 0 && applier.awaitCaughtUp(a, Duration.ofNanos(left));
    }

    /** The pipeline counts a spilled change as written: published means the spill has drained, too. */
    private static boolean awaitSpillDrained(Replicator<?, ?> p, long deadline) throws InterruptedException {
        while (true) {
            boolean drained = true;
            for (SinkProtectionStatus st : p.protectionStatus()) {
                drained &= st.spillEntries() == 0 && st.held() == 0;
            }
            if (drained) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    /**
     * Reads a key from the view (local; no I/O).
     *
     * @param key the key
     * @return the value, or null if absent
     */
    public V get(K key) {
        return view.get(key);
    }

    /**
     * Writes a value; published asynchronously, visible in the view once it is back from the log.
     *
     * @param key the key, not null
     * @param value the value, not null
     */
    public void put(K key, V value) {
        writes.put(key, value);
    }

    /**
     * Removes a key on every node (last-writer-wins against concurrent writes). Does nothing if neither this
     * node's writes nor its view hold the key.
     *
     * @param key the key, not null
     */
    public void remove(K key) {
        Objects.requireNonNull(key, "key");
        if (writes.remove(key) != null) {
            return;
        }
        V seen = view.get(key);
        if (seen != null) {
            writes.put(key, seen);
            writes.remove(key);
        }
    }

    /**
     * Merges into this node's own value for the key: with counters, {@code merge(key, PnCount.of(delta),
     * PnCount::plus)} adds to this node's contribution, and the view shows the sum over all nodes.
     *
     * @param key the key, not null
     * @param value the value to merge, not null
     * @param function merges this node's current value with {@code value}; runs at most once, atomically
     * @return this node's new value, or null if the function removed it
     */
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
        return writes.merge(key, value, function);
    }

    /**
     * Returns a point-in-time snapshot of the view (O(1)).
     *
     * @return the snapshot
     */
    public VersionedSnapshot<K, V> snapshot() {
        return view.snapshot();
    }

    /**
     * Returns the view: read it, snapshot it, watch it; never write it (the applier owns it, and a write there
     * is neither published nor kept).
     *
     * @return the view map
     */
    public VersionedMap<K, V> view() {
        return view;
    }

    /**
     * Returns this incarnation's origin id, {@code nodeId.<suffix>}.
     *
     * @return the origin
     */
    public String origin() {
        return origin;
    }

    /**
     * Returns how the view's changes were resolved (applied, duplicates, won and lost conflicts).
     *
     * @return the live counters
     */
    public ResolutionStats resolutionStats() {
        return replica.stats();
    }

    /**
     * Returns the applier (positions, counts of unreadable and applied records).
     *
     * @return the applier
     */
    public ChangelogApplier<K, V> applier() {
        return applier;
    }

    /**
     * Returns the publishing pipeline (status, breaker and spill state, metrics). Its
     * {@link Replicator#meterRegistry() registry} also holds the node's {@code syncmap.kafka.*} meters (lag in
     * records and milliseconds, unreadable records, repairs), tagged with the topic and node id.
     *
     * @return the replicator, or null before {@link #start}
     */
    public Replicator<K, V> publisher() {
        return publisher;
    }

    /**
     * Stops publishing (draining what is queued, up to 30 s), stops applying, closes the clients.
     */
    @Override
    public synchronized void close() {
        try {
            if (publisher != null) {
                publisher.close();
            }
        } finally {
            try {
                applier.close();
            } finally {
                try {
                    saveSnapshotOnClose();
                } finally {
                    if (admin != null) {
                        admin.close(Duration.ofSeconds(5));
                    }
                }
            }
        }
    }

    /* ---------------- Snapshot file ---------------- */

    /**
     * Saves the view's state and the offsets it covers to the {@linkplain Builder#snapshotFile snapshot file},
     * replacing it atomically. The state is copied on the applier thread between two polls (applying pauses for
     * the copy, about a tenth of a second per million keys) and written by the calling thread.
     *
     * @return the number of keys saved (tombstones included)
     * @throws IllegalStateException if no snapshot file is configured, the node was not started, or its applier
     *     failed (its state may be partial: the last good file is kept)
     * @throws IOException if the file cannot be written; the previous file is left as it was
     * @throws InterruptedException if interrupted while waiting for the applier thread
     */
    public synchronized long saveSnapshot() throws IOException, InterruptedException {
        Path file = settings.snapshotFile;
        if (file == null) {
            throw new IllegalStateException("node " + origin + " has no snapshot file configured");
        }
        if (!applying) {
            throw new IllegalStateException("node " + origin + " is not started: nothing to save");
        }
        Throwable f = applier.failure();
        if (f != null) {
            throw new IllegalStateException("node " + origin + ": the applier failed, its state is not saved", f);
        }
        Captured<K, V> c;
        try {
            c = applier.callBetweenPolls(this::capture).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("node " + origin + ": copying the state failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("node " + origin + ": the applier thread did not copy the state within 60 s", e);
        }
        Map<String, String> d = new HashMap<>();
        d.put("topic", settings.topic.name());
        d.put("topicId", topicId);
        d.put("keyCodec", settings.keyCodec.id());
        d.put("valueCodec", settings.valueCodec.id());
        d.put("resolver", settings.resolver.name());
        d.put("originInKey", Boolean.toString(settings.originInKey));
        d.put("savedAtMillis", Long.toString(System.currentTimeMillis()));
        d.put("partitions", Integer.toString(c.positions().size()));
        c.positions().forEach((tp, offset) -> d.put("offset." + tp.partition(),
            Long.toString(offset + settings.controlOffsetsAhead)));
        NodeSnapshotFile.write(file, d, c.state(), settings.keyCodec, settings.valueCodec);
        return c.state().size();
    }

    /** The applier's positions and state, copied together between two polls. */
    private record Captured<K, V>(Map<TopicPartition, Long> positions,
                                  Map<K, NodeSnapshotFile.SavedVersion<V>> state) {}

    /** Runs on the applier thread between polls (or once it has stopped). */
    private Captured<K, V> capture() {
        Map<K, NodeSnapshotFile.SavedVersion<V>> state = new HashMap<>(Math.max(16, view.size() * 2));
        replica.forEachVersion((k, v, others) -> state.put(k, new NodeSnapshotFile.SavedVersion<>(v, others)));
        return new Captured<>(applier.positions(), state);
    }

    private void saveSnapshotOnClose() {
        if (settings.snapshotFile == null || !applying || savedOnClose) {
            return;
        }
        savedOnClose = true;
        if (applier.failure() != null) {
            LOG.warn("node {}: the applier failed, so its state is not saved to {} (the last good file stays)",
                origin, settings.snapshotFile);
            return;
        }
        try {
            saveSnapshot();
        } catch (IOException e) {
            throw new UncheckedIOException("node " + origin + " could not save its snapshot file "
                + settings.snapshotFile + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("node " + origin + ": interrupted while saving its snapshot file", e);
        }
    }

    /**
     * Loads the snapshot file, if there is one, into the view and points the applier at the offsets it covers;
     * a file that fails any check is refused (see the class comment) and the node rebuilds from the topic.
     */
    private void loadSnapshot() throws IOException, InterruptedException {
        Path file = settings.snapshotFile;
        String topic = settings.topic.name();
        TopicDescription td = ChangelogTopic.await(admin.describeTopics(List.of(topic)).allTopicNames(),
            settings.setupTimeout, "describe topic " + topic).get(topic);
        topicId = td.topicId().toString();
        NodeSnapshotFile.Contents<K, V> contents;
        Map<TopicPartition, Long> offsets;
        try {
            contents = NodeSnapshotFile.read(file, topic, settings.keyCodec, settings.valueCodec);
            offsets = checkAgainstTopic(contents.description(), td);
        } catch (NoSuchFileException e) {
            LOG.info("node {}: no snapshot file {} yet; reading the whole topic", origin, file);
            return;
        } catch (IOException e) {
            snapshotRejections.incrementAndGet();
            Path aside = file.resolveSibling(file.getFileName() + ".rejected");
            LOG.warn("node {}: snapshot file {} refused, rebuilding the view from the whole topic {}: {}"
                + " (the file is moved to {})", origin, file, topic, e.toString(), aside);
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        long maxStamp = Long.MIN_VALUE;
        for (Map.Entry<K, NodeSnapshotFile.SavedVersion<V>> e : contents.state().entrySet()) {
            NodeSnapshotFile.SavedVersion<V> sv = e.getValue();
            replica.restoreVersion(e.getKey(), sv.version(), sv.otherOrigins());
            maxStamp = Math.max(maxStamp, sv.version().stamp());
        }
        if (maxStamp != Long.MIN_VALUE) {
            clock.observe(maxStamp);
        }
        applier.resumeFrom(offsets);
        restoredFromSnapshot = true;
        LOG.info("node {}: restored {} keys from snapshot file {}; reading topic {} from {}", origin,
            contents.state().size(), file, topic, offsets);
    }

    /** Checks a file's description against the topic as it is now; returns the offsets to resume from. */
    private Map<TopicPartition, Long> checkAgainstTopic(Map<String, String> d, TopicDescription td)
            throws IOException, InterruptedException {
        String topic = settings.topic.name();
        require(d, "topicId", topicId, "the topic was deleted and created again since");
        require(d, "resolver", settings.resolver.name(), "another conflict resolver");
        require(d, "originInKey", Boolean.toString(settings.originInKey), "another record-key layout");
        long partitions = parse(d, "partitions");
        if (partitions != td.partitions().size()) {
            throw new NodeSnapshotFile.Rejected("the file covers " + partitions + " partitions, the topic has "
                + td.partitions().size());
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            offsets.put(tp, parse(d, "offset." + p));
            earliest.put(tp, OffsetSpec.earliest());
            latest.put(tp, OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = ChangelogTopic.await(
            admin.listOffsets(earliest).all(), settings.setupTimeout, "list the start offsets of " + topic);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = ChangelogTopic.await(
            admin.listOffsets(latest).all(), settings.setupTimeout, "list the end offsets of " + topic);
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            long start = starts.get(e.getKey()).offset();
            long end = ends.get(e.getKey()).offset();
            if (e.getValue() < start || e.getValue() > end) {
                throw new NodeSnapshotFile.Rejected("the file's offset " + e.getValue() + " of partition "
                    + e.getKey() + " lies outside what it holds now, [" + start + ", " + end + "]: "
                    + (e.getValue() < start ? "records the file does not cover were deleted" : "not this log"));
            }
        }
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Map<ConfigResource, Config> configs = ChangelogTopic.await(admin.describeConfigs(Set.of(res)).all(),
            settings.setupTimeout, "describe the configuration of topic " + topic);
        ConfigEntry retention = configs.get(res).get(TopicConfig.DELETE_RETENTION_MS_CONFIG);
        long age = System.currentTimeMillis() - parse(d, "savedAtMillis");
        if (retention != null && age > Long.parseLong(retention.value())) {
            throw new NodeSnapshotFile.Rejected("the file is " + age + " ms old, older than the topic's "
                + TopicConfig.DELETE_RETENTION_MS_CONFIG + " (" + retention.value() + " ms): removals written"
                + " since may have been compacted away");
        }
        return offsets;
    }

    private static void require(Map<String, String> d, String name, String expected, String meaning)
            throws NodeSnapshotFile.Rejected {
        if (!expected.equals(d.get(name))) {
            throw new NodeSnapshotFile.Rejected("the file's " + name + " is '" + d.get(name) + "', this node's is '"
                + expected + "' (" + meaning + ")");
        }
    }

    private static long parse(Map<String, String> d, String name) throws NodeSnapshotFile.Rejected {
        try {
            return Long.parseLong(Objects.requireNonNullElse(d.get(name), "missing"));
        } catch (NumberFormatException e) {
            throw new NodeSnapshotFile.Rejected("the file's " + name + " is '" + d.get(name) + "', not a number");
        }
    }

    /**
     * Tells whether {@link #start} loaded the snapshot file (false: there was none, or it was refused).
     *
     * @return true if the view was restored from the file
     */
    public boolean restoredFromSnapshot() {
        return restoredFromSnapshot;
    }

    /**
     * Returns how many snapshot files {@link #start} refused (0 or 1; the reason is logged at WARN).
     *
     * @return the count
     */
    public long snapshotRejections() {
        return snapshotRejections.get();
    }

    @Override
    public String toString() {
        return "ReplicatedMap[" + origin + " on " + settings.topic.name() + ", " + view.size() + " entries]";
    }

    /** What a builder collects. */
    private static final class Settings<K, V> {
        final Map<String, Object> clientProps = new HashMap<>();
        ChangelogTopic topic;
        String nodeId;
        Codec<K> keyCodec;
        Codec<V> valueCodec;
        ConflictResolver<K, V> resolver = Resolvers.lastWriterWins();
        SinkProtection protection;
        Path spillDirectory;
        MeterRegistry meterRegistry;
        UnreadableRecordPolicy unreadablePolicy = UnreadableRecordPolicy.REPORT_AND_SKIP;
        UnreadableRecordListener unreadableListener;
        Duration setupTimeout = Duration.ofSeconds(10);
        Duration maxClockSkew = Duration.ofSeconds(1);
        boolean skipOwnRecords;
        String controlGroup;
        boolean originInKey;
        boolean repairLogOrder = true;
        Path snapshotFile;
        long controlOffsetsAhead;
    }

    /**
     * Builds a {@link ReplicatedMap}. Required: bootstrap servers, topic, node id, key and value codecs.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     */
    public static final class Builder<K, V> {
        private Settings<K, V> s = new Settings<>();

        private Builder() {}

        /**
         * Sets the brokers to bootstrap from.
         *
         * @param servers {@code host:port[,host:port...]}
         * @return this builder
         */
        public Builder<K, V> bootstrapServers(String servers) {
            return clientProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers);
        }

        /**
         * Sets a Kafka client setting for the node's producer, consumer and admin clients (security, timeouts).
         * The producer's idempotence and {@code acks=all}, and the consumer's group and offset settings, are
         * fixed by the node and cannot be changed.
         *
         * @param name the setting
         * @param value its value
         * @return this builder
         */
        public Builder<K, V> clientProperty(String name, Object value) {
            s.clientProps.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets the changelog topic.
         *
         * @param topic the topic and its required settings
         * @return this builder
         */
        public Builder<K, V> topic(ChangelogTopic topic) {
            s.topic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /**
         * Sets the node id: letters, digits, '.', '_' or '-'; unique among the nodes of the map.
         *
         * @param id the node id
         * @return this builder
         */
        public Builder<K, V> nodeId(String id) {
            Objects.requireNonNull(id, "nodeId");
            if (!id.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,79}")) {
                throw new IllegalArgumentException("nodeId '" + id + "' must be 1 to 80 letters, digits, '_' or '-',"
                    + " starting with a letter or digit");
            }
            s.nodeId = id;
            return this;
        }

        /**
         * Sets the key codec (record keys; also the spill).
         *
         * @param c the codec
         * @return this builder
         */
        public Builder<K, V> keyCodec(Codec<K> c) {
            s.keyCodec = Objects.requireNonNull(c, "keyCodec");
            return this;
        }

        /**
         * Sets the value codec (record values; also the spill).
         *
         * @param c the codec
         * @return this builder
         */
        public Builder<K, V> valueCodec(Codec<V> c) {
            s.valueCodec = Objects.requireNonNull(c, "valueCodec");
            return this;
        }

        /**
         * Sets the conflict resolver; every node of the map must use the same one, and it must be
         * order-independent (see {@link ConflictResolver#isOrderIndependent()}). Default: last-writer-wins.
         * The built-in counters ({@code g-counter}, {@code pn-counter}) also turn on
         * {@link #originInRecordKey(boolean)}, which they need to survive compaction.
         *
         * @param r the resolver
         * @return this builder
         */
        public Builder<K, V> resolver(ConflictResolver<K, V> r) {
            Objects.requireNonNull(r, "resolver");
            if (!r.isOrderIndependent()) {
                throw new IllegalArgumentException("resolver " + r.name() + " depends on arrival order; the nodes"
                    + " of a replicated map read the topic's partitions in different interleavings and would"
                    + " diverge");
            }
            s.resolver = r;
            s.originInKey = "g-counter".equals(r.name()) || "pn-counter".equals(r.name());
            return this;
        }

        /**
         * Sets whether record keys are (map key, origin) instead of the map key alone. Compaction keeps the last
         * record per record key: counters, whose records each carry one origin's contribution, need every
         * origin's latest record kept, so they need this on (the built-in counter resolvers set it). Call after
         * {@link #resolver}. Default: off.
         *
         * @param on true to put the origin in the record key
         * @return this builder
         */
        public Builder<K, V> originInRecordKey(boolean on) {
            s.originInKey = on;
            return this;
        }

        /**
         * Sets whether the node repairs log order (default on; off only for the tests' broken control or a
         * topic that is never compacted). Compaction keeps a key's last record in <i>log</i> order, which after
         * two concurrent writes can be the last-writer-wins loser; with the repair on, a node whose own record
         * lost to an earlier one publishes the winner again, verbatim (a duplicate to every node that has it),
         * so the last record is always the winner. Not used with {@link #originInRecordKey(boolean)}.
         *
         * @param on true to repair
         * @return this builder
         */
        public Builder<K, V> repairLogOrder(boolean on) {
            s.repairLogOrder = on;
            return this;
        }

        /**
         * Sets the publisher's breaker and spill settings (see {@link SinkProtection}).
         *
         * @param p the protection
         * @return this builder
         */
        public Builder<K, V> protection(SinkProtection p) {
            s.protection = Objects.requireNonNull(p, "protection");
            return this;
        }

        /**
         * Sets a directory for the publisher's durable spill: while the brokers are unreachable, this node's
         * writes queue there and are published in order afterwards.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder<K, V> spillDirectory(Path dir) {
            s.spillDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Sets the Micrometer registry for the publisher's meters and the node's {@code syncmap.kafka.*} meters
         * (a Prometheus registry to scrape them, say). Default: a private registry, reachable through
         * {@link ReplicatedMap#publisher()}.
         *
         * @param registry the registry
         * @return this builder
         */
        public Builder<K, V> meterRegistry(MeterRegistry registry) {
            s.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Sets what to do with undecodable records (default {@link UnreadableRecordPolicy#REPORT_AND_SKIP}).
         *
         * @param policy the policy
         * @param listener receives each undecodable record, or null
         * @return this builder
         */
        public Builder<K, V> unreadableRecords(UnreadableRecordPolicy policy, UnreadableRecordListener listener) {
            s.unreadablePolicy = Objects.requireNonNull(policy, "policy");
            s.unreadableListener = listener;
            return this;
        }

        /**
         * Sets how long {@link #start} waits for the cluster at each step (default 10 s).
         *
         * @param d positive
         * @return this builder
         */
        public Builder<K, V> setupTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("setupTimeout must be positive, got " + d);
            }
            s.setupTimeout = d;
            return this;
        }

        /**
         * Sets the node's snapshot file: saved on {@link ReplicatedMap#close} (and by
         * {@link ReplicatedMap#saveSnapshot}), loaded by {@link ReplicatedMap#start}, which then reads the topic
         * only from the offsets the file covers. A file that is truncated, corrupted, of another topic or too old
         * is refused and the node rebuilds from the topic (see the class comment). Its directory must exist;
         * {@code <file>.tmp} and {@code <file>.rejected} are used beside it. One file per node.
         *
         * @param file the file
         * @return this builder
         */
        public Builder<K, V> snapshotFile(Path file) {
            s.snapshotFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Makes the node store offsets {@code ahead} records past what its saved state covers: the snapshot
         * test's broken control, never for real use.
         *
         * @param ahead records per partition
         * @return this builder
         */
        Builder<K, V> snapshotOffsetsAheadForControl(long ahead) {
            s.controlOffsetsAhead = ahead;
            return this;
        }

        /**
         * Makes the node's applier skip its own records: the tests' broken control, never for real use.
         *
         * @return this builder
         */
        Builder<K, V> skipOwnRecordsForControl() {
            s.skipOwnRecords = true;
            return this;
        }

        /**
         * Makes the node's applier keep its positions in a consumer group and resume from them after a restart,
         * although its state lives in memory: the kill test's broken control, never for real use.
         *
         * @param group the consumer group
         * @return this builder
         */
        Builder<K, V> resumeFromConsumerGroupForControl(String group) {
            s.controlGroup = group;
            return this;
        }

        /**
         * Builds the node (not started).
         *
         * @return the node
         * @throws IllegalArgumentException naming the first missing setting
         */
        public ReplicatedMap<K, V> build() {
            KafkaClients.checked(s.clientProps);
            require(s.topic, "topic");
            require(s.nodeId, "nodeId");
            require(s.keyCodec, "keyCodec");
            require(s.valueCodec, "valueCodec");
            Settings<K, V> built = s;
            s = new Settings<>();
            s.clientProps.putAll(built.clientProps);
            return new ReplicatedMap<>(built);
        }

        private static void require(Object o, String what) {
            if (o == null) {
                throw new IllegalArgumentException(what + " is required");
            }
        }
    }
}
