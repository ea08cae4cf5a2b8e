package dev.syncmap.testkit;

import java.util.List;
import java.util.Objects;

/**
 * What one {@link MapStress} check observed: how much it ran and every oracle violation it saw.
 *
 * @param check the check's name, e.g. {@code counters}
 * @param subject the map's name
 * @param operations map operations performed by all threads together
 * @param elapsedMillis wall-clock time the check ran
 * @param violations human-readable descriptions of broken invariants; empty when the map passed
 */
public record StressOutcome(String check, String subject, long operations, long elapsedMillis,
        List<String> violations) {

    /** Most violations an assertion message lists before summarising the rest. */
    private static final int LISTED = 12;

    /**
     * Copies the violations.
     *
     * @param check the check's name
     * @param subject the map's name
     * @param operations map operations performed by all threads together
     * @param elapsedMillis wall-clock time the check ran
     * @param violations descriptions of broken invariants; empty when the map passed
     * @throws NullPointerException if any argument is null
     */
    public StressOutcome {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(subject, "subject");
        violations = List.copyOf(violations);
    }

    /**
     * Whether every oracle held.
     *
     * @return true if there are no violations
     */
    public boolean passed() {
        return violations.isEmpty();
    }

    /**
     * Throws if an oracle failed.
     *
     * @return this outcome, for chaining
     * @throws AssertionError naming the check, the map and the first violations
     */
    public StressOutcome assertPassed() {
        if (!passed()) {
            throw new AssertionError(describe());
        }
        return this;
    }

    /**
     * A multi-line description: a summary line, then up to twelve violations.
     *
     * @return the description
     */
    public String describe() {
        StringBuilder text = new StringBuilder()
                .append(subject).append(" stress check '").append(check).append("': ")
                .append(passed() ? "passed" : violations.size() + " violation(s)")
                .append(" in ").append(operations).append(" operations, ").append(elapsedMillis).append(" ms");
        for (int i = 0; i < Math.min(LISTED, violations.size()); i++) {
            text.append(System.lineSeparator()).append("  - ").append(violations.get(i));
        }
        if (violations.size() > LISTED) {
            text.append(System.lineSeparator()).append("  ... and ").append(violations.size() - LISTED).append(" more");
        }
        return text.toString();
    }
}
