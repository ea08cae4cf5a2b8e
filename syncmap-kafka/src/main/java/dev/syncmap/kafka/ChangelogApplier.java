package dev.syncmap.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.HybridLogicalClock;
import dev.syncmap.replicate.MapReplicaSink;
import dev.syncmap.replicate.Versioned;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The applying half of a node: reads every partition of the changelog topic and applies each change to the
 * node's map through a {@link MapReplicaSink} (per-key version check, then the configured resolver).
 *
 * <p><b>Implementation notes.</b>
 * <ul>
 *   <li><b>Every record, the node's own included.</b> The node's readable map is a pure function of the topic
 *   prefix it has read: all records, in partition order, through one deterministic resolver. The node's own
 *   writes become visible in its map when they come back from the log, with the stamp they were published
 *   with; so no write is ever applied under two different stamps, and nothing the applier writes can be
 *   mistaken for a local write and published again (local writes go to a separate map, see
 *   {@link ReplicatedMap}).</li>
 *   <li><b>Positions.</b> No consumer group: the consumer is {@code assign}ed all partitions and starts from the
 *   beginning, because the map it fills lives in memory and is empty after every start. The position of each
 *   partition lives in memory beside the state it describes, and advances only after the records before it
 *   were applied (records of one {@code poll} are applied, then {@code position()} is read). Nothing is
 *   committed to Kafka, so there is no committed offset that could run ahead of the state.</li>
 *   <li><b>Ready.</b> At start the applier captures the end offsets of all partitions; it is ready when its
 *   position in each partition has reached them (the snapshot anchor in Kafka terms: everything written before
 *   the node started is in its map).</li>
 *   <li><b>Clock.</b> Every applied stamp is {@link HybridLogicalClock#observe observed} by the node's clock,
 *   so a local write made after the node saw a remote one gets a larger stamp and wins last-writer-wins.</li>
 *   <li><b>Log-order repair.</b> Compaction keeps a key's last record in log order, which after two
 *   concurrent writes can be the last-writer-wins loser. With the repair on, each of the node's own records is
 *   applied on its own and checked right after: if it lost to a version from an earlier record of its key (same
 *   key, same partition, so earlier in the log), that winner is published again verbatim (a duplicate for every
 *   node that has it), so the last record is the winner. A failed repair is retried after the next poll; it
 *   is lost only if the process dies first.</li>
 *   <li><b>Failures.</b> An undecodable record follows the {@link UnreadableRecordPolicy}. A failure while
 *   applying (a resolver that throws, a poisoned change) stops the applier: the node reports it from
 *   {@link #failure()}, {@link #awaitReady} and {@link #awaitCaughtUp}; it is never swallowed. Connection
 *   problems are retried inside the consumer.</li>
 *   <li><b>Threads.</b> One thread of its own polls and applies; the other methods may be called from any
 *   thread. Multi-key revisions spread over partitions, so they are not applied atomically.</li>
 * </ul>
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class ChangelogApplier<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangelogApplier.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String topic;
    private final Map<String, Object> clientProps;
    private final CodecSerde<K> keySerde;
    private final CodecSerde<V> valueSerde;
    private final MapReplicaSink<K, V> sink;
    private final HybridLogicalClock clock;
    private final UnreadableRecordPolicy policy;
    private final UnreadableRecordListener listener;
    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private volatile Throwable failure;
    private volatile boolean closing;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    private Map<TopicPartition, Long> startEnd;
    /** The broken control's origin to ignore (tests only), or null. */
    private volatile String ignoredOrigin;
    /** The broken control's consumer group to keep positions in (tests only), or null. */
    private String controlGroup;
    /** This node's origin, whose losing records are repaired; null: no repair. */
    private String ownOrigin;
    /** Publishes repairs (applier thread only), or null. */
    private KafkaSink<K, V> repairSink;
    /** Winners to publish again, by key (applier thread only). */
    private final Map<K, Versioned<V>> repairs = new java.util.LinkedHashMap<>();
    private final AtomicLong repaired = new AtomicLong();
    /** Records behind the partitions' ends, as of the last poll (applier thread writes). */
    private volatile long lagRecords;
    /** Physical milliseconds of the newest stamp applied (applier thread writes). */
    private volatile long lastAppliedMillis;
    /** Every origin (node incarnation) whose records were applied; applier thread adds, any thread reads. */
    private final Set<String> origins = ConcurrentHashMap.newKeySet();
    /** Where to start reading instead of the beginning (a loaded snapshot file's offsets), or null. */
    private Map<TopicPartition, Long> resumeOffsets;
    /** The origins' names, each one instance (applier thread only). */
    private final ChangelogFormat.OriginNames originNames = new ChangelogFormat.OriginNames();
    /** Work for the applier thread between two polls ({@link #callBetweenPolls}). */
    private final java.util.Queue<FutureTask<?>> betweenPolls = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * An applier, not yet started.
     *
     * @param topic the changelog topic
     * @param clientProps Kafka client settings, at least {@code bootstrap.servers}
     * @param keySerde decodes keys
     * @param valueSerde decodes values
     * @param sink applies changes to the node's map
     * @param clock the node's clock; observes every applied stamp
     * @param policy what to do with an undecodable record
     * @param listener receives undecodable records, or null
     */
    public ChangelogApplier(String topic, Map<String, Object> clientProps, CodecSerde<K> keySerde,
                            CodecSerde<V> valueSerde, MapReplicaSink<K, V> sink, HybridLogicalClock clock,
                            UnreadableRecordPolicy policy, UnreadableRecordListener listener) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.clientProps = Map.copyOf(KafkaClients.checked(clientProps));
        this.keySerde = Objects.requireNonNull(keySerde, "keySerde");
        this.valueSerde = Objects.requireNonNull(valueSerde, "valueSerde");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.listener = listener;
    }

    /**
     * Makes this applier ignore one origin's records: the broken control of the tests (a node that skips its
     * own records never shows its own writes). Never used by a real node.
     *
     * @param origin the origin to ignore
     */
    void ignoreOriginForControl(String origin) {
        this.ignoredOrigin = origin;
    }

    /**
     * Turns on the log-order repair: when a record of {@code origin} (this node's) loses last-writer-wins to a
     * version applied from an earlier record of the same key, the applier publishes that winning version again,
     * verbatim, through {@code sink}, so the key's last record in the log is the winner and compaction keeps it.
     * Call before {@link #start}; the applier closes the sink.
     *
     * @param origin this node's origin
     * @param sink publishes the repairs (its own producer)
     */
    void repairLosingRecordsOf(String origin, KafkaSink<K, V> sink) {
        this.ownOrigin = Objects.requireNonNull(origin, "origin");
        this.repairSink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Makes this applier keep its positions in a consumer group (auto-committed) and resume from them: the broken
     * control of the kill test. Its state lives in memory, so after a restart the committed positions describe
     * a state that is gone, and everything before them is missing. Never used by a real node.
     *
     * @param group the consumer group
     */
    synchronized void resumeFromGroupForControl(String group) {
        this.controlGroup = group;
    }

    /**
     * Makes the applier start reading each partition at the given offset instead of the beginning: the offsets a
     * restored state covers (a snapshot file's). The map's keys must be exactly the topic's partitions, or
     * {@link #start} refuses them. Call before {@link #start}.
     *
     * @param offsets per partition, the offset of the first record the restored state does not hold
     */
    synchronized void resumeFrom(Map<TopicPartition, Long> offsets) {
        this.resumeOffsets = Map.copyOf(offsets);
    }

    /**
     * Runs a task on the applier thread between two polls, when every record before {@link #positions()} has
     * been applied and nothing after it: a consistent cut of (state, positions). Once the applier has stopped,
     * the state is still, and the task runs on the calling thread.
     *
     * @param task the task
     * @param <T> its result
     * @return the task's result, when it has run
     */
    <T> java.util.concurrent.Future<T> callBetweenPolls(java.util.concurrent.Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task);
        betweenPolls.add(f);
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null || stopped.getCount() == 0) {
            runBetweenPolls(); // no thread to run it (any more): the state is still
        }
        return f;
    }

    private void runBetweenPolls() {
        FutureTask<?> f;
        while ((f = betweenPolls.poll()) != null) {
            f.run();
        }
    }

    /**
     * Assigns all partitions, captures their end offsets and starts the applying thread. Call once.
     *
     * @param timeout the longest the cluster may take to answer
     * @throws KafkaSetupException if the topic's partitions or end offsets cannot be read in time
     */
    public synchronized void start(Duration timeout) {
        if (thread != null) {
            throw new IllegalStateException("applier of topic " + topic + " already started");
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        // large fetches: a restore makes fewer round trips, each of which the applying waits for (buffered
        // fetched data is bounded by fetch.max.bytes)
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 32 << 20);
        p.putAll(clientProps);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG); // positions live with the in-memory state, not in a group
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        if (controlGroup != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, controlGroup);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
            p.put(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 100);
        }
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        try {
            List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new KafkaSetupException("changelog topic " + topic + " has no partitions (does it exist?)",
                    null);
            }
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : infos) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            if (resumeOffsets != null) {
                if (!resumeOffsets.keySet().equals(new java.util.HashSet<>(parts))) {
                    throw new KafkaSetupException("resume offsets for partitions " + resumeOffsets.keySet()
                        + " do not match the partitions of changelog topic " + topic + ", " + parts, null);
                }
                resumeOffsets.forEach(c::seek);
                applied.putAll(resumeOffsets);
            } else {
                c.seekToBeginning(parts);
                applied.putAll(c.beginningOffsets(parts, timeout));
            }
            if (controlGroup != null) {
                c.committed(new java.util.HashSet<>(parts), timeout).forEach((tp, om) -> {
                    if (om != null) {
                        c.seek(tp, om.offset());
                    }
                });
            }
            startEnd = new HashMap<>(c.endOffsets(parts, timeout));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            c.close(CloseOptions.timeout(Duration.ZERO));
            throw new KafkaSetupException("could not read the partitions and end offsets of changelog topic " + topic
                + " from " + KafkaClients.servers(clientProps) + " within " + timeout + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            c.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        consumer = c;
        thread = new Thread(this::run, "syncmap-kafka-applier-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        List<Envelope<K, V>> batch = new ArrayList<>();
        try {
            checkReady();
            while (!closing) {
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
                batch.clear();
                long maxStamp = Long.MIN_VALUE;
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    Envelope<K, V> e = decode(r);
                    if (e != null && !e.origin().equals(ignoredOrigin)) {
                        batch.add(e);
                        maxStamp = Math.max(maxStamp, e.stamp());
                        origins.add(e.origin());
                    }
                }
                if (!batch.isEmpty()) {
                    clock.observe(maxStamp);
                    apply(batch);
                    records.addAndGet(batch.size());
                    lastAppliedMillis = Math.max(lastAppliedMillis, HybridLogicalClock.physicalMillis(maxStamp));
                }
                publishRepairs();
                long lag = 0;
                for (TopicPartition tp : consumer.assignment()) {
                    applied.put(tp, consumer.position(tp));
                    lag += consumer.currentLag(tp).orElse(0);
                }
                lagRecords = lag;
                checkReady();
                runBetweenPolls();
            }
        } catch (WakeupException e) {
            if (!closing) {
                fail(e);
            }
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            try {
                consumer.close(CloseOptions.timeout(Duration.ZERO));
                if (repairSink != null) {
                    repairSink.close();
                }
            } finally {
                stopped.countDown();
                runBetweenPolls(); // tasks queued while the thread was stopping: the state is still now
            }
        }
    }

    /**
     * Applies a batch; with the repair on, applies each of this node's records on its own and checks right after
     * it whether it lost to a version from an earlier record of its key (same key, same partition, so earlier
     * in the log): that winner is noted for {@link #publishRepairs}.
     */
    private void apply(List<Envelope<K, V>> batch) {
        if (ownOrigin == null) {
            sink.write(batch);
            return;
        }
        int from = 0;
        for (int i = 0; i < batch.size(); i++) {
            Envelope<K, V> e = batch.get(i);
            if (!e.origin().equals(ownOrigin)) {
                continue;
            }
            if (i > from) {
                sink.write(batch.subList(from, i));
            }
            sink.write(batch.subList(i, i + 1));
            from = i + 1;
            Versioned<V> held = sink.versionOf(e.key());
            if (held != null && held.contributions().isEmpty() && held.compareStampTo(e.toVersioned()) > 0) {
                repairs.put(e.key(), held);
            }
        }
        if (from < batch.size()) {
            sink.write(batch.subList(from, batch.size()));
        }
    }

    /**
     * Publishes the noted winners again. A failure (brokers unreachable) is logged and the repairs are kept for
     * the next round: they are only lost if this process dies first (then the key's last record stays the loser
     * until the key is written again).
     */
    private void publishRepairs() {
        if (repairs.isEmpty()) {
            return;
        }
        List<Envelope<K, V>> out = new ArrayList<>(repairs.size());
        repairs.forEach((k, v) -> out.add(new Envelope<>(Envelope.Kind.CHANGE, v.origin(), v.originRevision(),
            v.stamp(), k, v.value(), true, v.expiresAtMillis())));
        try {
            repairSink.write(out);
            repaired.addAndGet(out.size());
            repairs.clear();
        } catch (Exception e) {
            LOG.warn("applier of topic {}: publishing {} log-order repairs failed; trying again after the next poll",
                topic, out.size(), e);
        }
    }

    private void fail(Throwable e) {
        failure = e;
        LOG.error("applier of topic {} stopped: {}", topic, e.toString(), e);
    }

    private void checkReady() {
        if (ready.getCount() == 0) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> e : startEnd.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return;
            }
        }
        ready.countDown();
    }

    /** Decodes a record, or reports it by the policy and returns null (or throws, for FAIL). */
    private Envelope<K, V> decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return ChangelogFormat.fromRecord(r, keySerde, valueSerde, originNames);
        } catch (SerializationException e) {
            unreadable.incrementAndGet();
            LOG.error("applier of topic {}: {} ({})", topic, e.getMessage(),
                policy == UnreadableRecordPolicy.FAIL ? "stopping" : "skipped", e);
            if (listener != null) {
                try {
                    listener.onUnreadable(r.topic(), r.partition(), r.offset(), e);
                } catch (RuntimeException le) {
                    LOG.error("applier of topic {}: the unreadable-record listener threw", topic, le);
                }
            }
            if (policy == UnreadableRecordPolicy.FAIL) {
                throw new UnreadableRecordException(e.getMessage(), e);
            }
            return null;
        }
    }

    /**
     * Waits until the node's map holds everything the topic held when the applier started.
     *
     * @param timeout the longest wait
     * @return true if ready, false on timeout
     * @throws IllegalStateException if the applier stopped with a failure (the cause is attached)
     * @throws InterruptedException if interrupted
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.await(50, TimeUnit.MILLISECONDS)) {
            throwIfFailed();
            if (System.nanoTime() >= deadline || stopped.getCount() == 0) {
                return false;
            }
        }
        throwIfFailed();
        return true;
    }

    /**
     * Waits until the applier has applied every record the topic holds at the time of the call.
     *
     * @param admin an admin client of the cluster (reads the end offsets)
     * @param timeout the longest wait
     * @return true if caught up, false on timeout
     * @throws IllegalStateException if the applier stopped with a failure
     * @throws InterruptedException if interrupted
     */
    public boolean awaitCaughtUp(Admin admin, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (TopicPartition tp : startEnd.keySet()) {
            request.put(tp, OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
            ChangelogTopic.await(admin.listOffsets(request).all(), timeout, "list the end offsets of " + topic);
        while (true) {
            throwIfFailed();
            boolean all = true;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
                all &= applied.getOrDefault(e.getKey(), 0L) >= e.getValue().offset();
            }
            if (all) {
                return true;
            }
            if (System.nanoTime() >= deadline || stopped.getCount() == 0) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    private void throwIfFailed() {
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("applier of topic " + topic + " failed: " + f, f);
        }
    }

    /**
     * Returns why the applier stopped, or null while it runs (or after a clean close).
     *
     * @return the failure, or null
     */
    public Throwable failure() {
        return failure;
    }

    /**
     * Returns how many records could not be decoded.
     *
     * @return the count
     */
    public long unreadableRecords() {
        return unreadable.get();
    }

    /**
     * Returns how many winning versions were published again because this node's record lost to an earlier
     * one (see {@link ReplicatedMap}, log-order repair).
     *
     * @return the count
     */
    public long repairedRecords() {
        return repaired.get();
    }

    /**
     * Returns how many records the applier is behind the ends of the partitions, as of its last poll (0 before
     * the consumer knows the ends).
     *
     * @return records behind
     */
    public long lagRecords() {
        return lagRecords;
    }

    /**
     * Returns how far behind the newest change it applied is, by its stamp: 0 when caught up
     * ({@link #lagRecords()} is 0), else the wall clock minus the stamp's physical time.
     *
     * @param nowMillis the wall clock, epoch milliseconds
     * @return milliseconds behind
     */
    public long lagMillis(long nowMillis) {
        long last = lastAppliedMillis;
        return lagRecords == 0 || last == 0 ? 0 : Math.max(0, nowMillis - last);
    }

    /**
     * Returns how many changes were applied (duplicates included).
     *
     * @return the count
     */
    public long appliedRecords() {
        return records.get();
    }

    /**
     * Returns the origins (node incarnations, {@code nodeId.<suffix>}) whose records this applier has applied,
     * this node's own included.
     *
     * @return an unmodifiable live view of the origins seen
     */
    public Set<String> originsSeen() {
        return Collections.unmodifiableSet(origins);
    }

    /**
     * Returns the applied position of each partition (the offset of the next record to apply).
     *
     * @return a copy of the positions
     */
    public Map<TopicPartition, Long> positions() {
        return Map.copyOf(applied);
    }

    /** Stops the applying thread and closes the consumer; waits up to 10 s. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            if (repairSink != null) {
                repairSink.close(); // never started: the thread that would close it never ran
            }
            return;
        }
        closing = true;
        consumer.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("applier of topic {} did not stop within 10 s", topic);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
