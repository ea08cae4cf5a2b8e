package dev.syncmap.kafka;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.syncmap.Snapshot;
import dev.syncmap.copy.Codec;
import dev.syncmap.copy.Codecs;
import dev.syncmap.copy.SnapshotFormat;
import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.Versioned;

/**
 * A node's snapshot file: its applied state (every key's version, from which the view is rebuilt) with the
 * per-partition offsets that state covers, so a restarted node loads the file and reads the topic from there
 * instead of from the beginning.
 *
 * <p><b>Layout.</b> Two sections, each a complete file of core's {@link SnapshotFormat} (magic, checksummed
 * frames, whole-section CRC32C), one after the other, then the end of the file:
 * <ol>
 *   <li>the <i>description</i>, a {@code SnapshotFormat<String, String>}: {@code format}
 *   ({@value #FORMAT}), {@code topic}, {@code topicId}, {@code keyCodec}, {@code valueCodec}, {@code resolver},
 *   {@code originInKey}, {@code savedAtMillis}, {@code partitions} and one {@code offset.<partition>} per
 *   partition: the offset of the first record the state does <i>not</i> hold;</li>
 *   <li>the <i>state</i>, a {@code SnapshotFormat<K, SavedVersion<V>>} with the node's key codec and the value
 *   codec {@value #VERSION_CODEC_ID}: per key the version its view holds (a tombstone too, so a late older
 *   write stays beaten) and the highest revision seen from each of the key's other origins (so replays stay
 *   duplicates). The live, unexpired values are the view.</li>
 * </ol>
 * A truncated, corrupted or foreign file fails the checks of {@link SnapshotFormat} (the exception says which
 * defect and where), or of the description (format, topic, codecs); anything after the second section is an
 * error too.
 *
 * <p><b>Atomic replacement.</b> {@link #write} writes {@code <file>.tmp}, forces it to disk, renames it over the
 * file (an atomic move) and forces the directory, so a crash leaves the old file or the new one, never a mix.
 *
 * <p>Stateless; the methods may be called from any thread.
 */
final class NodeSnapshotFile {

    /** The description's format name and version. */
    static final String FORMAT = "syncmap-kafka-node/1";
    /** The state section's value codec id. */
    static final String VERSION_CODEC_ID = "syncmap-kafka.version/1";

    private static final SnapshotFormat<String, String> DESCRIPTION = SnapshotFormat.of(Codecs.STRING,
        Codecs.STRING);

    private NodeSnapshotFile() {}

    /**
     * A key's saved state: its version and the revisions seen from its other origins.
     *
     * @param version the version
     * @param otherOrigins highest revision per other origin (immutable)
     * @param <V> the type of values
     */
    record SavedVersion<V>(Versioned<V> version, Map<String, Long> otherOrigins) {}

    /**
     * What a file holds.
     *
     * @param description the description section
     * @param state the state section, by key
     * @param <K> the type of keys
     * @param <V> the type of values
     */
    record Contents<K, V>(Map<String, String> description, Snapshot<K, SavedVersion<V>> state) {}

