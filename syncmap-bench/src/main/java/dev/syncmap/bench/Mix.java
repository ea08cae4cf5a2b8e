package dev.syncmap.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read:write operation mix in whole percent, written {@code "97:3"}: 97 % of operations are reads, 3 % writes.
 * The one definition of a mix for the benchmarks ({@link MixBenchmark}'s {@code mix} parameter) and the CLI that
 * drives them ({@code --mix}, workload files, {@code results.json}, whose schema fixes this form).
 *
 * <p>Immutable and thread-safe.
 *
 * @param reads percent of reads, 0..100
 * @param writes percent of writes, 0..100; {@code reads + writes == 100}
 */
public record Mix(int reads, int writes) {

    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,3})\\s*:\\s*(\\d{1,3})\\s*");

    /**
     * Validates the percentages.
     *
     * @throws IllegalArgumentException if either is negative or they do not sum to 100
     */
    public Mix {
        if (reads < 0 || writes < 0 || reads + writes != 100) {
            throw new IllegalArgumentException("invalid mix '" + reads + ":" + writes
                    + "': reads and writes must be percentages that sum to 100");
        }
    }

    /**
     * Parses {@code "reads:writes"}, for example {@code "97:3"} or {@code "100:0"}.
     *
     * @param text the mix, never null
     * @return the mix
     * @throws IllegalArgumentException naming the text when it does not parse or does not sum to 100
     */
    public static Mix parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid mix '" + text
                    + "': expected READS:WRITES in percent, for example 97:3");
        }
        int reads = Integer.parseInt(m.group(1));
        int writes = Integer.parseInt(m.group(2));
        if (reads + writes != 100) {
            throw new IllegalArgumentException("invalid mix '" + text.strip() + "': " + reads + " + " + writes
                    + " = " + (reads + writes) + ", reads and writes must sum to 100");
        }
        return new Mix(reads, writes);
    }

    /**
     * The fraction of operations that are reads, in [0, 1].
     *
     * @return reads / 100
     */
    public double readFraction() {
        return reads / 100.0;
    }

    /** Returns the canonical form, {@code "97:3"}; this is also the JMH parameter value. */
    @Override
    public String toString() {
        return reads + ":" + writes;
    }
}
