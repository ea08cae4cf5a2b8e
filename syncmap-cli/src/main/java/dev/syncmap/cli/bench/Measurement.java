package dev.syncmap.cli.bench;

import java.util.Objects;

/**
 * The measured throughput of one {@link Configuration}. Immutable.
 *
 * @param configuration what was measured
 * @param benchmark the JMH benchmark, {@code "MixBenchmark.ops"}
 * @param score the mean throughput over the measurement iterations
 * @param error the half-width of the confidence interval of the mean at the run's confidence level;
 *              {@code NaN} when there were too few iterations to estimate it (JMH needs at least 3)
 * @param unit the score unit, {@code "ops/s"}
 * @param iterations the number of measurement iterations the score is the mean of
 * @param allocBytesPerOp bytes allocated per operation ({@code -prof gc}'s {@code gc.alloc.rate.norm}),
 *                        {@code NaN} when not measured
 */
public record Measurement(Configuration configuration, String benchmark, double score, double error, String unit,
                          long iterations, double allocBytesPerOp) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if configuration, benchmark or unit is null
     */
    public Measurement {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(unit, "unit");
    }

    /** Returns the contender's name. */
    public String map() {
        return configuration.map();
    }

    /** Returns the workload point. */
    public Scenario scenario() {
        return configuration.scenario();
    }

    /** Returns the lower end of the confidence interval, {@code -Infinity} when the error is unknown. */
    public double low() {
        return Double.isNaN(error) ? Double.NEGATIVE_INFINITY : score - error;
    }

    /** Returns the upper end of the confidence interval, {@code +Infinity} when the error is unknown. */
    public double high() {
        return Double.isNaN(error) ? Double.POSITIVE_INFINITY : score + error;
    }
}
