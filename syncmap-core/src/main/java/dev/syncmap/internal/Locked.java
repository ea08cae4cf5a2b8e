package dev.syncmap.internal;

import java.util.concurrent.locks.Lock;

/**
 * Runs a map's write under its lock, released in a {@code finally} whatever the write throws.
 *
 * <p>The map and up to three arguments are passed in, so that each call site is a non-capturing lambda (one
 * constant instance, no allocation per call).
 */
public final class Locked {

    private Locked() {}

    /**
     * A write made under the map's lock.
     *
     * @param <M> the type of the map
     * @param <A> the type of the first argument
     * @param <B> the type of the second argument
     * @param <C> the type of the third argument
     * @param <R> the type of the result
     */
    @FunctionalInterface
    public interface Write<M, A, B, C, R> {
        /**
         * Makes the write.
         *
         * @param map the map
         * @param a the first argument, or an unused null
         * @param b the second argument, or an unused null
         * @param c the third argument, or an unused null
         * @return the write's result
         */
        R apply(M map, A a, B b, C c);
    }

    /**
     * Takes {@code lock}, makes {@code write} and releases the lock in a {@code finally}.
     *
     * @param lock the map's lock
     * @param map the map
     * @param a the first argument, or an unused null
     * @param b the second argument, or an unused null
     * @param c the third argument, or an unused null
     * @param write the write, a non-capturing lambda
     * @param <M> the type of the map
     * @param <A> the type of the first argument
     * @param <B> the type of the second argument
     * @param <C> the type of the third argument
     * @param <R> the type of the result
     * @return the write's result
     */
    public static <M, A, B, C, R> R run(Lock lock, M map, A a, B b, C c, Write<M, A, B, C, R> write) {
        lock.lock();
        try {
            return write.apply(map, a, b, c);
        } finally {
            lock.unlock();
        }
    }
}
