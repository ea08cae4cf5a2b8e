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
     * A call that runs a user's mapping function: the function itself, or a table method that runs it. The target
     * and two arguments are passed in, so that each call site is a non-capturing lambda (one constant instance, no
     * allocation per call).
     *
     * @param <T> the type of the target
     * @param <A> the type of the first argument
     * @param <B> the type of the second argument
     * @param <R> the type of the result
     */
    @FunctionalInterface
    public interface Call<T, A, B, R> {
        /**
         * Makes the call.
         *
         * @param target the function or table to call
         * @param a the first argument
         * @param b the second argument, or an unused null
         * @return the call's result
         */
        R apply(T target, A a, B b);
    }

    /**
     * Makes {@code call} with the current thread marked as running a mapping function of {@code map}
     * ({@link #enter}), and restores the mark in a {@code finally}, whatever the call throws.
     *
     * @param map the map whose function runs
     * @param target the function or table to call
     * @param a the first argument
     * @param b the second argument, or an unused null
     * @param call the call, a non-capturing lambda
     * @param <T> the type of the target
     * @param <A> the type of the first argument
     * @param <B> the type of the second argument
     * @param <R> the type of the result
     * @return the call's result
     */
    public static <T, A, B, R> R call(Object map, T target, A a, B b, Call<? super T, ? super A, ? super B, R> call) {
        Object previous = enter(map);
        try {
            return call.apply(target, a, b);
        } finally {
            exit(previous);
        }
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
