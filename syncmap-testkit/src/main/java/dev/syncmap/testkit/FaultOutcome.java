package dev.syncmap.testkit;

import java.util.Objects;
import org.opentest4j.TestAbortedException;

/**
 * What one {@link FaultInjection} check found on one map: passed, failed (with the oracle's message), or not
 * reached (the fault could not be injected into this map, e.g. a {@code FaultHooks} site the map does not have).
 *
 * <p>Immutable and thread-safe.
 *
 * @param check the check's name, e.g. {@code "equals() throws against a colliding key / compute"}
 * @param subject the map's name, as given to {@link FaultInjection}
 * @param status the verdict
 * @param message the oracle's message: the violation for a failure, why nothing was injected for a check not
 *     reached, notes (e.g. a map that declared itself broken after an injected {@code Error}) or empty for a pass
 * @param elapsedMillis wall-clock time the check took
 * @param cause what the map threw, when a failure is about an exception it threw; else null
 */
public record FaultOutcome(String check, String subject, Status status, String message, long elapsedMillis,
        Throwable cause) {

    /** The verdict of a check. */
    public enum Status {
        /** Every injected fault left the map as the oracle requires. */
        PASSED,
        /** The oracle found a violation; {@link #message()} says which, after which fault. */
        FAILED,
        /** No fault of this check could be injected into this map; {@link #message()} says why. */
        NOT_REACHED
    }

    /**
     * Validates the components.
     *
     * @param check the check's name
     * @param subject the map's name
     * @param status the verdict
     * @param message the oracle's message, possibly empty
     * @param elapsedMillis wall-clock time the check took
     * @param cause what the map threw, or null
     * @throws NullPointerException if a component other than {@code cause} is null
     */
    public FaultOutcome {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
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
     * Throws unless the check passed: an {@link AssertionError} for a failure (with {@link #cause()}), a
     * {@link TestAbortedException} for a check not reached, so that JUnit reports it as aborted, not passed.
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
     * One line: map, check, verdict, time, message.
     *
     * @return the description
     */
    public String describe() {
        return subject + " fault check '" + check + "': " + status + " in " + elapsedMillis + " ms"
                + (message.isEmpty() ? "" : ": " + message);
    }
}
