package dev.syncmap.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * The proof that the kit is alive: each deliberately broken map in this test tree must be reported by the tool
 * built to catch its fault. A kit that passed these maps would pass anything.
 */
public class BrokenMapsAreReportedTest {

    /** Time each broken map is stressed: generous, because a missed report fails the build. */
    private static final Duration STRESS_TIME = Duration.ofMillis(1000);

    /** Lincheck's view of the check-then-act map; run only from the tests below, never on its own. */
    @Disabled("expected to fail: run only by BrokenMapsAreReportedTest, which asserts that it does")
    public static final class CheckThenActLincheck extends AbstractMapLincheckTest {
        /** A fresh broken map per run. */
        public CheckThenActLincheck() {
            super(new CheckThenActMap<>());
        }
    }

    @Test
    void lincheckModelCheckingReportsCheckThenAct() {
        LincheckAssertionError error = assertThrows(LincheckAssertionError.class,
                () -> new CheckThenActLincheck().modelChecking());
        String report = error.getMessage();
        assertTrue(report.contains("Invalid execution results"), report);
        int trace = report.indexOf("Detailed trace:");
        System.out.println("[syncmap-testkit] Lincheck model checking reported CheckThenActMap as expected:"
                + System.lineSeparator() + (trace < 0 ? report : report.substring(0, trace)).strip());
    }

    @Test
    void lincheckStressReportsCheckThenAct() {
        LincheckAssertionError error = assertThrows(LincheckAssertionError.class,
                () -> new CheckThenActLincheck().stress());
        assertTrue(error.getMessage().contains("Invalid execution results"), error::getMessage);
    }

    @Test
    void countersReportLostUpdates() {
        StressOutcome outcome = stress("CheckThenActMap", CheckThenActMap::new).counters();
        assertReports(outcome, "lost or doubled updates");
    }

    @Test
    void raceReportsTwoPutIfAbsentWinners() {
        StressOutcome outcome = stress("CheckThenActMap", CheckThenActMap::new).putIfAbsentRace();
        assertReports(outcome, "putIfAbsent did not have exactly one winner");
    }

    @Test
    void countersReportRetriedFunctions() {
        StressOutcome outcome = stress("RetryingComputeMap", RetryingComputeMap::new).counters();
        assertReports(outcome, "compute did not run its function exactly once");
    }

    @Test
    void raceReportsComputeIfAbsentRunTwice() {
        StressOutcome outcome = stress("RetryingComputeMap", RetryingComputeMap::new)
                .putIfAbsentRace();
        assertReports(outcome, "computeIfAbsent ran its function other than once per key");
    }

    @Test
    void viewsReportConcurrentModification() {
        StressOutcome outcome = stress("FailFastViewsMap", FailFastViewsMap::new).viewsUnderWrites();
        assertReports(outcome, "ConcurrentModificationException");
    }

    private static MapStress stress(String name, Supplier<? extends ConcurrentMap<Integer, Long>> factory) {
        return MapStress.forMap(name, factory).duration(STRESS_TIME);
    }

    private static void assertReports(StressOutcome outcome, String expected) {
        System.out.println("[syncmap-testkit] reported as expected: " + outcome.describe());
        assertFalse(outcome.passed(), "the kit did not notice the broken map: " + outcome.describe());
        assertTrue(outcome.violations().stream().anyMatch(v -> v.contains(expected)),
                () -> "expected a violation mentioning '" + expected + "', got: " + outcome.describe());
    }
}
