package dev.syncmap.copy;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The {@link java.io.DataInput} a codec reads one key or value from: exactly the bytes of that record, reused
 * from record to record, so that reading a snapshot allocates nothing per record beyond the decoded objects.
 * Reading past the record's end throws {@link java.io.EOFException}; {@link #remaining()} tells the reader
 * whether the codec consumed the whole record.
 */
final class RecordInput extends DataInputStream {

    /** The record's bytes; a plain cursor over an array. */
    private static final class Slice extends InputStream {
        byte[] bytes = new byte[0];
        int position;
        int limit;

        @Override
        public int read() {
            return position < limit ? bytes[position++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int n = Math.min(len, limit - position);
            if (n <= 0) {
                return -1;
            }
            System.arraycopy(bytes, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public long skip(long n) {
            int k = (int) Math.max(0, Math.min(n, limit - position));
            position += k;
            return k;
        }

        @Override
        public int available() {
            return limit - position;
        }
    }

    private final Slice slice;
    /** True while {@link Codecs#decode} reads through this input (its per-thread instance is not re-entered). */
    boolean inUse;

    RecordInput() {
        this(new Slice());
    }

    private RecordInput(Slice slice) {
        super(slice);
        this.slice = slice;
    }

    /** Points this input at a new record: the first {@code length} bytes of {@code bytes}. */
    void reset(byte[] bytes, int length) {
        slice.bytes = bytes;
        slice.position = 0;
        slice.limit = length;
    }

    /** Returns the number of bytes of the record not read yet. */
    int remaining() {
        return slice.limit - slice.position;
    }

    /**
     * Reads the next {@code length} bytes as strict UTF-8, straight from the record's bytes (no copy of them
     * first): ASCII, the common case, is decoded byte for char, which is the same result as the strict decoder.
     *
     * @param length the number of bytes, not negative
     * @return the string
     * @throws EOFException if fewer bytes are left in the record
     * @throws java.nio.charset.CharacterCodingException if the bytes are not valid UTF-8
     */
    String readUtf8(int length) throws IOException {
        Slice s = slice;
        if (length > s.limit - s.position) {
            throw new EOFException("length " + length + " exceeds the " + (s.limit - s.position)
                + " bytes left in the record");
        }
        int from = s.position;
        int to = from + length;
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            if (s.bytes[i] < 0) {
                ascii = false;
                break;
            }
        }
        String out = ascii ? new String(s.bytes, from, length, StandardCharsets.ISO_8859_1)
            : StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(s.bytes, from, length)).toString();
        s.position = to; // only once decoded: a malformed string leaves the cursor where it was
        return out;
    }
}
