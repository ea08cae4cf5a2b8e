package dev.syncmap.cli.bench;

import java.time.Duration;

/** The range checks of the plan's records, each failing with one line that names the value. Stateless. */
final class Bounds {

    private Bounds() {
    }

    /**
     * Checks a count.
     *
     * @return {@code value}
     * @throws IllegalArgumentException "{@code what} must be {@code min} or more, got {@code value}"
     */
    static int atLeast(int min, int value, String what) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be " + min + " or more, got " + value);
        }
        return value;
    }

    /**
     * Checks a rate or a length of time.
     *
     * @return {@code value}
     * @throws IllegalArgumentException "{@code what} must be positive, got {@code value}" (NaN included)
     */
    static double positive(double value, String what) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
        return value;
    }

    /**
     * Checks a length of time.
     *
     * @return {@code value}
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException "{@code what} must be positive, got {@code value}"
     */
    static Duration positive(Duration value, String what) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
        return value;
    }
}
