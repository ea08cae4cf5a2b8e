package dev.syncmap.copy;

import java.io.IOException;

/**
 * Thrown when a snapshot file cannot be imported: its {@link #problem()} says which kind of defect, and its
 * message says exactly what is wrong and where ({@code "truncated after 1,234 of 5,000 entries"},
 * {@code "checksum mismatch in body frame 3 ...: expected 0x..., got 0x..."},
 * {@code "format version 7 is newer than supported 1"}). When it is thrown, no destination has been modified.
 */
public final class SnapshotFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The kinds of defect. */
    public enum Problem {
        /** The input ends before the snapshot does. */
        TRUNCATED,
        /** A stored checksum does not match the bytes: the file was corrupted (or altered). */
        CHECKSUM_MISMATCH,
        /** The input does not start with the snapshot magic bytes: it is not a syncmap snapshot. */
        BAD_MAGIC,
        /** The format version is newer than this reader supports, or invalid. */
        UNSUPPORTED_VERSION,
        /** The file's key or value codec id is not the one the reader was given. */
        CODEC_MISMATCH,
        /**
         * The bytes are intact (their checksums match) but do not form a valid snapshot: a codec failed or read
         * the wrong number of bytes, a key repeats, or the entry count disagrees with the body. This means the
         * writer was faulty or a codec does not match its id.
         */
        MALFORMED
    }

    /** The kind of defect. */
    private final Problem problem;

    SnapshotFormatException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    SnapshotFormatException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    /**
     * Returns the kind of defect.
     *
     * @return the problem
     */
    public Problem problem() {
        return problem;
    }
}
