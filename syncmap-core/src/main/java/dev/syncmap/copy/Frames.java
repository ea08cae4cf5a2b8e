package dev.syncmap.copy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The envelope of a snapshot file: magic bytes, checksummed frames, and a whole-file checksum. See
 * {@link SnapshotFormat} for the layout and why it is built this way.
 *
 * <p>Implementation notes: a frame is {@code [length: u32][CRC32C of the 4 length bytes: u32][payload]
 * [CRC32C of the payload: u32]}, with {@code 0 <= length <= }{@value #MAX_PAYLOAD}; a frame of length 0 ends the
 * body. Checking the length's own checksum before using the length means a corrupted length is reported as a
 * checksum mismatch, never misread as a truncation or an absurd allocation, and a payload is handed to the
 * decoder only after its checksum matched, so codecs never see corrupted bytes. The whole-file checksum
 * (every byte from the magic through the end frame) then catches what per-frame checks cannot: a frame lost,
 * repeated or moved.
 */
final class Frames {

    /** The first 8 bytes of every snapshot file: a non-ASCII byte (to catch 7-bit mangling), then "SYNCMAP". */
    static final byte[] MAGIC = {(byte) 0x89, 'S', 'Y', 'N', 'C', 'M', 'A', 'P'};

    /** The largest payload of one frame. */
    static final int MAX_PAYLOAD = 1 << 16;

    private static final int FRAME_OVERHEAD = 12;

    private Frames() {}

    static String hex(long checksum) {
        return String.format(Locale.ROOT, "0x%08X", checksum);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static int crc(CRC32C crc, byte[] b, int off, int len) {
        crc.reset();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    /** The input ended inside the snapshot; {@code where} says where, for the caller's message. */
    static final class Truncated extends IOException {
        private static final long serialVersionUID = 1L;

        Truncated(String where) {
            super(where);
        }
    }

    /**
     * Writes frames to a stream; the body is written through this {@link OutputStream}'s methods and cut into
     * frames of {@value #MAX_PAYLOAD} bytes. Writes one array per frame to the underlying stream.
     */
    static final class Writer extends OutputStream {
        private final OutputStream out;
        private final CRC32C fileChecksum = new CRC32C();
        private final CRC32C scratch = new CRC32C();
        /** The frame being built: 8 bytes of length and length checksum, the payload, 4 bytes of checksum. */
        private final byte[] frame = new byte[MAX_PAYLOAD + FRAME_OVERHEAD];
        private int payloadLength;

        Writer(OutputStream out) {
            this.out = out;
        }

        void writeMagic() throws IOException {
            emit(MAGIC, MAGIC.length);
        }

        /** Writes one frame holding {@code payload} (at most {@value #MAX_PAYLOAD} bytes). */
        void writeFrame(byte[] payload) throws IOException {
            System.arraycopy(payload, 0, frame, 8, payload.length);
            payloadLength = payload.length;
            flushFrame();
        }

        @Override
        public void write(int b) throws IOException {
            frame[8 + payloadLength++] = (byte) b;
            if (payloadLength == MAX_PAYLOAD) {
                flushFrame();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, MAX_PAYLOAD - payloadLength);
                System.arraycopy(b, off, frame, 8 + payloadLength, n);
                payloadLength += n;
                off += n;
                len -= n;
                if (payloadLength == MAX_PAYLOAD) {
                    flushFrame();
                }
            }
        }

        private void flushFrame() throws IOException {
            putInt(frame, 0, payloadLength);
            putInt(frame, 4, crc(scratch, frame, 0, 4));
            putInt(frame, 8 + payloadLength, crc(scratch, frame, 8, payloadLength));
            emit(frame, payloadLength + FRAME_OVERHEAD);
            payloadLength = 0;
        }

        /** Writes the last partial body frame, the end frame and the trailer, and flushes (never closes). */
        void finish() throws IOException {
            if (payloadLength > 0) {
                flushFrame();
            }
            flushFrame();
            byte[] trailer = new byte[4];
            putInt(trailer, 0, (int) fileChecksum.getValue());
            out.write(trailer);
            out.flush();
        }

        private void emit(byte[] b, int len) throws IOException {
            fileChecksum.update(b, 0, len);
            out.write(b, 0, len);
        }

        @Override
        public void flush() {
            // frames are written whole by finish(); flushing a partial frame would break the layout
        }
    }

    /**
     * Reads frames from a stream, verifying each one; this {@link InputStream} serves the verified body payload
     * and returns -1 at the end frame. Reads the underlying stream only in whole fields and payloads (bulk
     * reads, so an unbuffered stream is fine) and never past the trailer.
     */
    static final class Reader extends InputStream {
        private final InputStream in;
        private final CRC32C fileChecksum = new CRC32C();
        private final CRC32C scratch = new CRC32C();
        private final byte[] field = new byte[8];
        private final byte[] payload = new byte[MAX_PAYLOAD];
        private long offset;
        private int frameIndex;
        private int position;
        private int limit;
        private boolean bodyEnded;

        Reader(InputStream in) {
            this.in = in;
        }

        /** Reads up to 8 bytes; returns them (fewer if the input is shorter). */
        byte[] readMagic() throws IOException {
            byte[] m = new byte[MAGIC.length];
            int n = in.readNBytes(m, 0, m.length);
            fileChecksum.update(m, 0, n);
            offset += n;
            return n == m.length ? m : java.util.Arrays.copyOf(m, n);
        }

        private String frameName() {
            return frameIndex == 0 ? "the header frame" : "body frame " + count(frameIndex);
        }

        private void readFully(byte[] b, int len, String what) throws IOException {
            int n = in.readNBytes(b, 0, len);
            fileChecksum.update(b, 0, n);
            offset += n;
            if (n < len) {
                throw new Truncated("inside " + what + " of " + frameName() + " at byte " + count(offset));
            }
        }

        /** Reads and verifies the next frame into {@link #payload}; returns its length. */
        int readFrame() throws IOException {
            long start = offset;
            readFully(field, 8, "the length field");
            int length = getInt(field, 0);
            int stored = getInt(field, 4);
            int computed = crc(scratch, field, 0, 4);
            if (stored != computed) {
                throw new SnapshotFormatException(SnapshotFormatException.Problem.CHECKSUM_MISMATCH,
                    "checksum mismatch in the length field of " + frameName() + " at byte " + count(start)
                        + ": expected " + hex(stored & 0xFFFFFFFFL) + ", got " + hex(computed & 0xFFFFFFFFL));
            }
            if (length < 0 || length > MAX_PAYLOAD) {
                throw new SnapshotFormatException(SnapshotFormatException.Problem.MALFORMED,
                    "the length of " + frameName() + " at byte " + count(start) + " is " + length
                        + ", outside 0.." + count(MAX_PAYLOAD));
            }
            readFully(payload, length, "the payload");
            readFully(field, 4, "the checksum");
            stored = getInt(field, 0);
            computed = crc(scratch, payload, 0, length);
            if (stored != computed) {
                throw new SnapshotFormatException(SnapshotFormatException.Problem.CHECKSUM_MISMATCH,
                    "checksum mismatch in " + frameName() + " (" + count(length) + " bytes at byte "
                        + count(start) + "): expected " + hex(stored & 0xFFFFFFFFL) + ", got "
                        + hex(computed & 0xFFFFFFFFL));
            }
            frameIndex++;
            return length;
        }

        /** Returns a copy of the payload of the frame just read. */
        byte[] payload(int length) {
            return java.util.Arrays.copyOf(payload, length);
        }

        private boolean fill() throws IOException {
            while (position == limit) {
                if (bodyEnded) {
                    return false;
                }
                limit = readFrame();
                position = 0;
                if (limit == 0) {
                    bodyEnded = true;
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? payload[position++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, limit - position);
            System.arraycopy(payload, position, b, off, n);
            position += n;
            return n;
        }

        /** Skips the rest of the body, verifying each frame, up to and including the end frame. */
        void skipRestOfBody() throws IOException {
            position = limit;
            while (fill()) {
                position = limit;
            }
        }

        /** Tells whether the end frame has been read and all of the body consumed. */
        boolean atEndOfBody() throws IOException {
            return !fill();
        }

        /** Returns the checksum of every byte read so far (magic through the end frame, once it is read). */
        long computedFileChecksum() {
            return fileChecksum.getValue();
        }

        /** Reads the 4-byte trailer that follows the end frame. */
        long readTrailer() throws IOException {
            int n = in.readNBytes(field, 0, 4);
            offset += n;
            if (n < 4) {
                throw new Truncated("in the final checksum, at byte " + count(offset));
            }
            return getInt(field, 0) & 0xFFFFFFFFL;
        }
    }
}
