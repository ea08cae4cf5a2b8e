package dev.syncmap.replicate;

/**
 * One node's contribution to a PN-counter (and, summed over nodes, the counter itself): the total of its
 * increments and the total of its decrements, both only ever growing, so replicas merge contributions by
 * per-node maximum and converge whatever the order of arrival. The counter's value is
 * {@code increments - decrements}.
 *
 * <p>Write a node's contribution with {@code map.merge(key, PnCount.of(delta), PnCount::plus)}.
 *
 * @param increments the sum of increments, not negative
 * @param decrements the sum of decrements (as a positive number), not negative
 */
public record PnCount(long increments, long decrements) {

    /** The empty counter. */
    public static final PnCount ZERO = new PnCount(0, 0);

    /**
     * Validates the fields.
     *
     * @param increments not negative
     * @param decrements not negative
     */
    public PnCount {
        if (increments < 0 || decrements < 0) {
            throw new IllegalArgumentException("PnCount parts must not be negative: +" + increments + " -"
                + decrements);
        }
    }

    /**
     * A contribution of one change.
     *
     * @param delta positive to increment, negative to decrement
     * @return the contribution
     */
    public static PnCount of(long delta) {
        return delta >= 0 ? new PnCount(delta, 0) : new PnCount(0, Math.negateExact(delta));
    }

    /**
     * Adds two contributions of the same node (its successive changes).
     *
     * @param other the other contribution
     * @return the sum
     */
    public PnCount plus(PnCount other) {
        return new PnCount(Math.addExact(increments, other.increments), Math.addExact(decrements, other.decrements));
    }

    /**
     * Joins two states of the same node's contribution: the per-part maximum.
     *
     * @param other the other state
     * @return the join
     */
    public PnCount max(PnCount other) {
        return new PnCount(Math.max(increments, other.increments), Math.max(decrements, other.decrements));
    }

    /**
     * Returns the counter's value.
     *
     * @return increments minus decrements
     */
    public long value() {
        return increments - decrements;
    }
}