    /**
     * Writes a snapshot file atomically (see the class comment).
     *
     * @param file the file
     * @param description the description section (this class adds {@code format})
     * @param state the state section
     * @param keyCodec encodes keys
     * @param valueCodec encodes values
     * @throws IOException if writing, forcing or renaming fails; the old file is then left as it was
     */
    static <K, V> void write(Path file, Map<String, String> description, Map<K, SavedVersion<V>> state,
                             Codec<K> keyCodec, Codec<V> valueCodec) throws IOException {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("format", FORMAT);
        d.putAll(description);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            DESCRIPTION.write(d, out);
            SnapshotFormat.of(keyCodec, new VersionCodec<>(valueCodec)).write(state, out);
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            try (FileChannel d2 = FileChannel.open(dir, StandardOpenOption.READ)) {
                d2.force(true); // the rename itself survives a crash
            }
        }
    }

    /**
     * Reads and checks a whole snapshot file.
     *
     * @param file the file
     * @param topic the topic the node replicates; the file must be of it
     * @param keyCodec decodes keys
     * @param valueCodec decodes values
     * @return the contents
     * @throws dev.syncmap.copy.SnapshotFormatException if a section is truncated, corrupted or written with other
     *     codecs (the message says which and where)
     * @throws Rejected if the file is intact but not this node's to load (another format, topic or codec), or
     *     holds bytes after its last section
     * @throws IOException if reading fails
     */
    static <K, V> Contents<K, V> read(Path file, String topic, Codec<K> keyCodec, Codec<V> valueCodec)
            throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            Map<String, String> d = new HashMap<>(DESCRIPTION.read(in));
            expect(d, "format", FORMAT);
            expect(d, "topic", topic);
            expect(d, "keyCodec", keyCodec.id());
            expect(d, "valueCodec", valueCodec.id());
            Snapshot<K, SavedVersion<V>> state = SnapshotFormat.of(keyCodec, new VersionCodec<>(valueCodec)).read(in);
            if (in.read() >= 0) {
                throw new Rejected("the file holds bytes after its state section (not written by this node?)");
            }
            return new Contents<>(d, state);
        }
    }

    private static void expect(Map<String, String> d, String name, String expected) throws Rejected {
        String found = d.get(name);
        if (!expected.equals(found)) {
            throw new Rejected("the file's " + name + " is " + (found == null ? "missing" : "'" + found + "'")
                + ", expected '" + expected + "'");
        }
    }

    /** An intact snapshot file that this node must not load; the message says why. */
    static final class Rejected extends IOException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message);
        }
    }

    /**
     * Encodes a {@link SavedVersion}: flags (tombstone, expiry, contributions), stamp, origin, revision, expiry,
     * the value (length-prefixed, by the node's value codec), contributions, other origins.
     */
    static final class VersionCodec<V> implements Codec<SavedVersion<V>> {
        private static final int TOMBSTONE = 1;
        private static final int EXPIRES = 2;
        private static final int CONTRIBUTIONS = 4;

        private final Codec<V> values;

        VersionCodec(Codec<V> values) {
            this.values = Objects.requireNonNull(values, "values");
        }

        @Override
        public String id() {
            return VERSION_CODEC_ID;
        }

        @Override
        public void write(SavedVersion<V> saved, DataOutput out) throws IOException {
            Versioned<V> v = saved.version();
            boolean expires = v.expiresAtMillis() != Envelope.NO_EXPIRY;
            out.writeByte((v.isTombstone() ? TOMBSTONE : 0) | (expires ? EXPIRES : 0)
                | (v.contributions().isEmpty() ? 0 : CONTRIBUTIONS));
            out.writeLong(v.stamp());
            out.writeUTF(v.origin());
            out.writeLong(v.originRevision());
            if (expires) {
                out.writeLong(v.expiresAtMillis());
            }
            if (!v.isTombstone()) {
                writeValue(v.value(), out);
            }
            if (!v.contributions().isEmpty()) {
                out.writeInt(v.contributions().size());
                for (Map.Entry<String, V> c : v.contributions().entrySet()) {
                    out.writeUTF(c.getKey());
                    writeValue(c.getValue(), out);
                }
            }
            out.writeInt(saved.otherOrigins().size());
            for (Map.Entry<String, Long> o : saved.otherOrigins().entrySet()) {
                out.writeUTF(o.getKey());
                out.writeLong(o.getValue());
            }
        }

        @Override
        public SavedVersion<V> read(DataInput in) throws IOException {
            int flags = in.readUnsignedByte();
            if ((flags & ~(TOMBSTONE | EXPIRES | CONTRIBUTIONS)) != 0) {
                throw new IOException("unknown version flags " + Integer.toHexString(flags));
            }
            long stamp = in.readLong();
            String origin = in.readUTF();
            long revision = in.readLong();
            long expires = (flags & EXPIRES) != 0 ? in.readLong() : Envelope.NO_EXPIRY;
            V value = (flags & TOMBSTONE) != 0 ? null : readValue(in);
            Map<String, V> contributions = Map.of();
            if ((flags & CONTRIBUTIONS) != 0) {
                int n = count(in.readInt());
                Map<String, V> c = new HashMap<>(n * 2);
                for (int i = 0; i < n; i++) {
                    c.put(in.readUTF(), readValue(in));
                }
                contributions = c;
            }
            int n = count(in.readInt());
            Map<String, Long> others = n == 0 ? Map.of() : new HashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                others.put(in.readUTF(), in.readLong());
            }
            return new SavedVersion<>(new Versioned<>(value, stamp, origin, revision, expires, contributions),
                others);
        }

        private void writeValue(V value, DataOutput out) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            values.write(value, new DataOutputStream(bytes));
            out.writeInt(bytes.size());
            out.write(bytes.toByteArray());
        }

        private V readValue(DataInput in) throws IOException {
            byte[] bytes = new byte[count(in.readInt())];
            in.readFully(bytes);
            DataInputStream data = new DataInputStream(new ByteArrayInputStream(bytes));
            V v = values.read(data);
            if (data.available() != 0) {
                throw new IOException("value codec " + values.id() + " left " + data.available() + " of "
                    + bytes.length + " bytes unread");
            }
            return v;
        }

        private static int count(int n) throws IOException {
            if (n < 0) {
                throw new IOException("negative count " + n);
            }
            return n;
        }
    }
}
