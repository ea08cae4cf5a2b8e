package dev.syncmap.copy;

import java.io.DataInputStream;
import java.io.InputStream;

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
}
