package dev.syncmap.copy;

/**
 * Receives progress reports from a chunked copy (see {@link MapCopy#inChunks(int, CopyProgressListener)}) and
 * may cancel it.
 *
 * <p>It is called on the copying thread after each chunk of the source has been read, while no lock of the
 * source is held, so it may take its time, and may even read or write the source. Returning {@code false}
 * cancels the copy: the terminal operation then throws {@link CopyCancelledException} and, for a copy into a
 * destination, leaves the destination untouched (the source is read completely before any write). An exception
 * thrown by the listener propagates the same way.
 */
@FunctionalInterface
public interface CopyProgressListener {

    /**
     * Reports one chunk done.
     *
     * @param progress where the copy stands
     * @return {@code true} to go on, {@code false} to cancel the copy
     */
    boolean onChunk(CopyProgress progress);
}
