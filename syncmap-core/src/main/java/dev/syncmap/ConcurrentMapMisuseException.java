package dev.syncmap;

/**
 * Thrown by a {@link RaceDetectingMap} when two threads use the map it wraps at the same time without synchronization,
 * and at least one of them writes: Java's counterpart of Go's {@code fatal error: concurrent map writes}.
 *
 * <p>The message names both threads (name and id) and what each was doing, for example
 * <pre>
 * concurrent map writes: thread "worker-2" (id 31) called put while thread "worker-1" (id 30) was inside put ...
 * </pre>
 * The thread that detects the overlap throws, before touching the wrapped map; the other thread's operation
 * completes normally. When the other thread could still be found, its stack trace at the moment of detection is
 * attached as a {@linkplain #getSuppressed() suppressed} throwable (best effort: it may have moved on already).
 *
 * <p>This signals a bug in the caller's synchronization, not a condition to recover from: do not catch it to retry.
 * It is deliberately not a {@link java.util.ConcurrentModificationException}, which code commonly catches and
 * retries on, and which single-threaded misuse of an iterator also throws.
 */
public final class ConcurrentMapMisuseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The id of the thread that detected the overlap. */
    private final long detectingThreadId;
    /** What that thread was doing. */
    private final String detectingOperation;
    /** The id of the thread already inside the map. */
    private final long otherThreadId;
    /** What that thread was doing. */
    private final String otherOperation;

    /**
     * Creates the exception.
     *
     * @param message the full message, naming both threads and operations
     * @param detectingThreadId the id of the thread that detected the overlap (the one throwing)
     * @param detectingOperation the operation that thread was starting, such as {@code "put"}
     * @param otherThreadId the id of the other thread, or {@code -1} if it is not known
     * @param otherOperation the operation the other thread was inside, or {@code null} if it is not known
     */
    public ConcurrentMapMisuseException(String message, long detectingThreadId, String detectingOperation,
                                        long otherThreadId, String otherOperation) {
        super(message);
        this.detectingThreadId = detectingThreadId;
        this.detectingOperation = detectingOperation;
        this.otherThreadId = otherThreadId;
        this.otherOperation = otherOperation;
    }

    /**
     * Returns the id of the thread that detected the overlap.
     *
     * @return a {@link Thread#getId()} value
     */
    public long detectingThreadId() {
        return detectingThreadId;
    }

    /**
     * Returns the operation the detecting thread was starting.
     *
     * @return a method name such as {@code "put"} or {@code "iteration"}
     */
    public String detectingOperation() {
        return detectingOperation;
    }

    /**
     * Returns the id of the other thread: the writer, or one of the readers.
     *
     * @return a {@link Thread#getId()} value, or {@code -1} when the readers' threads were not recorded
     */
    public long otherThreadId() {
        return otherThreadId;
    }

    /**
     * Returns the operation the other thread was inside.
     *
     * @return a method name, or {@code null} when it was not recorded
     */
    public String otherOperation() {
        return otherOperation;
    }
}
