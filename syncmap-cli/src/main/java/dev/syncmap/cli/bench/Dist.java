package dev.syncmap.cli.bench;

import java.util.Locale;

/** How benchmark keys are drawn: uniformly, or from a scrambled Zipfian distribution (a few hot keys). */
public enum Dist {
    /** Every key equally likely. */
    UNIFORM,
    /** Scrambled Zipfian: a few keys take most operations, spread over the key space. */
    ZIPF;

    /**
     * Parses {@code uniform} or {@code zipf}, ignoring case.
     *
     * @param text the name
     * @return the distribution
     * @throws IllegalArgumentException naming the text when it is neither
     */
    public static Dist parse(String text) {
        for (Dist d : values()) {
            if (d.name().equalsIgnoreCase(text.strip())) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown key distribution '" + text + "': expected uniform or zipf");
    }

    /** Returns the lower-case name, also the JMH parameter value: {@code "uniform"} or {@code "zipf"}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
