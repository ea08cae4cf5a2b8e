package dev.syncmap.cli.bench;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints key counts with an optional {@code k} (thousand) or {@code m} (million) suffix:
 * {@code 1000}, {@code 1k}, {@code 100k}, {@code 1m}, {@code 1M}.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeyCount {

    /** The largest key count accepted: the benchmarks precompute key arrays of this length. */
    public static final int MAX = 100_000_000;

    private static final Pattern FORM = Pattern.compile("\\s*(\\d+)\\s*([kKmM]?)\\s*");

    private KeyCount() {
    }

    /**
     * Parses a key count.
     *
     * @param text for example {@code "100k"}
     * @return the count, between 1 and {@link #MAX}
     * @throws IllegalArgumentException naming the text when it does not parse or is out of range
     */
    public static int parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid key count '" + text
                    + "': expected a whole number with an optional k or m suffix, for example 1000, 100k or 1m");
        }
        long base;
        try {
            base = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid key count '" + text + "': too large", e);
        }
        long factor = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1_000L;
            case "m" -> 1_000_000L;
            default -> 1L;
        };
        if (base > MAX || base * factor > MAX || base * factor < 1) {
            throw new IllegalArgumentException("invalid key count '" + text.strip() + "': must be between 1 and "
                    + format(MAX));
        }
        return (int) (base * factor);
    }

    /**
     * Formats a count the short way when it is exact: {@code 1000 -> "1k"}, {@code 1000000 -> "1M"},
     * {@code 1500 -> "1500"}.
     *
     * @param keys the count
     * @return the short form
     */
    public static String format(int keys) {
        if (keys >= 1_000_000 && keys % 1_000_000 == 0) {
            return keys / 1_000_000 + "M";
        }
        if (keys >= 1_000 && keys % 1_000 == 0) {
            return keys / 1_000 + "k";
        }
        return Integer.toString(keys);
    }
}
