package dev.syncmap.testkit;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One injected failure: what to throw, where, and (once it happened) the very instance thrown, so that the kit can
 * tell the injected throwable from anything else a map throws.
 *
 * <p>A fault fires at most once ({@link #fire()} is a compare-and-set), so that every later call, the kit's checks
 * included, sees well-behaved user code.
 */
final class Fault {

    /** The throwables the kit injects. */
    enum Kind {
        RUNTIME_EXCEPTION,
        STACK_OVERFLOW,
        OUT_OF_MEMORY,
        CUSTOM_ERROR,
        /** Only for executors: {@link RejectedExecutionException}, the one refusal the executor contract names. */
        REJECTED;

        /** The kinds user code (keys, functions, listeners) is made to throw. */
        static final Kind[] USER_CODE = {RUNTIME_EXCEPTION, STACK_OVERFLOW, OUT_OF_MEMORY, CUSTOM_ERROR};

        Throwable create(String message) {
            return switch (this) {
                case RUNTIME_EXCEPTION -> new InjectedException(message);
                case STACK_OVERFLOW -> new StackOverflowError(message);
                case OUT_OF_MEMORY -> new OutOfMemoryError(message);
                case CUSTOM_ERROR -> new InjectedError(message);
                case REJECTED -> new RejectedExecutionException(message);
            };
        }

        boolean isError() {
            return this == STACK_OVERFLOW || this == OUT_OF_MEMORY || this == CUSTOM_ERROR;
        }

        @Override
        public String toString() {
            return switch (this) {
                case RUNTIME_EXCEPTION -> "RuntimeException";
                case STACK_OVERFLOW -> "StackOverflowError";
                case OUT_OF_MEMORY -> "OutOfMemoryError";
                case CUSTOM_ERROR -> "an Error of its own";
                case REJECTED -> "RejectedExecutionException";
            };
        }
    }

    /** The kit's own unchecked exception, so that a report never confuses it with one a map throws. */
    static final class InjectedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedException(String message) {
            super(message);
        }
    }

    /** The kit's own {@link Error}: neither an {@code OutOfMemoryError} nor a {@code StackOverflowError}. */
    static final class InjectedError extends Error {
        private static final long serialVersionUID = 1L;

        InjectedError(String message) {
            super(message);
        }
    }

    final Kind kind;
    /** Where it is injected, for reports: "k2.hashCode() on call 1 (StackOverflowError)". */
    final String where;
    /** Whether it is injected through {@code FaultHooks} inside a map (where a map may declare itself broken). */
    final boolean viaHook;
    private final AtomicReference<Throwable> thrown = new AtomicReference<>();

    Fault(Kind kind, String where, boolean viaHook) {
        this.kind = kind;
        this.where = where + " (" + kind + ")";
        this.viaHook = viaHook;
    }

    /**
     * Creates the throwable and throws it, the first time only.
     *
     * @return false if this fault has fired before (then nothing is thrown)
     */
    boolean fire() {
        Throwable t = kind.create("injected by syncmap-testkit's fault kit: " + where);
        if (!thrown.compareAndSet(null, t)) {
            return false;
        }
        throw unchecked(t);
    }

    boolean fired() {
        return thrown.get() != null;
    }

    /** The instance thrown, or null if it has not fired. */
    Throwable thrown() {
        return thrown.get();
    }

    /** Whether {@code t} is this fault's throwable, or has it as a cause. */
    boolean isCauseOf(Throwable t) {
        Throwable mine = thrown.get();
        for (Throwable c = t; c != null && mine != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c == mine) {
                return true;
            }
        }
        return false;
    }

    static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        throw new IllegalStateException("not an unchecked throwable: " + t, t);
    }

    @Override
    public String toString() {
        return where;
    }
}
