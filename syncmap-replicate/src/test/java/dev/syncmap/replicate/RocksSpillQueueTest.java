package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.syncmap.copy.Codec;
import dev.syncmap.copy.Codecs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** The spill queue on a real RocksDB: order, reopen, bounds, and every kind of damage reported by name. */
class RocksSpillQueueTest {

    @TempDir
    Path dir;

    static List<Envelope<Integer, String>> batch(int from, int n) {
        List<Envelope<Integer, String>> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            b.add(Envelope.change("n", from + i, 7, from + i, i % 3 == 0 ? null : "v" + (from + i), i == n - 1));
        }
        return b;
    }

    RocksSpillQueue<Integer, String> open() throws IOException {
        return RocksSpillQueue.open(dir, Codecs.INTEGER, Codecs.STRING, 1 << 20, Duration.ofHours(24), false);
    }

    @Test
    void fifoSurvivesReopen() throws Exception {
        try (RocksSpillQueue<Integer, String> q = open()) {
            List<Envelope<Integer, String>> anchor = List.of(
                new Envelope<>(Envelope.Kind.ANCHOR_START, "n", 5, 1, null, null, true, Envelope.NO_EXPIRY));
            assertTrue(q.append(anchor, System.currentTimeMillis()));
            for (int i = 0; i < 10; i++) {
                assertTrue(q.append(batch(i * 10, 10), System.currentTimeMillis()));
            }
            assertEquals(11, q.entries());
            assertEquals(101, q.changes());
            assertEquals(anchor, q.peek());
            q.removeHead();
            assertEquals(batch(0, 10), q.peek());
            q.removeHead();
        }
        try (RocksSpillQueue<Integer, String> q = open()) {
            assertEquals(9, q.entries());
            for (int i = 1; i < 10; i++) {
                assertEquals(batch(i * 10, 10), q.peek(), "entry " + i + " after reopening");
                q.removeHead();
            }
            assertNull(q.peek());
            assertEquals(0, q.bytes());
        }
    }

    @Test
    void boundsRefuseWithoutWriting() throws Exception {
        try (RocksSpillQueue<Integer, String> q = RocksSpillQueue.open(dir, Codecs.INTEGER, Codecs.STRING, 2_000,
            Duration.ofMinutes(1), true)) {
            long now = System.currentTimeMillis();
            int n = 0;
            while (q.append(batch(n * 10, 10), now)) {
                n++;
            }
            assertTrue(n > 1 && q.bytes() <= 2_000, "byte bound: " + q);
            q.removeHead();
            assertTrue(q.append(batch(0, 10), now));
            assertFalse(q.append(batch(0, 1), now + Duration.ofMinutes(2).toMillis()), "age bound");
            q.clear();
            assertEquals(0, q.entries());
            assertTrue(q.append(batch(0, 1), now), "room again after clear");
        }
    }

    @Test
    void aCodecThatThrowsWritesNothing() throws Exception {
        Codec<String> bad = Codec.of("test.bad", (v, out) -> {
            out.writeInt(1);
            throw new IOException("cannot encode " + v);
        }, in -> "x");
        try (RocksSpillQueue<Integer, String> q = RocksSpillQueue.open(dir, Codecs.INTEGER, bad, 1 << 20,
            Duration.ofHours(1), false)) {
            assertThrows(IOException.class, () -> q.append(batch(0, 3), 0));
            assertEquals(0, q.entries());
        }
    }

    /** Writes a raw value at a sequence key, as damage from outside would. */
    void poke(long seq, byte[] value) throws Exception {
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
            db.put(ByteBuffer.allocate(8).putLong(seq).array(), value);
        }
    }

    byte[] raw(long seq) throws Exception {
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
            return db.get(ByteBuffer.allocate(8).putLong(seq).array());
        }
    }

    void fill(int n) throws IOException {
        try (RocksSpillQueue<Integer, String> q = open()) {
            for (int i = 0; i < n; i++) {
                q.append(batch(i * 10, 10), System.currentTimeMillis());
            }
        }
    }

    @Test
    void aFlippedBitIsReportedWithTheFileAndEntry() throws Exception {
        fill(3);
        byte[] v = raw(1);
        v[v.length / 2] ^= 0x10;
        poke(1, v);
        CorruptStateException e = assertThrows(CorruptStateException.class, this::open);
        assertEquals(dir, e.file());
        assertTrue(e.getMessage().contains("entry 1") && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void aTruncatedRecordIsReported() throws Exception {
        fill(3);
        byte[] v = raw(2);
        poke(2, java.util.Arrays.copyOf(v, v.length - 9));
        CorruptStateException e = assertThrows(CorruptStateException.class, this::open);
        assertTrue(e.getMessage().startsWith(dir.toString()) && e.getMessage().contains("entry 2"), e.getMessage());
    }

    @Test
    void anUnknownFormatVersionIsReported() throws Exception {
        fill(2);
        byte[] v = raw(0);
        v[0] = 9;
        poke(0, v);
        CorruptStateException e = assertThrows(CorruptStateException.class, this::open);
        assertTrue(e.getMessage().contains("unknown format version 9"), e.getMessage());
    }

    @Test
    void aMissingEntryIsReported() throws Exception {
        fill(3);
        try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
            db.delete(ByteBuffer.allocate(8).putLong(1).array());
        }
        CorruptStateException e = assertThrows(CorruptStateException.class, this::open);
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void otherCodecsAreRefused() throws Exception {
        fill(1);
        CorruptStateException e = assertThrows(CorruptStateException.class, () -> RocksSpillQueue.open(dir,
            Codecs.LONG, Codecs.STRING, 1 << 20, Duration.ofHours(1), false));
        assertTrue(e.getMessage().contains("codecs"), e.getMessage());
    }

    @Test
    void aTruncatedTableFileIsReportedAsCorrupt() throws Exception {
        fill(50); // close() flushes the memtable into a table file
        Path sst;
        try (var files = Files.list(dir)) {
            sst = files.filter(f -> f.toString().endsWith(".sst")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(sst, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        CorruptStateException e = assertThrows(CorruptStateException.class, this::open);
        assertEquals(dir, e.file());
    }
}
