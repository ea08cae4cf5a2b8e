package dev.syncmap.replicate;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint or spill file that cannot be read back: truncated, failing its checksum, of an unknown format
 * version, or written for another origin. Names the file and the problem. The replicator's documented recovery
 * is to re-anchor the affected sinks from a fresh snapshot (no change is lost: the anchor carries the whole
 * source), unless configured to refuse to start.
 */
public final class CorruptStateException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file the file that could not be read
     * @param problem what is wrong with it
     */
    public CorruptStateException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /**
     * Returns the file that could not be read.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }
}
