package dev.syncmap.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.HybridLogicalClock;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How a replicated change is laid out in a changelog record.
 *
 * <p><b>Layout.</b> The record key is the map key and the record value the new value, each encoded by its
 * {@link CodecSerde} (so a consumer that knows the codecs, in any language, can read the map). A removal is a
 * Kafka tombstone: a null value, which compaction eventually deletes. The envelope's metadata travels in
 * headers, identically for values and tombstones, because a tombstone has no value to carry it:
 * <ul>
 *   <li>{@value #ORIGIN}: the origin node id, UTF-8;</li>
 *   <li>{@value #STAMP}: the {@link HybridLogicalClock} stamp, 8 bytes big-endian;</li>
 *   <li>{@value #REVISION}: the revision at the origin, 8 bytes big-endian;</li>
 *   <li>{@value #END}: 1 byte, 1 if the change is the last of its revision (the batch boundary);</li>
 *   <li>{@value #EXPIRES}: epoch milliseconds, 8 bytes, present only when the change expires.</li>
 * </ul>
 * The record's timestamp is the stamp's physical part, so Kafka tools show when the change was made.
 *
 * <p><b>Origin in the key (counters).</b> Compaction keeps the last record of each record key. For CRDT counters
 * every origin's record holds only that origin's contribution, so with the map key alone compaction would keep
 * one origin's contribution and drop the others'. With {@code originInKey} the record key is the encoded map key's
 * length (4 bytes), the encoded map key, then the origin (UTF-8), marked by the header {@value #ORIGIN_IN_KEY}:
 * compaction then keeps each origin's latest contribution, which is all a counter needs. Readers recognise
 * the layout by the header, so nodes of one map must agree on it only for compaction's sake.
 *
 * <p><b>Last-writer-wins of a removal.</b> Because the tombstone keeps its origin and stamp in headers, an
 * applier resolves it like any write: a removal wins or loses against a concurrent put by (stamp, origin), on
 * every node alike. Compaction keeps a tombstone for the topic's {@code delete.retention.ms}; a node that
 * bootstraps after it is gone simply never sees the key, which is the removal's effect.
 *
 * <p>Stateless and thread-safe.
 */
public final class ChangelogFormat {

    /** Header: origin node id. */
    public static final String ORIGIN = "syncmap.origin";
    /** Header: HLC stamp. */
    public static final String STAMP = "syncmap.stamp";
    /** Header: revision at the origin. */
    public static final String REVISION = "syncmap.revision";
    /** Header: end of the origin's revision (batch boundary). */
    public static final String END = "syncmap.end";
    /** Header: expiry, epoch milliseconds. */
    public static final String EXPIRES = "syncmap.expires";
    /** Header: present (1 byte, 1) when the record key is (map key, origin). */
    public static final String ORIGIN_IN_KEY = "syncmap.origin-in-key";

    private ChangelogFormat() {}

    /**
     * Builds the record for a change, keyed by the map key alone.
     *
     * @param topic the changelog topic
     * @param change a {@link Envelope.Kind#CHANGE}
     * @param keySerde encodes the key
     * @param valueSerde encodes the value
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the record, with a null value for a removal
     * @throws IllegalArgumentException if the envelope is an anchor marker (markers are not records)
     */
    public static <K, V> ProducerRecord<byte[], byte[]> toRecord(String topic, Envelope<K, V> change,
                                                                 CodecSerde<K> keySerde, CodecSerde<V> valueSerde) {
        return toRecord(topic, change, keySerde, valueSerde, false);
    }

    /**
     * Builds the record for a change.
     *
     * @param topic the changelog topic
     * @param change a {@link Envelope.Kind#CHANGE}
     * @param keySerde encodes the key
     * @param valueSerde encodes the value
     * @param originInKey whether the record key is (map key, origin): for counters, see the class comment
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the record, with a null value for a removal
     * @throws IllegalArgumentException if the envelope is an anchor marker (markers are not records)
     */
    public static <K, V> ProducerRecord<byte[], byte[]> toRecord(String topic, Envelope<K, V> change,
                                                                 CodecSerde<K> keySerde, CodecSerde<V> valueSerde,
                                                                 boolean originInKey) {
        if (change.kind() != Envelope.Kind.CHANGE) {
            throw new IllegalArgumentException("only changes become records, not " + change.kind());
        }
        Headers headers = new RecordHeaders();
        headers.add(ORIGIN, change.origin().getBytes(StandardCharsets.UTF_8));
        headers.add(STAMP, longBytes(change.stamp()));
        headers.add(REVISION, longBytes(change.originRevision()));
        headers.add(END, new byte[] {(byte) (change.endOfRevision() ? 1 : 0)});
        if (change.expiresAtMillis() != Envelope.NO_EXPIRY) {
            headers.add(EXPIRES, longBytes(change.expiresAtMillis()));
        }
        byte[] key = keySerde.serialize(topic, change.key());
        if (originInKey) {
            byte[] origin = change.origin().getBytes(StandardCharsets.UTF_8);
            key = ByteBuffer.allocate(Integer.BYTES + key.length + origin.length).putInt(key.length).put(key)
                .put(origin).array();
            headers.add(ORIGIN_IN_KEY, new byte[] {1});
        }
        return new ProducerRecord<>(topic, null, HybridLogicalClock.physicalMillis(change.stamp()), key,
            valueSerde.serialize(topic, change.value()), headers);
    }

    /**
     * Reads a change from a record.
     *
     * @param r the record as the consumer returned it
     * @param keySerde decodes the key
     * @param valueSerde decodes the value
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the change (a removal for a tombstone)
     * @throws SerializationException if a header is missing or malformed, the key is null, or a codec cannot
     *     decode the bytes: the message names the topic, partition, offset and the problem
     */
    public static <K, V> Envelope<K, V> fromRecord(ConsumerRecord<byte[], byte[]> r, CodecSerde<K> keySerde,
                                                   CodecSerde<V> valueSerde) {
        return fromRecord(r, keySerde, valueSerde, null);
    }

    /**
     * Reads a change from a record, taking the origin's name from {@code origins}: a reader of many records
     * (the applier) holds one, so that the few origins of a topic are each one {@code String} however many
     * records carry them, instead of one per record kept alive by every version in the map.
     *
     * @param r the record as the consumer returned it
     * @param keySerde decodes the key
     * @param valueSerde decodes the value
     * @param origins the reader's origin names, or null to decode each record's afresh
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the change (a removal for a tombstone)
     * @throws SerializationException as {@link #fromRecord(ConsumerRecord, CodecSerde, CodecSerde)}
     */
    static <K, V> Envelope<K, V> fromRecord(ConsumerRecord<byte[], byte[]> r, CodecSerde<K> keySerde,
                                            CodecSerde<V> valueSerde, OriginNames origins) {
        Objects.requireNonNull(r, "record");
        try {
            // one pass over the headers (each header key is decoded once; the last of a name wins, as with
            // lastHeader): this runs for every record a node applies
            Header origin = null;
            Header stamp = null;
            Header revision = null;
            Header end = null;
            Header exp = null;
            Header layout = null;
            for (Header header : r.headers()) {
                switch (header.key()) {
                    case ORIGIN -> origin = header;
                    case STAMP -> stamp = header;
                    case REVISION -> revision = header;
                    case END -> end = header;
                    case EXPIRES -> exp = header;
                    case ORIGIN_IN_KEY -> layout = header;
                    default -> { } // another writer's header: not ours to read
                }
            }
            byte[] originBytes = required(origin, ORIGIN, -1);
            String originId = origins == null ? new String(originBytes, StandardCharsets.UTF_8)
                : origins.of(originBytes);
            long stampValue = longOf(required(stamp, STAMP, 8));
            long revisionValue = longOf(required(revision, REVISION, 8));
            boolean endValue = required(end, END, 1)[0] != 0;
            long expires = exp == null ? Envelope.NO_EXPIRY : longOf(sized(exp, 8));
            if (r.key() == null) {
                throw new SerializationException("the record has no key");
            }
            K key = keySerde.deserialize(r.topic(), mapKeyBytes(r.key(), layout));
            V value = valueSerde.deserialize(r.topic(), r.value());
            return new Envelope<>(Envelope.Kind.CHANGE, originId, revisionValue, stampValue, key, value, endValue,
                expires);
        } catch (SerializationException | IllegalArgumentException e) {
            throw new SerializationException("unreadable changelog record " + r.topic() + "-" + r.partition() + "@"
                + r.offset() + ": " + e.getMessage(), e);
        }
    }

    /** The encoded map key: the whole record key, or its first part when the origin is in the key. */
    private static byte[] mapKeyBytes(byte[] recordKey, Header layout) {
        if (layout == null) {
            return recordKey;
        }
        int n = recordKey.length < Integer.BYTES ? -1 : ByteBuffer.wrap(recordKey).getInt();
        if (n < 0 || n > recordKey.length - Integer.BYTES) {
            throw new SerializationException("record key of " + recordKey.length + " bytes does not hold the "
                + "(map key, origin) layout its header " + ORIGIN_IN_KEY + " announces");
        }
        return Arrays.copyOfRange(recordKey, Integer.BYTES, Integer.BYTES + n);
    }

    private static long longOf(byte[] b) {
        long v = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    private static byte[] required(Header header, String name, int size) {
        if (header == null) {
            throw new SerializationException("header " + name + " is missing (not written by syncmap?)");
        }
        return size < 0 ? header.value() : sized(header, size);
    }

    private static byte[] sized(Header header, int size) {
        byte[] v = header.value();
        if (v == null || v.length != size) {
            throw new SerializationException("header " + header.key() + " has " + (v == null ? "no" : v.length)
                + " bytes, expected " + size);
        }
        return v;
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(Long.BYTES).putLong(v).array();
    }

    /**
     * The origin names one reader has met, by their UTF-8 bytes. Not thread-safe: one per reading thread. A
     * topic has a few origins (one per node incarnation); should a reader meet very many, the names are
     * forgotten and collected afresh, so the cache stays small.
     */
    static final class OriginNames {
        /** More names than this and the cache starts again: no topic in use has so many live origins. */
        private static final int MAX = 4_096;
        private final Map<ByteBuffer, String> names = new HashMap<>();

        /** Returns the name these bytes encode, the same instance every time. */
        String of(byte[] utf8) {
            String name = names.get(ByteBuffer.wrap(utf8));
            if (name == null) {
                if (names.size() >= MAX) {
                    names.clear();
                }
                name = new String(utf8, StandardCharsets.UTF_8);
                names.put(ByteBuffer.wrap(utf8.clone()), name); // the record's array is not ours to keep
            }
            return name;
        }
    }
}
