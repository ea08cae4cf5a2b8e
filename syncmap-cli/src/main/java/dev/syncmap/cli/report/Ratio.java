package dev.syncmap.cli.report;

/**
 * A ratio of two measured means with its error propagated to first order: for {@code r = a / b},
 * {@code δr = r · sqrt((δa/a)² + (δb/b)²)}. Immutable.
 *
 * @param value the ratio
 * @param error its error, {@code NaN} when either input's error is unknown
 */
public record Ratio(double value, double error) {

    /**
     * Divides two measurements.
     *
     * @param a the numerator's mean
     * @param errorA the numerator's error
     * @param b the denominator's mean, non-zero
     * @param errorB the denominator's error
     * @return {@code a / b} with its propagated error
     */
    public static Ratio of(double a, double errorA, double b, double errorB) {
        double r = a / b;
        double relA = errorA / a;
        double relB = errorB / b;
        return new Ratio(r, Math.abs(r) * Math.sqrt(relA * relA + relB * relB));
    }
}
