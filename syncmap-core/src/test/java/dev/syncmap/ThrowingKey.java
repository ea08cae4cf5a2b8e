package dev.syncmap;

import java.util.function.Supplier;

/**
 * A map key whose {@code hashCode} or {@code equals} can be armed to throw, once, on its N-th call: the user code a
 * map runs on the caller's behalf, failing at a chosen point of an operation. Keys are equal when their names are;
 * the hash code is chosen by the test, so that keys can be made to collide (share a chain, where {@code equals} of
 * the stored key is called).
 *
 * <p>Arming is per key and counts every call from any thread; a test arms a key, makes one call on the map, then
 * {@link #disarm()}s it (or lets it fire). Unarmed, a key behaves like its name.
 */
final class ThrowingKey {

    private final String name;
    private final int hash;

    /** Calls of each method left before the armed one throws; 0 when not armed. Guarded by this. */
    private int hashCodesLeft;
    private int equalsLeft;
    private Supplier<? extends Throwable> failure;
    private Throwable thrown;

    private ThrowingKey(String name, int hash) {
        this.name = name;
        this.hash = hash;
    }

    /** A key hashing like its name. */
    static ThrowingKey named(String name) {
        return new ThrowingKey(name, name.hashCode());
    }

    /** A key with a chosen hash code: keys with the same {@code hash} collide. */
    static ThrowingKey hashed(String name, int hash) {
        return new ThrowingKey(name, hash);
    }

    /** Makes the {@code n}-th call of {@code hashCode()} from now (1 = the next) throw {@code failure}'s result. */
    ThrowingKey armHashCode(int n, Supplier<? extends Throwable> failure) {
        return arm(n, 0, failure);
    }

    /** Makes the {@code n}-th call of {@code equals} from now (1 = the next) throw {@code failure}'s result. */
    ThrowingKey armEquals(int n, Supplier<? extends Throwable> failure) {
        return arm(0, n, failure);
    }

    private synchronized ThrowingKey arm(int hashCodes, int equalsCalls, Supplier<? extends Throwable> failure) {
        requireUnchecked(failure);
        this.hashCodesLeft = hashCodes;
        this.equalsLeft = equalsCalls;
        this.failure = failure;
        return this;
    }

    private static void requireUnchecked(Supplier<? extends Throwable> failure) {
        Throwable t = failure.get();
        if (!(t instanceof RuntimeException) && !(t instanceof Error)) {
            throw new IllegalArgumentException("hashCode and equals can only throw unchecked throwables: " + t);
        }
    }

    /** Stops any armed failure; a key that has fired keeps reporting it through {@link #thrown()}. */
    synchronized void disarm() {
        hashCodesLeft = 0;
        equalsLeft = 0;
        failure = null;
    }

    /** Clears {@link #thrown()}. */
    synchronized void reset() {
        disarm();
        thrown = null;
    }

    /** The throwable this key threw since it was last armed or reset, or null if it did not fire. */
    synchronized Throwable thrown() {
        return thrown;
    }

    private synchronized void countDown(boolean hashCodeCall) {
        if (failure == null) {
            return;
        }
        boolean fire = hashCodeCall ? hashCodesLeft > 0 && --hashCodesLeft == 0 : equalsLeft > 0 && --equalsLeft == 0;
        if (fire) {
            Throwable t = failure.get();
            disarm();
            thrown = t;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw (Error) t;
        }
    }

    @Override
    public int hashCode() {
        countDown(true);
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        countDown(false);
        return o instanceof ThrowingKey k && k.name.equals(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
