package dev.syncmap.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.HybridLogicalClock;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The record layout: every envelope field survives the trip, a removal is a tombstone, bad bytes are named. */
class ChangelogFormatTest {

    static final CodecSerde<String> KEYS = new CodecSerde<>(Codecs.STRING);
    static final CodecSerde<Long> VALUES = new CodecSerde<>(Codecs.LONG);

    static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> p) {
        return new ConsumerRecord<>(p.topic(), 2, 41, p.timestamp(), TimestampType.CREATE_TIME, -1, -1, p.key(),
            p.value(), p.headers(), Optional.empty());
    }

    @Test
    void aChangeAndATombstoneSurviveTheTrip() {
        long stamp = HybridLogicalClock.stamp(1_700_000_000_000L, 3);
        Envelope<String, Long> put = new Envelope<>(Envelope.Kind.CHANGE, "n1.x", 17, stamp, "k", 42L, false, 99L);
        ProducerRecord<byte[], byte[]> r = ChangelogFormat.toRecord("t", put, KEYS, VALUES);
        assertEquals(1_700_000_000_000L, r.timestamp(), "record time is the stamp's physical part");
        assertEquals(put, ChangelogFormat.fromRecord(consumed(r), KEYS, VALUES));

        Envelope<String, Long> removal = Envelope.change("n2.y", 18, stamp + 1, "k", null, true);
        ProducerRecord<byte[], byte[]> t = ChangelogFormat.toRecord("t", removal, KEYS, VALUES);
        assertNull(t.value(), "a removal is a Kafka tombstone, so compaction deletes it");
        Envelope<String, Long> back = ChangelogFormat.fromRecord(consumed(t), KEYS, VALUES);
        assertEquals(removal, back, "the tombstone keeps its origin and stamp for last-writer-wins");
        assertTrue(back.isRemoval());
    }

    @Test
    void theCounterLayoutKeysByMapKeyAndOrigin() {
        Envelope<String, Long> a = Envelope.change("node-a.1", 3, 7, "k", 5L, true);
        Envelope<String, Long> b = Envelope.change("node-b.1", 3, 7, "k", 5L, true);
        ProducerRecord<byte[], byte[]> ra = ChangelogFormat.toRecord("t", a, KEYS, VALUES, true);
        ProducerRecord<byte[], byte[]> rb = ChangelogFormat.toRecord("t", b, KEYS, VALUES, true);
        assertTrue(!java.util.Arrays.equals(ra.key(), rb.key()), "two origins' records of one key must not compact");
        assertEquals(a, ChangelogFormat.fromRecord(consumed(ra), KEYS, VALUES));
        assertEquals(b, ChangelogFormat.fromRecord(consumed(rb), KEYS, VALUES));
    }

    @Test
    void bytesOfAnotherCodecAreNamedNotMisread() {
        ProducerRecord<byte[], byte[]> r = ChangelogFormat.toRecord("t", Envelope.change("n", 1, 5, "k", 1L, true),
            KEYS, VALUES);
        ProducerRecord<byte[], byte[]> wrong = new ProducerRecord<>("t", null, r.timestamp(), r.key(),
            new byte[] {0, 0, 0, 1}, r.headers());
        SerializationException e = assertThrows(SerializationException.class,
            () -> ChangelogFormat.fromRecord(consumed(wrong), KEYS, VALUES));
        assertTrue(e.getMessage().contains("t-2@41") && e.getMessage().contains("codec syncmap.long"),
            e::getMessage);
    }

    @Test
    void markersAreNotRecords() {
        Envelope<String, Long> start = new Envelope<>(Envelope.Kind.ANCHOR_START, "n", 3, 1, null, null, true,
            Envelope.NO_EXPIRY);
        assertThrows(IllegalArgumentException.class, () -> ChangelogFormat.toRecord("t", start, KEYS, VALUES));
        assertArrayEquals(KEYS.serialize("t", "k"), ChangelogFormat.toRecord("t",
            Envelope.change("n", 1, 1, "k", 1L, true), KEYS, VALUES).key());
    }
}
