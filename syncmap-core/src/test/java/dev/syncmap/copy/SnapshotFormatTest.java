package dev.syncmap.copy;

import static dev.syncmap.copy.SnapshotFiles.read;
import static dev.syncmap.copy.SnapshotFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.Snapshot;
import dev.syncmap.copy.SnapshotFormatException.Problem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class SnapshotFormatTest {

    private static final SnapshotFormat<String, Long> FORMAT = SnapshotFormat.of(Codecs.STRING, Codecs.LONG);

    private static Map<String, Long> content(int n) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("key-" + i, i * 31L);
        }
        return m;
    }

    private static SnapshotFormatException fails(byte[] file) {
        return assertThrows(SnapshotFormatException.class, () -> read(FORMAT, file));
    }

    /** Reads into a pre-filled destination, expects a failure, and checks that the destination is untouched. */
    private static SnapshotFormatException failsLeavingDestinationUntouched(byte[] file) {
        Map<String, Long> destination = new HashMap<>(Map.of("key-1", -1L, "mine", 1L));
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class,
            () -> FORMAT.readInto(new ByteArrayInputStream(file), destination));
        assertEquals(Map.of("key-1", -1L, "mine", 1L), destination);
        return e;
    }

    @Test
    void headerRecordsRevisionCountAndCodecs() throws IOException {
        CowTestMap<String, Long> versioned = new CowTestMap<>();
        versioned.putAll(content(10));
        versioned.put("x", 1L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotHeader written = FORMAT.write(versioned, out);
        SnapshotHeader header = SnapshotFormat.readHeader(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(new SnapshotHeader(1, 2, 11, "syncmap.string", "syncmap.long"), header);
        assertEquals(written, header);
        assertEquals(2, read(FORMAT, out.toByteArray()).revision());

        // a plain or concurrent map has no revision: -1
        byte[] plain = write(FORMAT, new ConcurrentHashMap<>(content(3)));
        assertEquals(Snapshot.NO_REVISION, SnapshotFormat.readHeader(new ByteArrayInputStream(plain)).revision());
        assertEquals(content(3), read(FORMAT, plain));
    }

    @Test
    void exportOfACopyDescription() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FORMAT.write(MapCopy.of(content(100)).filter((k, v) -> v % 2 == 0).sorted(), out);
        Map<String, Long> back = read(FORMAT, out.toByteArray());
        assertEquals(50, back.size());
    }

    @Test
    void readIntoWritesFailureAtomically() throws IOException {
        byte[] file = write(FORMAT, content(100));
        Map<String, Long> destination = new HashMap<>(Map.of("mine", 1L));
        SnapshotHeader header = FORMAT.readInto(new ByteArrayInputStream(file), destination);
        assertEquals(100, header.entryCount());
        assertEquals(101, destination.size());

        Map<String, Long> before = new HashMap<>(Map.of("key-3", 5L));
        FailureAtomicCopyTest.FailingHashMap<String, Long> failing =
            new FailureAtomicCopyTest.FailingHashMap<>(before, 40);
        assertThrows(FailureAtomicCopyTest.Boom.class, () -> FORMAT.readInto(new ByteArrayInputStream(file), failing));
        assertEquals(before, failing);
    }

    @Test
    void everyTruncationIsReportedAsTruncated() {
        byte[] file = write(FORMAT, content(20));
        for (int length = 0; length < file.length; length++) {
            SnapshotFormatException e = failsLeavingDestinationUntouched(Arrays.copyOf(file, length));
            assertEquals(Problem.TRUNCATED, e.problem(), "length " + length + ": " + e.getMessage());
        }
    }

    @Test
    void truncationMessagesSayWhere() {
        byte[] file = write(FORMAT, content(8_000));
        assertTrue(file.length > 2 * Frames.MAX_PAYLOAD, "several body frames: " + file.length);
        assertEquals("truncated: the input is empty", fails(new byte[0]).getMessage());
        assertEquals("truncated in the magic bytes: the input holds 3 of 8 bytes",
            fails(Arrays.copyOf(file, 3)).getMessage());
        assertTrue(fails(Arrays.copyOf(file, 20)).getMessage().startsWith("truncated in the header: the input ends"
            + " inside the payload of the header frame"));
        String middle = fails(Arrays.copyOf(file, file.length / 2)).getMessage();
        assertTrue(middle.matches("truncated after [0-9,]+ of 8,000 entries: the input ends inside the payload of"
            + " body frame [0-9]+ at byte [0-9,]+"), middle);
        int entriesRead = Integer.parseInt(middle.replaceAll("truncated after ([0-9,]+) of.*", "$1").replace(",", ""));
        assertTrue(entriesRead > 1_000 && entriesRead < 7_000, middle);
        assertEquals("truncated after all 8,000 entries: the input ends in the final checksum, at byte "
                + String.format("%,d", file.length - 2),
            fails(Arrays.copyOf(file, file.length - 2)).getMessage());
    }

    @Test
    void everyCorruptedByteIsDetected() {
        byte[] file = write(FORMAT, content(20));
        for (int position = 0; position < file.length; position++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] bad = file.clone();
                bad[position] ^= (byte) mask;
                SnapshotFormatException e = failsLeavingDestinationUntouched(bad);
                Problem expected = position < 8 ? Problem.BAD_MAGIC : Problem.CHECKSUM_MISMATCH;
                assertEquals(expected, e.problem(), "byte " + position + ": " + e.getMessage());
            }
        }
    }

    @Test
    void corruptedBytesInALargeFileAreChecksumMismatches() {
        byte[] file = write(FORMAT, content(5_000));
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            int position = 8 + random.nextInt(file.length - 8);
            byte[] bad = file.clone();
            bad[position] ^= (byte) (1 + random.nextInt(255));
            SnapshotFormatException e = fails(bad);
            assertEquals(Problem.CHECKSUM_MISMATCH, e.problem(), "byte " + position + ": " + e.getMessage());
            assertTrue(e.getMessage().matches("checksum mismatch .*: expected 0x[0-9A-F]{8}, got 0x[0-9A-F]{8}"),
                e.getMessage());
        }
    }

    @Test
    void lostOrRepeatedFramesFailTheWholeFileChecksum() {
        byte[] file = write(FORMAT, content(10_000));
        List<byte[]> parts = SnapshotFiles.split(file);
        assertTrue(parts.size() >= 6, "magic, header, >= 2 body frames, end, trailer");
        List<byte[]> lost = new java.util.ArrayList<>(parts);
        lost.remove(3);
        assertEquals(Problem.CHECKSUM_MISMATCH, failsLeavingDestinationUntouched(SnapshotFiles.join(lost)).problem());
        List<byte[]> repeated = new java.util.ArrayList<>(parts);
        repeated.add(3, parts.get(3));
        assertEquals(Problem.CHECKSUM_MISMATCH,
            failsLeavingDestinationUntouched(SnapshotFiles.join(repeated)).problem());
        List<byte[]> swapped = new java.util.ArrayList<>(parts);
        swapped.set(2, parts.get(3));
        swapped.set(3, parts.get(2));
        SnapshotFormatException e = failsLeavingDestinationUntouched(SnapshotFiles.join(swapped));
        assertEquals(Problem.CHECKSUM_MISMATCH, e.problem(), e.getMessage());
    }

    @Test
    void wrongMagicIsNotASnapshot() {
        byte[] zip = {0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00};
        SnapshotFormatException e = failsLeavingDestinationUntouched(zip);
        assertEquals(Problem.BAD_MAGIC, e.problem());
        assertEquals("not a syncmap snapshot: expected magic bytes 89 53 59 4E 43 4D 41 50, got"
            + " 50 4B 03 04 14 00 00 00", e.getMessage());
        assertEquals(Problem.BAD_MAGIC, fails(new byte[] {0x50}).problem());
    }

    @Test
    void newerOrInvalidVersionsAreRefusedWithTheirNumber() throws IOException {
        SnapshotFormatException e = failsLeavingDestinationUntouched(SnapshotFiles.craftIntFile(7, 0));
        assertEquals(Problem.UNSUPPORTED_VERSION, e.problem());
        assertEquals("format version 7 is newer than supported 1", e.getMessage());
        e = assertThrows(SnapshotFormatException.class,
            () -> SnapshotFormat.readHeader(new ByteArrayInputStream(SnapshotFiles.craftIntFile(7, 0))));
        assertEquals("format version 7 is newer than supported 1", e.getMessage());
        e = fails(SnapshotFiles.craftIntFile(0, 0));
        assertEquals(Problem.UNSUPPORTED_VERSION, e.problem());
        assertEquals("format version 0 is invalid (versions start at 1)", e.getMessage());
    }

    @Test
    void codecMismatchNamesBothIds() {
        byte[] file = write(FORMAT, content(5));
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class,
            () -> read(SnapshotFormat.of(Codecs.STRING, Codecs.INTEGER), file));
        assertEquals(Problem.CODEC_MISMATCH, e.problem());
        assertEquals("value codec mismatch: the file was written with 'syncmap.long', this format reads"
            + " 'syncmap.int'", e.getMessage());
        e = assertThrows(SnapshotFormatException.class, () -> read(SnapshotFormat.of(Codecs.BYTES, Codecs.LONG), file));
        assertEquals("key codec mismatch: the file was written with 'syncmap.string', this format reads"
            + " 'syncmap.bytes'", e.getMessage());
    }

    @Test
    void aCodecThatReadsTooLittleOrReturnsNullIsMalformed() {
        byte[] file = write(FORMAT, content(5));
        Codec<Long> shortReader = Codec.of("syncmap.long", (v, out) -> out.writeLong(v), in -> (long) in.readInt());
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class,
            () -> read(SnapshotFormat.of(Codecs.STRING, shortReader), file));
        assertEquals(Problem.MALFORMED, e.problem());
        assertTrue(e.getMessage().startsWith("value codec 'syncmap.long' read 4 of the 8 bytes of the value of"
            + " entry 0"), e.getMessage());
        Codec<Long> nullReader = Codec.of("syncmap.long", (v, out) -> out.writeLong(v), in -> {
            in.readLong();
            return null;
        });
        e = assertThrows(SnapshotFormatException.class, () -> read(SnapshotFormat.of(Codecs.STRING, nullReader), file));
        assertTrue(e.getMessage().contains("returned null"), e.getMessage());
        Codec<Long> throwing = Codec.of("syncmap.long", (v, out) -> out.writeLong(v), in -> {
            throw new IllegalStateException("bad");
        });
        e = assertThrows(SnapshotFormatException.class, () -> read(SnapshotFormat.of(Codecs.STRING, throwing), file));
        assertEquals(IllegalStateException.class, e.getCause().getClass());
    }

    @Test
    void entryCountDisagreeingWithTheBodyIsMalformed() throws IOException {
        SnapshotFormat<Integer, Integer> ints = SnapshotFormat.of(Codecs.INTEGER, Codecs.INTEGER);
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class,
            () -> ints.read(new ByteArrayInputStream(SnapshotFiles.craftIntFile(1, 5, 1, 10, 2, 20, 3, 30))));
        assertEquals(Problem.MALFORMED, e.problem());
        assertTrue(e.getMessage().startsWith("the body ends at the key of entry 3 but the header announces 5"
            + " entries; 3 complete entries were read"), e.getMessage());
        e = assertThrows(SnapshotFormatException.class,
            () -> ints.read(new ByteArrayInputStream(SnapshotFiles.craftIntFile(1, 2, 1, 10, 2, 20, 3, 30))));
        assertTrue(e.getMessage().startsWith("the body holds more bytes after the last of its 2 entries"),
            e.getMessage());
        assertEquals(Map.of(1, 10, 2, 20),
            ints.read(new ByteArrayInputStream(SnapshotFiles.craftIntFile(1, 2, 1, 10, 2, 20))));
    }

    @Test
    void repeatedKeysAreMalformedAndLyingSizesRefusedByTheWriter() {
        SnapshotFiles.LyingSnapshot<String, Long> repeated = new SnapshotFiles.LyingSnapshot<>(
            List.of(Map.entry("a", 1L), Map.entry("a", 2L)), 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThrows(IllegalStateException.class, () -> FORMAT.write(
            new SnapshotFiles.LyingSnapshot<>(List.of(Map.entry("a", 1L)), 2), new ByteArrayOutputStream()));
        try {
            FORMAT.write(repeated, out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        SnapshotFormatException e = fails(out.toByteArray());
        assertEquals(Problem.MALFORMED, e.problem());
        assertTrue(e.getMessage().contains("the key of entry 1, a, repeats an earlier key"), e.getMessage());
    }

    @Test
    void readerStopsExactlyAtTheEndOfASnapshot() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FORMAT.write(content(1_000), out);
        FORMAT.write(content(3), out);
        out.write(42);
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        assertEquals(1_000, FORMAT.read(in).size());
        assertEquals(content(3), FORMAT.read(in));
        assertEquals(42, in.read());
    }

    @Test
    void streamFailuresPropagateUnchanged() {
        byte[] file = write(FORMAT, content(1_000));
        IOException disk = new IOException("disk on fire");
        InputStream failing = new FilterInputStream(new ByteArrayInputStream(file)) {
            private int left = 5_000;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    throw disk;
                }
                int n = super.read(b, off, Math.min(len, left));
                left -= Math.max(n, 0);
                return n;
            }
        };
        Map<String, Long> destination = new HashMap<>();
        IOException thrown = assertThrows(IOException.class, () -> FORMAT.readInto(failing, destination));
        assertSame(disk, thrown);
        assertTrue(destination.isEmpty());
    }

    @Test
    void codecIdsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Codec.of("", (v, o) -> {}, i -> 1));
        assertThrows(IllegalArgumentException.class, () -> Codec.of("x".repeat(256), (v, o) -> {}, i -> 1));
        assertThrows(IllegalArgumentException.class,
            () -> SnapshotFormat.of(Codecs.LONG, Codec.of("é".repeat(128), (v, o) -> {}, i -> 1)));
        assertEquals("Codec[syncmap.string]", Codecs.STRING.toString());
    }
}
