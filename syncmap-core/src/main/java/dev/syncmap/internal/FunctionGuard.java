package dev.syncmap.internal;

/**
 * Detects a mapping function that calls back into the map that is running it.
 *
 * <h2>Implementation notes</h2>
 * A map runs the function of {@code compute}, {@code computeIfAbsent}, {@code computeIfPresent}, {@code merge}
 * and {@code replaceAll} while it holds the lock (or the exclusive right) that makes the call atomic for its key.
 * A function that writes to the same map would then either re-enter that lock and corrupt the table under the
 * caller's feet, or block on another stripe's lock held by a thread that waits for ours: a deadlock. Both are
 * turned into an {@link IllegalStateException} here, before any lock is taken.
 *
 * <p>The state is one thread-local reference: the innermost map whose function the current thread is running
 * (the outer ones are kept on the Java stack by {@link #enter}'s return value, so nesting map A's function
 * inside map B's works and restores correctly). A check costs one {@link ThreadLocal#get()}: no allocation, no
 * shared write. Reads from inside a function are allowed; only writes are refused.
 *
 * <p>When user code throws: callers pair {@link #enter} with {@link #exit} in a {@code finally} around the user's
 * function, so a function that throws leaves the mark as it found it; {@code enter} itself undoes its mark if
 * storing it fails.
 */
public final class FunctionGuard {

    private static final ThreadLocal<Object> RUNNING_FUNCTION_OF = new ThreadLocal<>();

    private FunctionGuard() {}

    /**
     * Marks the current thread as running a mapping function of {@code map}.
     *
     * @param map the map whose function is about to run
     * @return the previous mark, to be handed to {@link #exit(Object)} in a {@code finally} block
     */
    public static Object enter(Object map) {
        Object previous = RUNNING_FUNCTION_OF.get();
        try {
            RUNNING_FUNCTION_OF.set(map);
        } catch (Throwable t) {
            // An OutOfMemoryError growing the thread-local table can come after the mark was stored: undo it, or
            // every later write of this thread to that map would be refused as recursive.
            exit(previous);
            throw t;
        }
        return previous;
    }

    /**
     * Restores the mark that {@link #enter(Object)} returned.
     *
     * @param previous the value {@code enter} returned
     */
    public static void exit(Object previous) {
        if (previous == null) {
            RUNNING_FUNCTION_OF.remove();
        } else {
            RUNNING_FUNCTION_OF.set(previous);
        }
    }

    /**
     * Throws if the current thread is inside a mapping function of {@code map}. Call at the top of every
     * mutating method, before taking any lock.
     *
     * @param map the map about to be modified
     * @param operation the name of the method, for the message
     * @throws IllegalStateException if a mapping function of {@code map} is running on this thread
     */
    public static void checkNotInFunction(Object map, String operation) {
        Object running = RUNNING_FUNCTION_OF.get();
        if (running == map && running != null) {
            throw new IllegalStateException(
                "Recursive update: " + operation + " was called on a " + map.getClass().getSimpleName()
                    + " from inside a mapping function (compute/computeIfAbsent/computeIfPresent/merge/replaceAll)"
                    + " running on the same map; a mapping function must not modify its map");
        }
    }
}
