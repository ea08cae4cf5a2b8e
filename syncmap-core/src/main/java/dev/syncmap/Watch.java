package dev.syncmap;

/**
 * A running subscription to a {@link VersionedMap}'s change feed, returned by
 * {@link VersionedMap#watch(long, WatchListener)}. Closing it stops deliveries and releases everything it held.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread, including from inside a listener callback.
 */
public interface Watch extends AutoCloseable {

    /**
     * Returns the revision this watch has delivered up to (the revision it started after, before the first
     * delivery).
     *
     * @return the last revision delivered
     */
    long revision();

    /**
     * Tells whether this watch still delivers: {@code false} once closed, fallen behind, or failed.
     *
     * @return {@code true} while the watch is open
     */
    boolean isOpen();

    /**
     * Returns what ended the watch abnormally: the {@link CompactedException} it fell behind with, or the
     * exception a listener callback threw; {@code null} while open or after a plain {@link #close()}.
     *
     * @return the cause, or {@code null}
     */
    Throwable failure();

    /**
     * Stops the watch. Idempotent; after it returns no new callback starts (one already running finishes).
     * Never throws.
     */
    @Override
    void close();
}
