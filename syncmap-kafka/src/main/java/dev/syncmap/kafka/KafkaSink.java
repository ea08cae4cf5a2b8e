package dev.syncmap.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.Sink;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Sink} that publishes a node's changes to its map's changelog topic (see {@link ChangelogFormat}).
 *
 * <p><b>Delivery.</b> The producer is idempotent ({@code enable.idempotence=true}, {@code acks=all}): a retry
 * inside the client never duplicates or reorders a partition's records. {@link #write} sends the whole batch
 * (the client groups it into per-partition requests, waiting up to {@code linger.ms}) and returns only when
 * every record is acknowledged, so when the pipeline counts a batch as written it is in the log on every in-sync
 * replica. If any record fails, {@code write} throws, the pipeline sends the batch again (after its backoff,
 * through its breaker, and into its durable spill while the brokers stay unreachable), and the records that
 * had succeeded are written twice: harmless, since appliers skip a revision of an origin they have seen. After a
 * failure the producer is closed and a fresh one made for the next write, because some producer errors leave it
 * unusable. The time a write can take is bounded by {@code max.block.ms} (metadata) plus
 * {@code delivery.timeout.ms}; the defaults here (5 s and 10 s) let the breaker see an outage in seconds.
 *
 * <p><b>Anchors.</b> Markers are not records. The sink remembers which keys it has published live values for;
 * at an {@code ANCHOR_END} it publishes a tombstone (with the anchor's origin, revision and stamp) for each such
 * key the anchor did not mention, so a key removed while the pipeline re-anchored is removed on every node too.
 *
 * <p><b>Threads.</b> Called by its replicator's writer thread only (the {@link Sink} contract), except
 * {@link #isHealthy()}, which any thread may call.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class KafkaSink<K, V> implements Sink<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);

    private final String name;
    private final String topic;
    private final Properties producerProps;
    private final CodecSerde<K> keySerde;
    private final CodecSerde<V> valueSerde;
    private final Admin admin;
    private final Duration healthTimeout;
    private final boolean originInKey;
    private Producer<byte[], byte[]> producer;
    /** Keys whose last published change from this sink was a value (writer thread only). */
    private final Set<K> live = new HashSet<>();
    /** Keys mentioned by the anchor being received, or null outside an anchor (writer thread only). */
    private Set<K> mentioned;
    private final List<Future<RecordMetadata>> pending = new ArrayList<>();

    /**
     * A sink publishing to a topic.
     *
     * @param name the sink's name (checkpoint, metrics, logs)
     * @param topic the changelog topic; it should exist already (see {@link ChangelogTopic#ensure})
     * @param clientProps Kafka client settings, at least {@code bootstrap.servers}; they override the
     *     defaults here, except that idempotence and {@code acks=all} are always set
     * @param keySerde encodes keys
     * @param valueSerde encodes values
     * @param originInKey whether record keys are (map key, origin), as counters need (see {@link ChangelogFormat})
     */
    public KafkaSink(String name, String topic, Map<String, Object> clientProps, CodecSerde<K> keySerde,
                     CodecSerde<V> valueSerde, boolean originInKey) {
        this.originInKey = originInKey;
        this.name = Objects.requireNonNull(name, "name");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.keySerde = Objects.requireNonNull(keySerde, "keySerde");
        this.valueSerde = Objects.requireNonNull(valueSerde, "valueSerde");
        this.producerProps = producerProperties(clientProps);
        this.healthTimeout = Duration.ofMillis(
            Long.parseLong(String.valueOf(producerProps.get(ProducerConfig.MAX_BLOCK_MS_CONFIG))));
        this.admin = Admin.create(KafkaClients.adminProperties(clientProps));
    }

    /** The producer's settings: safe defaults, the caller's, then the ones this sink's guarantees need. */
    static Properties producerProperties(Map<String, Object> clientProps) {
        Properties p = new Properties();
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        p.putAll(KafkaClients.checked(clientProps));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Returns the topic this sink publishes to.
     *
     * @return the topic
     */
    public String topic() {
        return topic;
    }

    @Override
    public void write(List<Envelope<K, V>> batch) throws Exception {
        if (producer == null) {
            producer = new KafkaProducer<>(producerProps);
        }
        pending.clear();
        Map<K, Boolean> liveAfter = new HashMap<>();
        try {
            for (Envelope<K, V> e : batch) {
                switch (e.kind()) {
                    case ANCHOR_START:
                        mentioned = new HashSet<>();
                        break;
                    case ANCHOR_END:
                        endAnchor(e, liveAfter);
                        break;
                    default:
                        if (mentioned != null) {
                            mentioned.add(e.key());
                        }
                        send(e, liveAfter);
                        break;
                }
            }
            producer.flush();
            for (Future<RecordMetadata> f : pending) {
                f.get(); // completed by flush(): this only reports a failure
            }
        } catch (ExecutionException ex) {
            dropProducer();
            Throwable cause = ex.getCause() == null ? ex : ex.getCause();
            throw new KafkaPublishException("sink " + name + ": publishing to topic " + topic + " failed: " + cause,
                cause);
        } catch (RuntimeException ex) {
            dropProducer();
            throw new KafkaPublishException("sink " + name + ": publishing to topic " + topic + " failed: " + ex, ex);
        } finally {
            pending.clear();
        }
        liveAfter.forEach((k, isLive) -> {
            if (isLive) {
                live.add(k);
            } else {
                live.remove(k);
            }
        });
    }

    /**
     * Sends one record. A future that is already done has failed inside {@code send} (no metadata within
     * {@code max.block.ms}: the brokers are unreachable): its failure is thrown at once, so a batch fails after
     * one {@code max.block.ms}, not one per record.
     */
    private void send(Envelope<K, V> e, Map<K, Boolean> liveAfter) throws ExecutionException, InterruptedException {
        Future<RecordMetadata> f = producer.send(ChangelogFormat.toRecord(topic, e, keySerde, valueSerde,
            originInKey));
        pending.add(f);
        if (f.isDone()) {
            f.get();
        }
        liveAfter.put(e.key(), !e.isRemoval());
    }

    /** Tombstones for the keys this sink published live that the anchor did not mention. */
    private void endAnchor(Envelope<K, V> end, Map<K, Boolean> liveAfter)
        throws ExecutionException, InterruptedException {
        Set<K> seen = mentioned == null ? Set.of() : mentioned;
        mentioned = null;
        Set<K> candidates = new HashSet<>(live);
        liveAfter.forEach((k, isLive) -> {
            if (isLive) {
                candidates.add(k);
            } else {
                candidates.remove(k);
            }
        });
        for (K k : candidates) {
            if (!seen.contains(k)) {
                send(new Envelope<>(Envelope.Kind.CHANGE, end.origin(), end.originRevision(), end.stamp(), k, null,
                    true, Envelope.NO_EXPIRY), liveAfter);
            }
        }
    }

    @Override
    public void flush() throws Exception {
        if (producer != null) {
            producer.flush();
        }
    }

    /**
     * Asks the cluster for its brokers, waiting at most {@code max.block.ms}.
     *
     * @return true if a broker answered
     */
    @Override
    public boolean isHealthy() {
        try {
            return !admin.describeCluster().nodes().get(healthTimeout.toMillis(), TimeUnit.MILLISECONDS).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debug("sink {}: the cluster did not answer a health check: {}", name, e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        dropProducer();
        admin.close(Duration.ofSeconds(5));
    }

    private void dropProducer() {
        Producer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            p.close(Duration.ZERO);
        }
    }

    @Override
    public String toString() {
        return "KafkaSink[" + name + " -> " + topic + "]";
    }
}
