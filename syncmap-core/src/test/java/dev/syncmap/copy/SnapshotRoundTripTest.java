package dev.syncmap.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRoundTripTest {

    record Point(int x, int y) {}

    static final Codec<Point> POINT = Codec.of("dev.syncmap.test.point/1",
        (p, out) -> {
            out.writeInt(p.x());
            out.writeInt(p.y());
        },
        in -> new Point(in.readInt(), in.readInt()));

    /** A random valid string: code points from ASCII, the BMP and the supplementary planes, no lone surrogates. */
    static String randomString(Random random) {
        int length = random.nextInt(random.nextInt(10) == 0 ? 2_000 : 20);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int cp;
            switch (random.nextInt(4)) {
                case 0 -> cp = random.nextInt(0x80);
                case 1 -> cp = 0x80 + random.nextInt(0x800 - 0x80);
                case 2 -> {
                    cp = 0x800 + random.nextInt(0x10000 - 0x800);
                    if (Character.isSurrogate((char) cp)) {
                        cp = 'x';
                    }
                }
                default -> cp = 0x10000 + random.nextInt(0x110000 - 0x10000);
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static <K, V> Snapshot<K, V> roundTrip(SnapshotFormat<K, V> format, Map<K, V> map) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        format.write(map, out);
        return format.read(new ByteArrayInputStream(out.toByteArray()));
    }

    @Test
    void randomStringLongContentRoundTrips() throws IOException {
        SnapshotFormat<String, Long> format = SnapshotFormat.of(Codecs.STRING, Codecs.LONG);
        for (long seed = 0; seed < 300; seed++) {
            Random random = new Random(seed);
            Map<String, Long> map = new HashMap<>();
            int size = random.nextInt(random.nextInt(5) == 0 ? 3_000 : 50);
            for (int i = 0; i < size; i++) {
                map.put(randomString(random), random.nextLong());
            }
            Snapshot<String, Long> back = roundTrip(format, map);
            assertEquals(map, back, "seed " + seed);
            assertEquals(Snapshot.NO_REVISION, back.revision());
        }
    }

    @Test
    void randomIntegerBytesContentRoundTrips() throws IOException {
        SnapshotFormat<Integer, byte[]> format = SnapshotFormat.of(Codecs.INTEGER, Codecs.BYTES);
        for (long seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            Map<Integer, byte[]> map = new HashMap<>();
            int size = random.nextInt(100);
            for (int i = 0; i < size; i++) {
                byte[] value = new byte[random.nextInt(random.nextInt(20) == 0 ? 200_000 : 30)];
                random.nextBytes(value);
                map.put(random.nextInt(), value);
            }
            Snapshot<Integer, byte[]> back = roundTrip(format, map);
            assertEquals(map.keySet(), back.keySet(), "seed " + seed);
            for (Map.Entry<Integer, byte[]> e : map.entrySet()) {
                assertArrayEquals(e.getValue(), back.get(e.getKey()), "seed " + seed + " key " + e.getKey());
            }
        }
    }

    @Test
    void userTypesRoundTripThroughAPluggedCodec() throws IOException {
        SnapshotFormat<Point, String> format = SnapshotFormat.of(POINT, Codecs.STRING);
        Map<Point, String> map = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            map.put(new Point(i, -i), "p" + i);
        }
        assertEquals(map, roundTrip(format, map));
    }

    @Test
    void edgeValuesAndRecordsSpanningFramesRoundTrip() throws IOException {
        SnapshotFormat<Long, String> longs = SnapshotFormat.of(Codecs.LONG, Codecs.STRING);
        Map<Long, String> map = Map.of(Long.MIN_VALUE, "", Long.MAX_VALUE, "x".repeat(300_000), 0L, "\uD83D\uDE00");
        assertEquals(map, roundTrip(longs, map));
        SnapshotFormat<Integer, byte[]> bytes = SnapshotFormat.of(Codecs.INTEGER, Codecs.BYTES);
        byte[] big = new byte[3 << 20]; // above the 1 MiB record buffer: read as it arrives
        new Random(1).nextBytes(big);
        Snapshot<Integer, byte[]> back = roundTrip(bytes, Map.of(Integer.MIN_VALUE, new byte[0], 1, big));
        assertArrayEquals(big, back.get(1));
        assertArrayEquals(new byte[0], back.get(Integer.MIN_VALUE));
        assertEquals(Map.of(), roundTrip(longs, Map.of()));
    }

    @Test
    void stringsThatUtf8CannotRepresentAreRefusedAtWriteTime() {
        SnapshotFormat<String, Long> format = SnapshotFormat.of(Codecs.STRING, Codecs.LONG);
        assertThrows(CharacterCodingException.class,
            () -> format.write(Map.of("lone \uD800 surrogate", 1L), OutputStream.nullOutputStream()));
    }

    @Test
    void revisionOfASnapshottableSourceIsKept() throws IOException {
        CowTestMap<String, Long> versioned = new CowTestMap<>();
        for (int i = 0; i < 7; i++) {
            versioned.put("k" + i, (long) i);
        }
        Snapshot<String, Long> back = roundTrip(SnapshotFormat.of(Codecs.STRING, Codecs.LONG), versioned);
        assertEquals(7, back.revision());
        assertEquals(versioned.snapshot(), back);
    }

    /**
     * 200,000 entries through a file, read back through an unbuffered stream: both directions stream, holding one
     * 64 KiB frame, never the whole file.
     */
    @Test
    void largeContentRoundTripsThroughAFile(@TempDir Path dir) throws IOException {
        SnapshotFormat<String, Long> format = SnapshotFormat.of(Codecs.STRING, Codecs.LONG);
        ConcurrentHashMap<String, Long> map = new ConcurrentHashMap<>();
        Random random = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            map.put("session-" + i + "-" + Long.toHexString(random.nextLong()), random.nextLong());
        }
        Path file = dir.resolve("big.snapshot");
        try (OutputStream out = Files.newOutputStream(file)) {
            SnapshotHeader header = format.write(map, out);
            assertEquals(200_000, header.entryCount());
        }
        assertTrue(Files.size(file) > 200_000 * 30L);
        Map<String, Long> destination = new HashMap<>();
        try (InputStream in = Files.newInputStream(file)) {
            format.readInto(in, destination);
        }
        assertEquals(map, destination);
        // the snapshot read keeps the file's order, which is the order the map was iterated when written
        try (InputStream in = Files.newInputStream(file)) {
            Snapshot<String, Long> snapshot = format.read(in);
            Iterator<String> keys = snapshot.keySet().iterator();
            assertEquals(200_000, snapshot.size());
            assertTrue(map.containsKey(keys.next()));
        }
    }
}
