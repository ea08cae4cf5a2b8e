package dev.syncmap.copy;

import dev.syncmap.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Exports a map's content to a binary snapshot file and imports it back, through a {@link Codec} for keys and
 * one for values, streaming in both directions: a file can be far larger than any byte array.
 *
 * <pre>{@code
 * SnapshotFormat<String, Long> format = SnapshotFormat.of(Codecs.STRING, Codecs.LONG);
 * try (OutputStream out = Files.newOutputStream(path)) {
 *     format.write(versionedMap, out);                  // records the snapshot's revision
 * }
 * try (InputStream in = Files.newInputStream(path)) {
 *     Snapshot<String, Long> restored = format.read(in); // or format.readInto(in, map)
 * }
 * }</pre>
 *
 * <h2>File layout, format version 1</h2>
 * All integers are big-endian.
 * <pre>
 * magic      8 bytes   0x89 'S' 'Y' 'N' 'C' 'M' 'A' 'P'
 * header     1 frame   u16 format version, i64 revision, i64 entry count,
 *                      u8 key codec id length, key codec id (UTF-8), u8 value codec id length, value codec id
 * body       frames    the entries, each a key record then a value record;
 *                      a record is its length (unsigned LEB128 varint) and the bytes its codec wrote
 * end        1 frame   of length 0
 * trailer    u32       CRC32C of every byte from the magic through the end frame
 * frame:     u32 payload length (at most 65,536), u32 CRC32C of those 4 length bytes, the payload,
 *            u32 CRC32C of the payload
 * </pre>
 * Every version keeps the magic and a first frame that starts with the u16 format version; only what follows
 * may change. So a reader can check the header's integrity and then say precisely that a file is newer than it
 * supports. Per-frame checksums pinpoint a corrupted byte before any of it is decoded (a corrupted length can
 * never look like a truncation), and the whole-file CRC32C catches frames lost, repeated or moved. The record
 * lengths let the reader check that a codec consumed exactly what its writer produced.
 *
 * <h2>Revision recorded</h2>
 * The header's {@code i64 revision} is the {@link Snapshot#revision()} of the state the file holds, with the
 * meaning defined there: equal revisions of one source map mean equal content, a later export never has a smaller
 * one, and only a {@code VersionedMap}'s is a position in its change feed (so a replica loaded from the file
 * resumes with {@code changesSince(revision)}). Exporting a {@link Snapshot} records its revision; exporting a
 * {@link dev.syncmap.Snapshottable} map ({@code VersionedMap}, {@code CopyOnWriteMap}, {@code LockedMap}) takes
 * its snapshot first and records that revision. Any other map is first copied by {@link MapCopy} (weakly
 * consistent for a concurrent map) and the file records {@link Snapshot#NO_REVISION} ({@code -1}): the content
 * is not a point-in-time state, and a replica restored from it must not resume a change feed from it. Reading a
 * file back gives a {@link Snapshot} with the recorded revision, but revisions of different maps are not
 * comparable: the file says which state of <em>its</em> source it holds, not a revision of the map it is read
 * into.
 *
 * <h2>Import guarantees</h2>
 * Reading decodes every entry and verifies every checksum before it returns anything or touches a destination.
 * A defective input fails with a {@link SnapshotFormatException} whose {@link SnapshotFormatException#problem()}
 * says which defect and whose message says what exactly: truncated (and after how many entries), a checksum
 * mismatch (where, the expected and the computed value), wrong magic bytes, a newer or invalid format version, a
 * codec id that is not this format's, or intact but malformed content. An {@link IOException} from the stream
 * itself propagates unchanged. {@link #readInto} then writes failure-atomically (as {@link MapCopy#into}).
 * Reading consumes exactly the snapshot's bytes (never past the trailer), in large blocks, so the stream need
 * not be buffered; it is never closed.
 *
 * <p>Thread-safety: a {@code SnapshotFormat} is immutable and may be shared; each call uses its own state.
 * Memory: writing holds one 64 KiB frame; reading holds the decoded entries (the result) plus one frame.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class SnapshotFormat<K, V> {

    /** The format version this class writes, and the newest it reads. */
    public static final int CURRENT_VERSION = 1;

    private final Codec<K> keyCodec;
    private final Codec<V> valueCodec;
    private final byte[] keyCodecId;
    private final byte[] valueCodecId;

    private SnapshotFormat(Codec<K> keyCodec, Codec<V> valueCodec) {
        this.keyCodec = keyCodec;
        this.valueCodec = valueCodec;
        this.keyCodecId = Codecs.checkId(keyCodec.id());
        this.valueCodecId = Codecs.checkId(valueCodec.id());
    }

    /**
     * Creates a format for the given codecs.
     *
     * @param keyCodec encodes keys
     * @param valueCodec encodes values
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the format
     * @throws IllegalArgumentException if a codec id is empty or longer than 255 bytes of UTF-8
     */
    public static <K, V> SnapshotFormat<K, V> of(Codec<K> keyCodec, Codec<V> valueCodec) {
        return new SnapshotFormat<>(Objects.requireNonNull(keyCodec, "keyCodec"),
            Objects.requireNonNull(valueCodec, "valueCodec"));
    }

    /**
     * Returns the key codec.
     *
     * @return the key codec
     */
    public Codec<K> keyCodec() {
        return keyCodec;
    }

    /**
     * Returns the value codec.
     *
     * @return the value codec
     */
    public Codec<V> valueCodec() {
        return valueCodec;
    }

    /* ---------------- Export ---------------- */

    /**
     * Writes a snapshot of {@code source} to {@code out}: exact with its revision when the source is a
     * {@link Snapshot} or {@link dev.syncmap.Snapshottable}, otherwise a {@link MapCopy} of it with revision
     * {@link Snapshot#NO_REVISION} (see the class documentation). Flushes {@code out}, never closes it.
     *
     * <p>If a codec or the stream throws, the exception propagates and what was written is an incomplete
     * file, which every reader rejects as truncated.
     *
     * @param source the map to export
     * @param out where to write
     * @return the header written
     * @throws IOException if a codec or {@code out} throws one
     */
    public SnapshotHeader write(Map<? extends K, ? extends V> source, OutputStream out) throws IOException {
        Objects.requireNonNull(source, "source");
        return write(MapCopy.of(source), out);
    }

    /**
     * Writes the result of a copy description ({@link MapCopy#toSnapshot()}) to {@code out}: use it to export
     * a transformed, filtered, sorted or chunk-read copy. Flushes {@code out}, never closes it.
     *
     * @param copy the copy to export
     * @param out where to write
     * @return the header written
     * @throws IOException if a codec or {@code out} throws one
     */
    public SnapshotHeader write(MapCopy<? extends K, ? extends V> copy, OutputStream out) throws IOException {
        Objects.requireNonNull(copy, "copy");
        Objects.requireNonNull(out, "out");
        return writeSnapshot(copy.toSnapshot(), out);
    }

    private SnapshotHeader writeSnapshot(Snapshot<? extends K, ? extends V> snapshot, OutputStream out)
            throws IOException {
        SnapshotHeader header = new SnapshotHeader(CURRENT_VERSION, snapshot.revision(), snapshot.size(),
            keyCodec.id(), valueCodec.id());
        Frames.Writer frames = new Frames.Writer(out);
        frames.writeMagic();
        frames.writeFrame(encodeHeader(header));
        ByteArrayOutputStream recordBytes = new ByteArrayOutputStream(64);
        DataOutputStream record = new DataOutputStream(recordBytes);
        long written = 0;
        for (Map.Entry<? extends K, ? extends V> e : snapshot.entrySet()) {
            recordBytes.reset();
            keyCodec.write(e.getKey(), record);
            writeRecord(frames, recordBytes);
            recordBytes.reset();
            valueCodec.write(e.getValue(), record);
            writeRecord(frames, recordBytes);
            written++;
        }
        if (written != header.entryCount()) {
            throw new IllegalStateException("the snapshot's size() is " + header.entryCount()
                + " but iterating it gave " + written + " entries; the output is invalid");
        }
        frames.finish();
        return header;
    }

    private static void writeRecord(Frames.Writer frames, ByteArrayOutputStream record) throws IOException {
        int length = record.size();
        while ((length & ~0x7F) != 0) {
            frames.write((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        frames.write(length);
        record.writeTo(frames);
    }

    private byte[] encodeHeader(SnapshotHeader header) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(header.formatVersion());
        out.writeLong(header.revision());
        out.writeLong(header.entryCount());
        out.writeByte(keyCodecId.length);
        out.write(keyCodecId);
        out.writeByte(valueCodecId.length);
        out.write(valueCodecId);
        return bytes.toByteArray();
    }

    /* ---------------- Import ---------------- */

    /**
     * Reads only the header of a snapshot file, checking the magic bytes, the header's checksum and the format
     * version; decodes no entry and needs no codec. The stream is left just after the header.
     *
     * @param in the input
     * @return the header
     * @throws SnapshotFormatException if the input is not the start of a valid snapshot of a supported version
     * @throws IOException if the stream throws
     */
    public static SnapshotHeader readHeader(InputStream in) throws IOException {
        return readHeader(new Frames.Reader(Objects.requireNonNull(in, "in")));
    }

    /**
     * Reads a whole snapshot file into an immutable {@link Snapshot} whose revision is the file's and whose
     * iteration follows the file's order.
     *
     * @param in the input; read up to the end of the snapshot, not closed
     * @return the snapshot
     * @throws SnapshotFormatException if the input is not a valid snapshot for this format (see the class
     *     documentation)
     * @throws IOException if the stream throws
     */
    public Snapshot<K, V> read(InputStream in) throws IOException {
        Decoded<K, V> decoded = decode(in);
        return new CopiedSnapshot<>(new ArrayList<>(decoded.entries().entrySet()), decoded.header().revision());
    }

    /**
     * Reads a whole snapshot file and then writes its entries into {@code destination}, all or nothing: the
     * file is decoded and verified completely before the first write, so a defective file leaves the
     * destination untouched; a destination that throws midway is restored as by {@link MapCopy#into(Map)}.
     * Keys of the destination absent from the file are left alone.
     *
     * @param in the input; read up to the end of the snapshot, not closed
     * @param destination the map to write into
     * @return the file's header
     * @throws SnapshotFormatException if the input is not a valid snapshot for this format
     * @throws IOException if the stream throws
     */
    public SnapshotHeader readInto(InputStream in, Map<? super K, ? super V> destination) throws IOException {
        Objects.requireNonNull(destination, "destination");
        Decoded<K, V> decoded = decode(in);
        SnapshotHeader header = decoded.header();
        Consistency consistency = header.revision() == Snapshot.NO_REVISION
            ? Consistency.WEAKLY_CONSISTENT : Consistency.EXACT;
        UndoLog.apply(destination, new ArrayList<>(decoded.entries().entrySet()), header.revision(), consistency);
        return header;
    }

    private record Decoded<K, V>(SnapshotHeader header, LinkedHashMap<K, V> entries) {}

    private static SnapshotFormatException problem(SnapshotFormatException.Problem problem, String message) {
        return new SnapshotFormatException(problem, message);
    }

    private static SnapshotHeader readHeader(Frames.Reader frames) throws IOException {
        byte[] magic = frames.readMagic();
        boolean prefixMatches = Arrays.equals(magic, Arrays.copyOf(Frames.MAGIC, magic.length));
        if (magic.length == 0) {
            throw problem(SnapshotFormatException.Problem.TRUNCATED, "truncated: the input is empty");
        }
        if (!prefixMatches) {
            throw problem(SnapshotFormatException.Problem.BAD_MAGIC, "not a syncmap snapshot: expected magic bytes "
                + hexBytes(Frames.MAGIC) + ", got " + hexBytes(magic));
        }
        if (magic.length < Frames.MAGIC.length) {
            throw problem(SnapshotFormatException.Problem.TRUNCATED, "truncated in the magic bytes: the input holds "
                + magic.length + " of " + Frames.MAGIC.length + " bytes");
        }
        int length;
        try {
            length = frames.readFrame();
        } catch (Frames.Truncated t) {
            throw new SnapshotFormatException(SnapshotFormatException.Problem.TRUNCATED,
                "truncated in the header: the input ends " + t.getMessage(), t);
        }
        DataInputStream header = new DataInputStream(new ByteArrayInputStream(frames.payload(length)));
        try {
            int version = header.readUnsignedShort();
            if (version > CURRENT_VERSION) {
                throw problem(SnapshotFormatException.Problem.UNSUPPORTED_VERSION,
                    "format version " + version + " is newer than supported " + CURRENT_VERSION);
            }
            if (version < 1) {
                throw problem(SnapshotFormatException.Problem.UNSUPPORTED_VERSION,
                    "format version " + version + " is invalid (versions start at 1)");
            }
            long revision = header.readLong();
            long entryCount = header.readLong();
            String keyId = readId(header);
            String valueId = readId(header);
            if (header.available() != 0) {
                throw problem(SnapshotFormatException.Problem.MALFORMED, "the version 1 header has "
                    + header.available() + " unexpected bytes at its end");
            }
            if (entryCount < 0) {
                throw problem(SnapshotFormatException.Problem.MALFORMED, "the header announces a negative entry"
                    + " count, " + entryCount);
            }
            return new SnapshotHeader(version, revision, entryCount, keyId, valueId);
        } catch (EOFException e) {
            throw new SnapshotFormatException(SnapshotFormatException.Problem.MALFORMED,
                "the header frame (" + length + " bytes) is too short for its fields", e);
        }
    }

    private static String readId(DataInputStream in) throws IOException {
        byte[] id = new byte[in.readUnsignedByte()];
        in.readFully(id);
        return new String(id, StandardCharsets.UTF_8);
    }

    private static String hexBytes(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02X", b & 0xFF));
        }
        return sb.length() == 0 ? "(none)" : sb.toString();
    }

    private Decoded<K, V> decode(InputStream in) throws IOException {
        Frames.Reader frames = new Frames.Reader(Objects.requireNonNull(in, "in"));
        SnapshotHeader header = readHeader(frames);
        checkCodec("key", header.keyCodecId(), keyCodec);
        checkCodec("value", header.valueCodecId(), valueCodec);
        long count = header.entryCount();
        LinkedHashMap<K, V> entries = new LinkedHashMap<>((int) Math.min(count * 4 / 3 + 16, 1 << 24));
        RecordReader records = new RecordReader(frames, count);
        long index = 0;
        try {
            for (; index < count; index++) {
                K key = records.read(keyCodec, "key", index);
                V value = records.read(valueCodec, "value", index);
                if (entries.putIfAbsent(key, value) != null) {
                    throw malformed(frames, "the key of entry " + Frames.count(index) + ", " + key
                        + ", repeats an earlier key");
                }
            }
            if (!frames.atEndOfBody()) {
                throw malformed(frames, "the body holds more bytes after the last of its "
                    + Frames.count(count) + " entries");
            }
            verifyFileChecksum(frames);
        } catch (Frames.Truncated t) {
            String where = index < count
                ? "truncated after " + Frames.count(index) + " of " + Frames.count(count) + " entries"
                : "truncated after all " + Frames.count(count) + " entries";
            throw new SnapshotFormatException(SnapshotFormatException.Problem.TRUNCATED,
                where + ": the input ends " + t.getMessage(), t);
        }
        return new Decoded<>(header, entries);
    }

    private static void checkCodec(String role, String fileId, Codec<?> codec) throws SnapshotFormatException {
        if (!fileId.equals(codec.id())) {
            throw problem(SnapshotFormatException.Problem.CODEC_MISMATCH, role + " codec mismatch: the file was"
                + " written with '" + fileId + "', this format reads '" + codec.id() + "'");
        }
    }

    private static void verifyFileChecksum(Frames.Reader frames) throws IOException {
        long computed = frames.computedFileChecksum();
        long stored = frames.readTrailer();
        if (stored != computed) {
            throw problem(SnapshotFormatException.Problem.CHECKSUM_MISMATCH, "checksum mismatch over the whole"
                + " file (a frame lost, repeated or moved, or the trailer corrupted): expected "
                + Frames.hex(stored) + ", got " + Frames.hex(computed));
        }
    }

    /**
     * Builds the exception for intact-looking but invalid content, after first checking the rest of the file:
     * if the remaining frames or the whole-file checksum fail, the file is corrupted (or truncated), and that is
     * the better diagnosis, so that exception is thrown instead.
     */
    private static SnapshotFormatException malformed(Frames.Reader frames, String message) throws IOException {
        return malformed(frames, message, null);
    }

    private static SnapshotFormatException malformed(Frames.Reader frames, String message, Throwable cause)
            throws IOException {
        frames.skipRestOfBody();
        verifyFileChecksum(frames);
        return new SnapshotFormatException(SnapshotFormatException.Problem.MALFORMED,
            message + " (every checksum matches: the writer or a codec is faulty)", cause);
    }

    /** Reads length-prefixed records from the body and decodes each with a codec. */
    private static final class RecordReader {
        private final Frames.Reader frames;
        private final long count;
        private final RecordInput input = new RecordInput();
        private byte[] buffer = new byte[256];

        RecordReader(Frames.Reader frames, long count) {
            this.frames = frames;
            this.count = count;
        }

        <T> T read(Codec<T> codec, String role, long index) throws IOException {
            int length = readLength(role, index);
            byte[] bytes;
            int n;
            if (length <= (1 << 20)) {
                if (length > buffer.length) {
                    buffer = new byte[Math.max(length, buffer.length * 2)];
                }
                bytes = buffer;
                n = frames.readNBytes(bytes, 0, length);
            } else {
                bytes = frames.readNBytes(length); // grows as data arrives: no up-front huge allocation
                n = bytes.length;
            }
            if (n < length) {
                throw bodyEndsEarly(role, index);
            }
            input.reset(bytes, length);
            T value;
            try {
                value = codec.read(input);
            } catch (IOException | RuntimeException e) {
                throw malformed(frames, role + " codec '" + codec.id() + "' cannot decode the " + which(role, index)
                    + ": " + e, e);
            }
            if (value == null) {
                throw malformed(frames, role + " codec '" + codec.id() + "' returned null for the "
                    + which(role, index));
            }
            if (input.remaining() != 0) {
                throw malformed(frames, role + " codec '" + codec.id() + "' read " + (length - input.remaining())
                    + " of the " + length + " bytes of the " + which(role, index));
            }
            return value;
        }

        /** Names a record in messages; built only when there is something to report. */
        private static String which(String role, long index) {
            return role + " of entry " + Frames.count(index);
        }

        private int readLength(String role, long index) throws IOException {
            int length = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = frames.read();
                if (b < 0) {
                    throw bodyEndsEarly(role, index);
                }
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (length < 0) {
                        break;
                    }
                    return length;
                }
            }
            throw malformed(frames, "the length of the " + which(role, index) + " is not a valid varint");
        }

        private SnapshotFormatException bodyEndsEarly(String role, long index) throws IOException {
            // the end frame came before the announced entries; the trailer decides: corrupted or malformed
            verifyFileChecksum(frames);
            return new SnapshotFormatException(SnapshotFormatException.Problem.MALFORMED,
                "the body ends at the " + which(role, index) + " but the header announces " + Frames.count(count)
                    + " entries; " + Frames.count(index) + " complete entries were read"
                    + " (every checksum matches: the writer is faulty)");
        }
    }
}
