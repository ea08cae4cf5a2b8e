package dev.syncmap.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The proof that the fault-injection kit is alive: each deliberately broken map must be reported by the check
 * built for its fault, with the oracle's message. A kit that passed these maps would pass anything.
 */
class FaultInjectionReportsBrokenMapsTest {

    /** Short, since a leaked lock is what these maps are for; the lane notices a parked thread sooner anyway. */
    private static final Duration WAIT = Duration.ofMillis(500);

    @Test
    void leakedLockAfterThrowingHashCodeIsReported() {
        assertReports(leaky().run("hashCode() throws on call N / compute"), "did not complete");
    }

    @Test
    void leakedLockAfterThrowingEqualsIsReported() {
        assertReports(leaky().run("equals() throws against a colliding key / compute"), "did not complete");
    }

    @Test
    void leakedLockAfterThrowingFunctionIsReported() {
        assertReports(leaky().run("mapping function throws / compute"), "a lock was probably leaked");
    }

    @Test
    void sizeMiscountedOnThrowIsReported() {
        FaultOutcome outcome = FaultInjection.forMap("MiscountingMap", MiscountingMap::new)
                .timeout(WAIT)
                .run("hashCode() throws on call N / remove");
        assertReports(outcome, "size() is");
    }

    private static FaultInjection.Builder leaky() {
        return FaultInjection.forMap("LeakyLockMap", LeakyLockMap::new).timeout(WAIT);
    }

    private static void assertReports(FaultOutcome outcome, String expected) {
        System.out.println("[syncmap-testkit] fault kit reported as expected: " + outcome.describe());
        assertEquals(FaultOutcome.Status.FAILED, outcome.status(), outcome::describe);
        assertTrue(outcome.message().contains(expected),
                () -> "expected a report mentioning '" + expected + "', got: " + outcome.describe());
    }
}
