package dev.syncmap;

/**
 * Thrown when a caller asks a {@link VersionedMap} for changes that its bounded history no longer holds.
 *
 * <p>The history keeps the most recent revisions (bounded by count and by estimated bytes, see
 * {@link VersionedMap.Builder}); older ones are compacted away. A caller that gets this exception has lost
 * continuity and must re-synchronise: take a {@link VersionedMap#snapshot() snapshot} at some revision {@code R},
 * use its content, then follow {@link VersionedMap#changesSince(long) changesSince(R)} or
 * {@link VersionedMap#watch(long, WatchListener) watch(R, ...)}. Both carry every change after {@code R}, as
 * long as {@code R} is still retained when they start.
 *
 * <p>Immutable and thread-safe.
 */
public final class CompactedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The revision the caller asked to continue after. */
    private final long requestedRevision;

    /** The oldest revision whose changes were still retained when the request failed. */
    private final long oldestRetainedRevision;

    /**
     * Creates the exception.
     *
     * @param requestedRevision the revision the caller asked to read after (it wanted the changes of
     *     {@code requestedRevision + 1} onwards)
     * @param oldestRetainedRevision the oldest revision whose changes the history still holds; a caller can
     *     continue after {@code oldestRetainedRevision - 1} without a gap
     */
    public CompactedException(long requestedRevision, long oldestRetainedRevision) {
        super("changes after revision " + requestedRevision + " are no longer retained: revision "
            + (requestedRevision + 1) + " was compacted and the oldest retained revision is "
            + oldestRetainedRevision + "; take a snapshot() and continue from its revision");
        this.requestedRevision = requestedRevision;
        this.oldestRetainedRevision = oldestRetainedRevision;
    }

    /**
     * Returns the revision the caller asked to continue after.
     *
     * @return the requested revision
     */
    public long requestedRevision() {
        return requestedRevision;
    }

    /**
     * Returns the oldest revision whose changes were still retained when the request failed. Resuming after
     * {@code oldestRetainedRevision() - 1} is possible but skips the compacted revisions in between.
     *
     * @return the oldest retained revision
     */
    public long oldestRetainedRevision() {
        return oldestRetainedRevision;
    }
}
