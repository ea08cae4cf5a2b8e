package dev.syncmap.cli.report;

import java.util.Locale;

/** Number formatting shared by the table, the report and the recommendation. Stateless. */
public final class Format {

    private Format() {
    }

    /**
     * Formats a throughput with an SI suffix and three significant digits: {@code 41.2M}, {@code 987k}.
     *
     * @param v operations per second
     * @return the short form, or {@code "—"} for NaN
     */
    public static String si(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        double a = Math.abs(v);
        if (a >= 1e9) {
            return sig(v / 1e9) + "G";
        }
        if (a >= 1e6) {
            return sig(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return sig(v / 1e3) + "k";
        }
        return sig(v);
    }

    /** Three significant digits, no exponent. */
    static String sig(double v) {
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * Formats a score with its error: {@code 41.2M ± 1.3M}.
     *
     * @param score the mean
     * @param error the error, or NaN
     * @return the text
     */
    public static String scoreWithError(double score, double error) {
        return Double.isNaN(error) ? si(score) + " ± ?" : si(score) + " ± " + si(error);
    }

    /**
     * Formats a ratio with its error: {@code 1.52× ± 0.07}.
     *
     * @param r the ratio, may be null
     * @return the text, {@code "—"} for null
     */
    public static String ratio(Ratio r) {
        if (r == null || Double.isNaN(r.value())) {
            return "—";
        }
        String v = String.format(Locale.ROOT, "%.2f×", r.value());
        return Double.isNaN(r.error()) ? v + " ± ?" : v + String.format(Locale.ROOT, " ± %.2f", r.error());
    }

    /**
     * Formats a ratio given as nullable parts.
     *
     * @param value the ratio, or null
     * @param error its error, or null
     * @return the text
     */
    public static String ratio(Double value, Double error) {
        return value == null ? "—" : ratio(new Ratio(value, error == null ? Double.NaN : error));
    }

    /**
     * Formats bytes per operation: {@code 0}, {@code 16.0}, {@code 4.2k}.
     *
     * @param v bytes, may be null or NaN
     * @return the text
     */
    public static String bytes(Double v) {
        if (v == null || Double.isNaN(v)) {
            return "—";
        }
        if (Math.abs(v) < 0.05) {
            return "0";
        }
        return si(v);
    }

    /**
     * Formats nanoseconds as a latency with a unit: {@code 850 ns}, {@code 12.3 µs}, {@code 4.10 ms}.
     *
     * @param ns nanoseconds
     * @return the text
     */
    public static String nanos(long ns) {
        if (ns < 1_000) {
            return ns + " ns";
        }
        if (ns < 1_000_000) {
            return sig(ns / 1e3) + " µs";
        }
        if (ns < 1_000_000_000) {
            return sig(ns / 1e6) + " ms";
        }
        return sig(ns / 1e9) + " s";
    }

    /**
     * Formats the share of a latency run's tail that overlapped GC pauses, {@code "p99 / p99.9"} in percent, or
     * {@code "-"} for a result that did not measure it.
     *
     * @param l the latency run
     * @return the text, e.g. {@code "12% / 40%"}
     */
    public static String gcShares(dev.syncmap.cli.bench.LatencyMeasurement l) {
        if (l.p99GcShare() == null || l.p999GcShare() == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.0f%% / %.0f%%", 100 * l.p99GcShare(), 100 * l.p999GcShare());
    }

    /**
     * Formats a confidence level: {@code 95%}, {@code 99.9%}.
     *
     * @param confidence in (0, 1)
     * @return the text
     */
    public static String percent(double confidence) {
        String s = String.format(Locale.ROOT, "%.1f", confidence * 100);
        return (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s) + "%";
    }
}
