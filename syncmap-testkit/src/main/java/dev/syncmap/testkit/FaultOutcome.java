package dev.syncmap.testkit;

import java.util.Objects;
import org.opentest4j.TestAbortedException;

/**
 * What one {@link FaultInjection} check found on one map: passed, failed (with the oracle's message), or not
 * reached (the fault could not be injected into this map, e.g. a {@code FaultHooks} site the map does not have).
 *
 * <p>Immutable and thread-safe.
 */
public final class FaultOutcome {

    /** The verdict of a check. */
    public enum Status {
        /** Every injected fault left the map as the oracle requires. */
        PASSED,
        /** The oracle found a violation; {@link #message()} says which, after which fault. */
        FAILED,
        /** No fault of this check could be injected into this map; {@link #message()} says why. */
        NOT_REACHED
    }

    private final String check;
    private final String subject;
    private final Status status;
    private final String message;
    private final long elapsedMillis;
    private final Throwable cause;

    FaultOutcome(String check, String subject, Status status, String message, long elapsedMillis, Throwable cause) {
        this.check = Objects.requireNonNull(check, "check");
        this.subject = Objects.requireNonNull(subject, "subject");
        this.status = Objects.requireNonNull(status, "status");
        this.message = Objects.requireNonNull(message, "message");
        this.elapsedMillis = elapsedMillis;
        this.cause = cause;
    }

    /**
     * The check's name, e.g. {@code "equals throws against a colliding key / compute"}.
     *
     * @return the name
     */
    public String check() {
        return check;
    }

    /**
     * The map's name, as given to {@link FaultInjection}.
     *
     * @return the name
     */
    public String subject() {
        return subject;
    }

    /**
     * The verdict.
     *
     * @return passed, failed or not reached
     */
    public Status status() {
        return status;
    }

    /**
     * The oracle's message: the violation for a failure, why nothing was injected for a check not reached, notes
     * (e.g. a map that declared itself broken after an injected {@code Error}) or an empty string for a pass.
     *
     * @return the message, never null
     */
    public String message() {
        return message;
    }

    /**
     * Wall-clock time the check took.
     *
     * @return milliseconds
     */
    public long elapsedMillis() {
        return elapsedMillis;
    }

    /**
     * Whether the check passed.
     *
     * @return true for {@link Status#PASSED}
     */
    public boolean passed() {
        return status == Status.PASSED;
    }

    /**
     * Throws unless the check passed: an {@link AssertionError} for a failure (the map's own exception, if any,
     * as its cause), a {@link TestAbortedException} for a check not reached, so that JUnit reports it as aborted
     * rather than passed.
     */
    public void assertPassed() {
        if (status == Status.FAILED) {
            throw new AssertionError(message, cause);
        }
        if (status == Status.NOT_REACHED) {
            throw new TestAbortedException(message);
        }
    }

    /**
     * One line: map, check, verdict, message.
     *
     * @return the description
     */
    public String describe() {
        return subject + " fault check '" + check + "': " + status + " in " + elapsedMillis + " ms"
                + (message.isEmpty() ? "" : ": " + message);
    }

    @Override
    public String toString() {
        return describe();
    }
}
