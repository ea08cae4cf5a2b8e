package dev.syncmap.copy;

/**
 * Where a chunked copy stands after one chunk, as passed to a {@link CopyProgressListener}.
 *
 * @param chunkIndex the index of the chunk just read, from 0
 * @param entriesDone the number of source mappings read so far, this chunk included (before any filter)
 * @param totalEstimate the source's size when the copy started: exact for a snapshot, an estimate for a map
 *     that others modify meanwhile (so {@code entriesDone} may end above or below it)
 */
public record CopyProgress(long chunkIndex, long entriesDone, long totalEstimate) {

    /**
     * Returns the fraction done, between 0 and 1, for display.
     *
     * @return {@code entriesDone / totalEstimate}, capped at 1, and 1 for an empty source
     */
    public double fractionDone() {
        return totalEstimate <= 0 ? 1.0 : Math.min(1.0, (double) entriesDone / totalEstimate);
    }
}
