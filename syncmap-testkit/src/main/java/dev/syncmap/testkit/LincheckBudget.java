package dev.syncmap.testkit;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * How much Lincheck explores: scenario shape and counts, read from system properties with defaults sized for CI
 * (seconds per map on two cores), never Lincheck's own defaults (minutes per map).
 *
 * <table>
 *   <caption>System properties and their CI defaults</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code lincheck.iterations}</td><td>{@value #DEFAULT_ITERATIONS}</td>
 *       <td>random concurrent scenarios generated per strategy</td></tr>
 *   <tr><td>{@code lincheck.invocations}</td><td>{@value #DEFAULT_INVOCATIONS}</td>
 *       <td>runs of each scenario: interleavings explored (model checking, an upper bound) or repetitions
 *       (stress)</td></tr>
 *   <tr><td>{@code lincheck.threads}</td><td>{@value #DEFAULT_THREADS}</td>
 *       <td>threads in the parallel part</td></tr>
 *   <tr><td>{@code lincheck.actorsPerThread}</td><td>{@value #DEFAULT_ACTORS_PER_THREAD}</td>
 *       <td>operations per thread in the parallel part</td></tr>
 *   <tr><td>{@code lincheck.actorsBefore}</td><td>{@value #DEFAULT_ACTORS_BEFORE}</td>
 *       <td>operations run sequentially before the parallel part</td></tr>
 *   <tr><td>{@code lincheck.actorsAfter}</td><td>{@value #DEFAULT_ACTORS_AFTER}</td>
 *       <td>operations run sequentially after the parallel part</td></tr>
 * </table>
 *
 * <p>The {@code thorough} Maven profile of {@code syncmap-testkit} raises all of them for long runs.
 *
 * @param iterations scenarios per strategy, at least 1
 * @param invocations runs per scenario, at least 1
 * @param threads parallel threads, at least 2
 * @param actorsPerThread operations per thread, at least 1
 * @param actorsBefore sequential operations before, at least 0
 * @param actorsAfter sequential operations after, at least 0
 */
public record LincheckBudget(
        int iterations, int invocations, int threads, int actorsPerThread, int actorsBefore, int actorsAfter) {

    /** CI default of {@code lincheck.iterations}. */
    public static final int DEFAULT_ITERATIONS = 20;
    /** CI default of {@code lincheck.invocations}. */
    public static final int DEFAULT_INVOCATIONS = 1000;
    /** CI default of {@code lincheck.threads}. */
    public static final int DEFAULT_THREADS = 2;
    /** CI default of {@code lincheck.actorsPerThread}. */
    public static final int DEFAULT_ACTORS_PER_THREAD = 3;
    /** CI default of {@code lincheck.actorsBefore}. */
    public static final int DEFAULT_ACTORS_BEFORE = 2;
    /** CI default of {@code lincheck.actorsAfter}. */
    public static final int DEFAULT_ACTORS_AFTER = 1;

    /**
     * Checks the bounds.
     *
     * @param iterations scenarios per strategy, at least 1
     * @param invocations runs per scenario, at least 1
     * @param threads parallel threads, at least 2
     * @param actorsPerThread operations per thread, at least 1
     * @param actorsBefore sequential operations before, at least 0
     * @param actorsAfter sequential operations after, at least 0
     * @throws IllegalArgumentException if a count is below its minimum
     */
    public LincheckBudget {
        atLeast("iterations", iterations, 1);
        atLeast("invocations", invocations, 1);
        atLeast("threads", threads, 2);
        atLeast("actorsPerThread", actorsPerThread, 1);
        atLeast("actorsBefore", actorsBefore, 0);
        atLeast("actorsAfter", actorsAfter, 0);
    }

    /**
     * The budget given by the {@code lincheck.*} system properties, each defaulting to its CI value.
     *
     * @return the budget
     * @throws IllegalArgumentException if a property is not an integer or is out of bounds
     */
    public static LincheckBudget fromSystemProperties() {
        return new LincheckBudget(
                intProperty("lincheck.iterations", DEFAULT_ITERATIONS),
                intProperty("lincheck.invocations", DEFAULT_INVOCATIONS),
                intProperty("lincheck.threads", DEFAULT_THREADS),
                intProperty("lincheck.actorsPerThread", DEFAULT_ACTORS_PER_THREAD),
                intProperty("lincheck.actorsBefore", DEFAULT_ACTORS_BEFORE),
                intProperty("lincheck.actorsAfter", DEFAULT_ACTORS_AFTER));
    }

    /**
     * Model-checking options with this budget applied.
     *
     * @return new options; the caller may refine them further
     */
    public ModelCheckingOptions modelChecking() {
        return applyTo(new ModelCheckingOptions());
    }

    /**
     * Stress options with this budget applied.
     *
     * @return new options; the caller may refine them further
     */
    public StressOptions stress() {
        return applyTo(new StressOptions());
    }

    /**
     * Applies the budget to any Lincheck options.
     *
     * @param options the options to change
     * @param <O> the options type
     * @return {@code options}, changed
     */
    public <O extends Options<O, ?>> O applyTo(O options) {
        return options.iterations(iterations)
                .invocationsPerIteration(invocations)
                .threads(threads)
                .actorsPerThread(actorsPerThread)
                .actorsBefore(actorsBefore)
                .actorsAfter(actorsAfter);
    }

    /**
     * The most scenario runs the budget allows: {@code iterations × invocations}.
     *
     * @return the product
     */
    public long maxRuns() {
        return (long) iterations * invocations;
    }

    /**
     * A one-line description for reports.
     *
     * @return e.g. {@code "20 scenarios x 1000 invocations, 2 threads x 3 ops + 2 before + 1 after"}
     */
    public String describe() {
        return iterations + " scenarios x " + invocations + " invocations, " + threads + " threads x "
                + actorsPerThread + " ops + " + actorsBefore + " before + " + actorsAfter + " after";
    }

    private static int intProperty(String name, int defaultValue) {
        String text = System.getProperty(name);
        if (text == null || text.isBlank()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + name + " is not an integer: " + text, e);
        }
    }

    private static void atLeast(String name, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException("Lincheck " + name + " must be at least " + minimum + ": " + value);
        }
    }
}
