package dev.syncmap.copy;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The built-in {@link Codec}s: strings, longs, integers and byte arrays.
 *
 * <p>Their byte layouts are part of the snapshot format and never change under the same id.
 */
public final class Codecs {

    /**
     * {@link String}s as a 4-byte big-endian byte count and then the UTF-8 bytes (standard UTF-8, not Java's
     * modified UTF-8). Encoding and decoding are strict: a string with an unpaired surrogate cannot be written
     * (UTF-8 cannot represent it) and malformed UTF-8 cannot be read; both throw
     * {@link CharacterCodingException}. Id {@code "syncmap.string"}.
     */
    public static final Codec<String> STRING = new Named<>("syncmap.string") {
        @Override
        public void write(String value, DataOutput out) throws IOException {
            if (hasNoSurrogate(value)) {
                // without surrogates every char is encodable, and String.getBytes is the fast, intrinsic path
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                out.writeInt(bytes.length);
                out.write(bytes);
                return;
            }
            ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(value));
            out.writeInt(bytes.remaining());
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        }

        @Override
        public String read(DataInput in) throws IOException {
            if (in instanceof RecordInput record) {
                int length = in.readInt();
                if (length < 0) {
                    throw new IOException("negative length " + length);
                }
                return record.readUtf8(length); // decoded in place, the length checked against the record
            }
            byte[] bytes = readBytes(in);
            if (isAscii(bytes)) {
                // ASCII is valid UTF-8 that decodes byte for char: the cheap copy, same result as the strict path
                return new String(bytes, StandardCharsets.ISO_8859_1);
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        }
    };

    /** {@link Long}s as 8 bytes, big-endian. Id {@code "syncmap.long"}. */
    public static final Codec<Long> LONG = Codec.of("syncmap.long", (value, out) -> out.writeLong(value),
        DataInput::readLong);

    /** {@link Integer}s as 4 bytes, big-endian. Id {@code "syncmap.int"}. */
    public static final Codec<Integer> INTEGER = Codec.of("syncmap.int", (value, out) -> out.writeInt(value),
        DataInput::readInt);

    /**
     * Byte arrays as a 4-byte big-endian length and then the bytes. Arrays compare by identity, so as map keys
     * they are rarely what is wanted; as values they are fine. Id {@code "syncmap.bytes"}.
     */
    public static final Codec<byte[]> BYTES = new Named<>("syncmap.bytes") {
        @Override
        public void write(byte[] value, DataOutput out) throws IOException {
            out.writeInt(value.length);
            out.write(value);
        }

        @Override
        public byte[] read(DataInput in) throws IOException {
            return readBytes(in);
        }
    };

    private Codecs() {}

    /**
     * Decodes one value that must fill {@code bytes} exactly: a record key or value stored on its own (a Kafka
     * record, a Redis value), as opposed to one framed inside a snapshot file. The codec reads from a plain,
     * unsynchronized cursor over the array, and the built-in codecs decode strings in place; this is the fast
     * way to decode many small values (a {@code DataInputStream} over a {@code ByteArrayInputStream} takes a
     * lock per byte read and copies every string's bytes once more).
     *
     * @param codec the codec
     * @param bytes the encoded value, exactly
     * @param <T> the type decoded
     * @return the value
     * @throws IOException if the codec cannot decode the bytes, reads past their end, or leaves some unread (the
     *     message says how many: usually a sign that they were written with another codec)
     */
    public static <T> T decode(Codec<T> codec, byte[] bytes) throws IOException {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(bytes, "bytes");
        // one input per thread, reused (a DataInputStream allocates some 300 bytes of buffers when built); a
        // codec that decodes a nested value through this method while the outer one is still read gets its own
        RecordInput in = INPUTS.get();
        boolean own = in.inUse;
        if (own) {
            in = new RecordInput();
        }
        in.inUse = true;
        try {
            in.reset(bytes, bytes.length);
            T value = codec.read(in);
            int left = in.remaining();
            if (left != 0) {
                throw new IOException("codec " + codec.id() + " left " + left + " of " + bytes.length
                    + " bytes unread (written with another codec?)");
            }
            return value;
        } finally {
            in.reset(EMPTY, 0); // keep no reference to the caller's bytes
            in.inUse = false;
        }
    }

    private static final byte[] EMPTY = new byte[0];
    private static final ThreadLocal<RecordInput> INPUTS = ThreadLocal.withInitial(RecordInput::new);

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasNoSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** A codec with a fixed id and a {@code toString} that names it: the built-ins, and {@link Codec#of}'s. */
    abstract static class Named<T> implements Codec<T> {
        private final String id;

        Named(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String toString() {
            return "Codec[" + id + "]";
        }
    }

    /**
     * Reads a 4-byte length and that many bytes. Within a snapshot record the length is checked against the
     * bytes left in the record before anything is allocated, so a bad length cannot cause a huge allocation.
     */
    private static byte[] readBytes(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("negative length " + length);
        }
        if (in instanceof RecordInput record && length > record.remaining()) {
            throw new IOException("length " + length + " exceeds the " + record.remaining()
                + " bytes left in the record");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /**
     * Checks a codec id.
     *
     * @param id the id
     * @return its UTF-8 bytes
     * @throws IllegalArgumentException if it is empty or longer than 255 bytes
     */
    static byte[] checkId(String id) {
        Objects.requireNonNull(id, "id");
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > 255) {
            throw new IllegalArgumentException("a codec id must be 1 to 255 bytes of UTF-8, got " + bytes.length
                + " bytes: '" + id + "'");
        }
        return bytes;
    }
}
