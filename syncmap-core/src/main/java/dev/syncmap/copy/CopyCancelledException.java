package dev.syncmap.copy;

import java.util.concurrent.CancellationException;

/**
 * Thrown by a chunked copy whose {@link CopyProgressListener} returned {@code false}. Nothing was written to any
 * destination.
 */
public final class CopyCancelledException extends CancellationException {

    private static final long serialVersionUID = 1L;

    /** The progress reported to the listener that cancelled. */
    private final transient CopyProgress progress;

    /**
     * Creates the exception.
     *
     * @param progress the progress reported with the chunk after which the listener cancelled
     */
    public CopyCancelledException(CopyProgress progress) {
        super(String.format(java.util.Locale.ROOT,
            "copy cancelled by its progress listener after chunk %,d (%,d of about %,d entries read);"
                + " no destination was modified",
            progress.chunkIndex(), progress.entriesDone(), progress.totalEstimate()));
        this.progress = progress;
    }

    /**
     * Returns the progress at which the copy was cancelled.
     *
     * @return the progress, or {@code null} after deserialization
     */
    public CopyProgress progress() {
        return progress;
    }
}
