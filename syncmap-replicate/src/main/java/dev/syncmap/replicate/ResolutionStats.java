package dev.syncmap.replicate;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of what a versioned replica did with the changes it received: one counter per {@link Outcome}, the
 * gray release's trials and disagreements, and conflict-listener failures. Thread-safe; read at any time.
 */
public final class ResolutionStats {

    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    private final LongAdder grayTrials = new LongAdder();
    private final LongAdder grayDisagreements = new LongAdder();
    private final LongAdder listenerFailures = new LongAdder();
    private final LongAdder expired = new LongAdder();

    /** Creates zeroed counters. */
    public ResolutionStats() {
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, new LongAdder());
        }
    }

    void record(Outcome outcome) {
        outcomes.get(outcome).increment();
    }

    void recordGray(boolean agreed) {
        grayTrials.increment();
        if (!agreed) {
            grayDisagreements.increment();
        }
    }

    void recordListenerFailure() {
        listenerFailures.increment();
    }

    void recordExpired() {
        expired.increment();
    }

    /**
     * Returns how many changes had the outcome.
     *
     * @param outcome the outcome
     * @return the count
     */
    public long count(Outcome outcome) {
        return outcomes.get(outcome).sum();
    }

    /**
     * Returns how many decisions the candidate resolver was tried on.
     *
     * @return the count
     */
    public long grayTrials() {
        return grayTrials.sum();
    }

    /**
     * Returns how many of the candidate's decisions differed from the active resolver's.
     *
     * @return the count
     */
    public long grayDisagreements() {
        return grayDisagreements.sum();
    }

    /**
     * Returns how many times the conflict listener threw.
     *
     * @return the count
     */
    public long listenerFailures() {
        return listenerFailures.sum();
    }

    /**
     * Returns how many entries expired (their TTL passed) and were removed.
     *
     * @return the count
     */
    public long expired() {
        return expired.sum();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ResolutionStats{");
        for (Outcome o : Outcome.values()) {
            b.append(o.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(count(o)).append(", ");
        }
        return b.append("grayTrials=").append(grayTrials()).append(", grayDisagreements=")
            .append(grayDisagreements()).append(", expired=").append(expired()).append('}').toString();
    }
}
