package dev.syncmap.replicate;

import java.util.Objects;

/**
 * A sink's durable position: every change of {@link #origin()} up to and including {@link #revision()} has been
 * applied to it (or placed in the durable spill queue that drains into it). {@link #stamp()} is the largest
 * HLC stamp issued up to there, so a restarted node's clock never runs behind what it already sent.
 *
 * @param origin the source's origin node id
 * @param revision the last revision applied, not negative
 * @param stamp the largest stamp issued up to there
 */
public record Checkpoint(String origin, long revision, long stamp) {

    /**
     * Validates the fields.
     *
     * @param origin not null
     * @param revision not negative
     * @param stamp any
     */
    public Checkpoint {
        Objects.requireNonNull(origin, "origin");
        if (revision < 0) {
            throw new IllegalArgumentException("revision must not be negative, got " + revision);
        }
    }
}
