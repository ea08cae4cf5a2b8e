package dev.syncmap.bench;

import java.util.Locale;

/**
 * A read:write operation mix such as {@code "97:3"} or {@code "97.3:2.7"}: two non-negative numbers, not both
 * zero, separated by a colon. Only their ratio matters ({@code "1:1"} equals {@code "50:50"}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param reads the read share as written
 * @param writes the write share as written
 */
public record Mix(double reads, double writes) {

    /**
     * Validates the shares.
     *
     * @param reads the read share, finite and non-negative
     * @param writes the write share, finite and non-negative
     * @throws IllegalArgumentException if a share is negative or not finite, or both are zero
     */
    public Mix {
        if (!(reads >= 0) || !(writes >= 0) || Double.isInfinite(reads) || Double.isInfinite(writes)) {
            throw new IllegalArgumentException("read and write shares must be finite and non-negative, were "
                    + reads + ":" + writes);
        }
        if (reads + writes == 0) {
            throw new IllegalArgumentException("a mix needs some reads or some writes, was 0:0");
        }
    }

    /**
     * Parses {@code "R:W"}.
     *
     * @param text e.g. {@code "97:3"}, {@code "97.3:2.7"}, {@code "100:0"}
     * @return the mix
     * @throws IllegalArgumentException naming the input if it does not parse
     */
    public static Mix parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("mix must be R:W such as 97:3, was null");
        }
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("mix must be R:W such as 97:3, was '" + text + "'");
        }
        try {
            return new Mix(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mix must be R:W such as 97:3, was '" + text + "'", e);
        }
    }

    /**
     * The fraction of operations that are reads, in [0, 1].
     *
     * @return reads / (reads + writes)
     */
    public double readFraction() {
        return reads / (reads + writes);
    }

    /** Returns the mix as {@code R:W}, without trailing {@code .0}. */
    @Override
    public String toString() {
        return format(reads) + ":" + format(writes);
    }

    private static String format(double share) {
        return share == Math.rint(share) ? Long.toString((long) share) : String.format(Locale.ROOT, "%s", share);
    }
}
