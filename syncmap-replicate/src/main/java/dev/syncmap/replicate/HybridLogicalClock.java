package dev.syncmap.replicate;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni, Demirbas et al., "Logical Physical Clocks", 2014): stamps that follow wall-clock
 * time closely yet never go backwards and always order a cause before its effect, across nodes whose clocks
 * disagree by a bounded skew.
 *
 * <p><b>Encoding.</b> A stamp is one {@code long}: the physical part, milliseconds since the epoch, in the high 48
 * bits, and a logical counter in the low 16 bits. Comparing two stamps as signed longs compares (physical, logical)
 * lexicographically, which is HLC's order. 48 bits of milliseconds last until the year 10889; the counter
 * overflows into the physical part after 65,535 stamps within one millisecond, which keeps stamps strictly
 * increasing (the clock simply runs one millisecond ahead for a moment).
 *
 * <p><b>Skew.</b> {@link #observe(long)} merges a stamp received from another node. A remote stamp whose physical
 * part is more than {@link #maxSkew()} ahead of this node's wall clock is still accepted (refusing it would lose
 * the change it came with, and the order HLC promises needs the merge), but it is counted in
 * {@link #stampsBeyondSkew()} and the largest excess seen is kept in {@link #largestSkewMillis()}, so an
 * operator sees a clock that runs ahead instead of finding out from mysterious last-writer-wins outcomes.
 *
 * <p>Thread-safe and lock-free: the state is one {@link AtomicLong} updated by CAS.
 */
public final class HybridLogicalClock {

    /** Bits of the logical counter. */
    public static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private final LongSupplier wallClock;
    private final long maxSkewMillis;
    private final AtomicLong last = new AtomicLong();
    private final AtomicLong beyondSkew = new AtomicLong();
    private final AtomicLong largestSkew = new AtomicLong();

    /**
     * A clock on {@link System#currentTimeMillis()} with the given skew bound.
     *
     * @param maxSkew how far ahead a remote stamp may be before it is counted as beyond the bound, not negative
     */
    public HybridLogicalClock(Duration maxSkew) {
        this(System::currentTimeMillis, maxSkew);
    }

    /**
     * A clock on the given wall clock (for tests and simulations).
     *
     * @param wallClock milliseconds since the epoch
     * @param maxSkew how far ahead a remote stamp may be before it is counted as beyond the bound, not negative
     */
    public HybridLogicalClock(LongSupplier wallClock, Duration maxSkew) {
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        Objects.requireNonNull(maxSkew, "maxSkew");
        if (maxSkew.isNegative()) {
            throw new IllegalArgumentException("maxSkew must not be negative, got " + maxSkew);
        }
        this.maxSkewMillis = maxSkew.toMillis();
    }

    /**
     * Returns a new stamp for a local event: greater than every stamp this clock has returned or observed.
     *
     * @return the stamp
     */
    public long now() {
        long wall = wallClock.getAsLong() << LOGICAL_BITS;
        while (true) {
            long prev = last.get();
            long next = wall > prev ? wall : prev + 1;
            if (last.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    /**
     * Merges a stamp received from another node and returns a stamp for the receive event, greater than both
     * the remote stamp and every stamp this clock issued before. Counts the stamp if it is beyond the skew
     * bound.
     *
     * @param remote the remote stamp
     * @return the local stamp of the receive event
     */
    public long observe(long remote) {
        long wallMillis = wallClock.getAsLong();
        long ahead = physicalMillis(remote) - wallMillis;
        if (ahead > maxSkewMillis) {
            beyondSkew.incrementAndGet();
            largestSkew.accumulateAndGet(ahead, Math::max);
        }
        long wall = wallMillis << LOGICAL_BITS;
        while (true) {
            long prev = last.get();
            long next = Math.max(wall, Math.max(prev, remote) + 1);
            if (last.compareAndSet(prev, next)) {
                return next;
            }
        }
    }

    /**
     * Returns the last stamp issued or observed, without issuing a new one.
     *
     * @return the current stamp (0 before the first event)
     */
    public long current() {
        return last.get();
    }

    /**
     * Returns the configured skew bound.
     *
     * @return the bound
     */
    public Duration maxSkew() {
        return Duration.ofMillis(maxSkewMillis);
    }

    /**
     * Returns how many observed stamps were further ahead of this node's wall clock than the bound.
     *
     * @return the count
     */
    public long stampsBeyondSkew() {
        return beyondSkew.get();
    }

    /**
     * Returns the largest distance, in milliseconds, that an observed stamp was ahead of the wall clock, among
     * those beyond the bound (0 if none).
     *
     * @return milliseconds
     */
    public long largestSkewMillis() {
        return largestSkew.get();
    }

    /**
     * Returns the physical part of a stamp.
     *
     * @param stamp a stamp
     * @return milliseconds since the epoch
     */
    public static long physicalMillis(long stamp) {
        return stamp >>> LOGICAL_BITS;
    }

    /**
     * Returns the logical part of a stamp.
     *
     * @param stamp a stamp
     * @return the counter
     */
    public static int logical(long stamp) {
        return (int) (stamp & LOGICAL_MASK);
    }

    /**
     * Builds a stamp from its parts.
     *
     * @param physicalMillis milliseconds since the epoch, below 2<sup>48</sup>
     * @param logical the counter, 0 to 65,535
     * @return the stamp
     */
    public static long stamp(long physicalMillis, int logical) {
        if (physicalMillis < 0 || physicalMillis >>> (64 - LOGICAL_BITS) != 0) {
            throw new IllegalArgumentException("physical time out of range: " + physicalMillis);
        }
        if (logical < 0 || logical > LOGICAL_MASK) {
            throw new IllegalArgumentException("logical counter out of range: " + logical);
        }
        return physicalMillis << LOGICAL_BITS | logical;
    }
}
