package dev.syncmap.replicate;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Replicator} protects itself and its source from a failing or slow sink: a circuit breaker per
 * sink, the durable spill queue, graded overload levels with an adaptive batch size and held low-priority keys,
 * and self-healing. Immutable; build with {@link #builder()}. Every setting has a default:
 *
 * <table>
 * <caption>settings and defaults</caption>
 * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code breakerFailureRate}</td><td>50 %</td><td>failure rate (over the breaker's window) that opens
 *   the breaker</td></tr>
 * <tr><td>{@code breakerWindow}</td><td>20 calls</td><td>the breaker's count-based sliding window</td></tr>
 * <tr><td>{@code breakerMinimumCalls}</td><td>5</td><td>calls in the window before the rate counts</td></tr>
 * <tr><td>{@code breakerOpenWait}</td><td>5 s</td><td>time open before one probe write is let through</td></tr>
 * <tr><td>{@code spillAfterFailures}</td><td>5</td><td>consecutive failed writes ("heartbeats") after which
 *   batches go to the spill even if the breaker is still closed</td></tr>
 * <tr><td>{@code spillMaxBytes}</td><td>1 GiB</td><td>byte bound of one sink's spill</td></tr>
 * <tr><td>{@code spillMaxAge}</td><td>24 h</td><td>age bound of the oldest spilled batch</td></tr>
 * <tr><td>{@code spillSync}</td><td>false</td><td>fsync every spill append (else: the spill's log is fsynced
 *   before each checkpoint; an append survives {@code kill -9} but not a power loss until then)</td></tr>
 * <tr><td>{@code spillBoundPolicy}</td><td>{@link SpillBoundPolicy#STOP_READING}</td><td>what happens at the
 *   bound</td></tr>
 * <tr><td>{@code drainBudget}</td><td>50 ms</td><td>the longest a writer drains its spill before taking the next
 *   batch from the ring</td></tr>
 * <tr><td>{@code minBatchSize}</td><td>100</td><td>the batch size at overload level 1 (worst) and above; the
 *   maximum is the replicator's {@code batchSize} (500)</td></tr>
 * <tr><td>{@code latencyWindow}</td><td>30 s</td><td>sliding window of the write-latency p99</td></tr>
 * <tr><td>{@code overloadThresholds}</td><td>100 ms, 500 ms, 2 s</td><td>p99 at which levels 1, 2 and 3
 *   begin</td></tr>
 * <tr><td>{@code lowPriorityPrefixes}</td><td>none</td><td>key prefixes (of {@code String.valueOf(key)}) held at
 *   level 2</td></tr>
 * <tr><td>{@code maxHeld}</td><td>100,000</td><td>held changes kept in memory; beyond, they move to the
 *   spill</td></tr>
 * <tr><td>{@code selfHeal}</td><td>on</td><td>whether self-healing acts</td></tr>
 * <tr><td>{@code selfHealThreshold}</td><td>0.995</td><td>success rate below which self-healing acts</td></tr>
 * <tr><td>{@code selfHealWindow}</td><td>3 min</td><td>window of the success rate</td></tr>
 * <tr><td>{@code selfHealMinimumCalls}</td><td>100</td><td>write attempts in the window before it acts</td></tr>
 * </table>
 *
 * <p>Overload levels (from the p99 of the sink's write latency): 0 normal; 1 the batch size shrinks toward
 * {@code minBatchSize} and {@link Sink#setCompression(boolean)} is turned on; 2 changes to low-priority keys are
 * held back (kept in order, never dropped) while the others flow; 3 every batch goes to the spill (as when the
 * breaker is open). See {@code docs/replication.md}.
 */
public final class SinkProtection {

    private final float breakerFailureRate;
    private final int breakerWindow;
    private final int breakerMinimumCalls;
    private final Duration breakerOpenWait;
    private final int spillAfterFailures;
    private final long spillMaxBytes;
    private final Duration spillMaxAge;
    private final boolean spillSync;
    private final SpillBoundPolicy spillBoundPolicy;
    private final Duration drainBudget;
    private final int minBatchSize;
    private final Duration latencyWindow;
    private final Duration level1;
    private final Duration level2;
    private final Duration level3;
    private final List<String> lowPriorityPrefixes;
    private final int maxHeld;
    private final boolean selfHeal;
    private final double selfHealThreshold;
    private final Duration selfHealWindow;
    private final int selfHealMinimumCalls;

    private SinkProtection(Builder b) {
        breakerFailureRate = b.breakerFailureRate;
        breakerWindow = b.breakerWindow;
        breakerMinimumCalls = b.breakerMinimumCalls;
        breakerOpenWait = b.breakerOpenWait;
        spillAfterFailures = b.spillAfterFailures;
        spillMaxBytes = b.spillMaxBytes;
        spillMaxAge = b.spillMaxAge;
        spillSync = b.spillSync;
        spillBoundPolicy = b.spillBoundPolicy;
        drainBudget = b.drainBudget;
        minBatchSize = b.minBatchSize;
        latencyWindow = b.latencyWindow;
        level1 = b.level1;
        level2 = b.level2;
        level3 = b.level3;
        lowPriorityPrefixes = List.copyOf(b.lowPriorityPrefixes);
        maxHeld = b.maxHeld;
        selfHeal = b.selfHeal;
        selfHealThreshold = b.selfHealThreshold;
        selfHealWindow = b.selfHealWindow;
        selfHealMinimumCalls = b.selfHealMinimumCalls;
    }

    /**
     * Returns the defaults.
     *
     * @return the default protection
     */
    public static SinkProtection defaults() {
        return builder().build();
    }

    /**
     * Returns a builder with the defaults.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the failure rate in percent that opens the breaker */
    public float breakerFailureRate() {
        return breakerFailureRate;
    }

    /** @return the breaker's sliding window in calls */
    public int breakerWindow() {
        return breakerWindow;
    }

    /** @return calls in the window before the failure rate counts */
    public int breakerMinimumCalls() {
        return breakerMinimumCalls;
    }

    /** @return how long the breaker stays open before a probe */
    public Duration breakerOpenWait() {
        return breakerOpenWait;
    }

    /** @return consecutive failed writes after which batches are spilled */
    public int spillAfterFailures() {
        return spillAfterFailures;
    }

    /** @return the spill's byte bound */
    public long spillMaxBytes() {
        return spillMaxBytes;
    }

    /** @return the spill's age bound */
    public Duration spillMaxAge() {
        return spillMaxAge;
    }

    /** @return whether every spill append is fsynced */
    public boolean spillSync() {
        return spillSync;
    }

    /** @return what happens at the spill's bound */
    public SpillBoundPolicy spillBoundPolicy() {
        return spillBoundPolicy;
    }

    /** @return the longest a writer drains before taking the next batch */
    public Duration drainBudget() {
        return drainBudget;
    }

    /** @return the smallest adaptive batch size */
    public int minBatchSize() {
        return minBatchSize;
    }

    /** @return the window of the latency p99 */
    public Duration latencyWindow() {
        return latencyWindow;
    }

    /** @return the p99 thresholds of levels 1, 2 and 3 */
    public List<Duration> overloadThresholds() {
        return List.of(level1, level2, level3);
    }

    /** @return the key prefixes held at level 2 */
    public List<String> lowPriorityPrefixes() {
        return lowPriorityPrefixes;
    }

    /** @return how many held changes are kept in memory */
    public int maxHeld() {
        return maxHeld;
    }

    /** @return whether self-healing acts */
    public boolean selfHeal() {
        return selfHeal;
    }

    /** @return the success rate below which self-healing acts */
    public double selfHealThreshold() {
        return selfHealThreshold;
    }

    /** @return the window of the success rate */
    public Duration selfHealWindow() {
        return selfHealWindow;
    }

    /** @return write attempts in the window before self-healing acts */
    public int selfHealMinimumCalls() {
        return selfHealMinimumCalls;
    }

    boolean isLowPriority(Object key) {
        if (lowPriorityPrefixes.isEmpty()) {
            return false;
        }
        String s = String.valueOf(key);
        for (String p : lowPriorityPrefixes) {
            if (s.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "SinkProtection[breaker " + breakerFailureRate + "% of " + breakerWindow + " calls (min "
            + breakerMinimumCalls + "), open " + breakerOpenWait + "; spill after " + spillAfterFailures
            + " failures, bound " + spillMaxBytes + " B / " + spillMaxAge + ", sync " + spillSync + ", "
            + spillBoundPolicy + "; levels " + level1 + "/" + level2 + "/" + level3 + " over " + latencyWindow
            + ", min batch " + minBatchSize + ", low priority " + lowPriorityPrefixes + ", max held " + maxHeld
            + "; self-heal " + selfHeal + " below " + selfHealThreshold + " over " + selfHealWindow + "]";
    }

    /** Builds a {@link SinkProtection}; see its table for the defaults. */
    public static final class Builder {
        private float breakerFailureRate = 50f;
        private int breakerWindow = 20;
        private int breakerMinimumCalls = 5;
        private Duration breakerOpenWait = Duration.ofSeconds(5);
        private int spillAfterFailures = 5;
        private long spillMaxBytes = RocksSpillQueue.DEFAULT_MAX_BYTES;
        private Duration spillMaxAge = RocksSpillQueue.DEFAULT_MAX_AGE;
        private boolean spillSync;
        private SpillBoundPolicy spillBoundPolicy = SpillBoundPolicy.STOP_READING;
        private Duration drainBudget = Duration.ofMillis(50);
        private int minBatchSize = 100;
        private Duration latencyWindow = Duration.ofSeconds(30);
        private Duration level1 = Duration.ofMillis(100);
        private Duration level2 = Duration.ofMillis(500);
        private Duration level3 = Duration.ofSeconds(2);
        private List<String> lowPriorityPrefixes = List.of();
        private int maxHeld = 100_000;
        private boolean selfHeal = true;
        private double selfHealThreshold = 0.995;
        private Duration selfHealWindow = Duration.ofMinutes(3);
        private int selfHealMinimumCalls = 100;

        private Builder() {}

        /**
         * The circuit breaker: it opens when at least {@code failureRatePercent} of the last {@code window}
         * writes failed (once {@code minimumCalls} were made), and lets one probe through after {@code openWait}.
         *
         * @param failureRatePercent in (0, 100]
         * @param window calls, positive
         * @param minimumCalls positive
         * @param openWait positive
         * @return this builder
         */
        public Builder breaker(float failureRatePercent, int window, int minimumCalls, Duration openWait) {
            if (!(failureRatePercent > 0 && failureRatePercent <= 100)) {
                throw new IllegalArgumentException("breakerFailureRate must be in (0, 100], got " + failureRatePercent);
            }
            positive("breakerWindow", window);
            positive("breakerMinimumCalls", minimumCalls);
            this.breakerFailureRate = failureRatePercent;
            this.breakerWindow = window;
            this.breakerMinimumCalls = minimumCalls;
            this.breakerOpenWait = positive("breakerOpenWait", openWait);
            return this;
        }

        /**
         * Consecutive failed writes after which batches go to the spill. Default 5.
         *
         * @param n positive
         * @return this builder
         */
        public Builder spillAfterFailures(int n) {
            this.spillAfterFailures = positive("spillAfterFailures", n);
            return this;
        }

        /**
         * The spill's bounds. Defaults 1 GiB and 24 h.
         *
         * @param maxBytes positive
         * @param maxAge positive
         * @return this builder
         */
        public Builder spillBounds(long maxBytes, Duration maxAge) {
            if (maxBytes < 1) {
                throw new IllegalArgumentException("spillMaxBytes must be positive, got " + maxBytes);
            }
            this.spillMaxBytes = maxBytes;
            this.spillMaxAge = positive("spillMaxAge", maxAge);
            return this;
        }

        /**
         * Whether every spill append is fsynced. Default false: the spill's write-ahead log is fsynced before each
         * checkpoint instead; an append survives a {@code kill -9} of the process at once, a power loss only
         * once synced (until then the checkpoint does not claim it, so the source replays it).
         *
         * @param on true to fsync every append
         * @return this builder
         */
        public Builder spillSync(boolean on) {
            this.spillSync = on;
            return this;
        }

        /**
         * What happens when the spill reaches a bound. Default {@link SpillBoundPolicy#STOP_READING}.
         *
         * @param p the policy
         * @return this builder
         */
        public Builder spillBoundPolicy(SpillBoundPolicy p) {
            this.spillBoundPolicy = Objects.requireNonNull(p, "spillBoundPolicy");
            return this;
        }

        /**
         * The longest a writer drains its spill before taking the next batch. Default 50 ms.
         *
         * @param d positive
         * @return this builder
         */
        public Builder drainBudget(Duration d) {
            this.drainBudget = positive("drainBudget", d);
            return this;
        }

        /**
         * The smallest adaptive batch size (at overload level 1's worst and above). Default 100; capped at the
         * replicator's batch size.
         *
         * @param n positive
         * @return this builder
         */
        public Builder minBatchSize(int n) {
            this.minBatchSize = positive("minBatchSize", n);
            return this;
        }

        /**
         * The overload levels: the p99 of the sink's write latency over {@code window} at which levels 1, 2 and
         * 3 begin. Defaults 30 s; 100 ms, 500 ms, 2 s.
         *
         * @param window positive
         * @param level1 positive
         * @param level2 at least level1
         * @param level3 at least level2
         * @return this builder
         */
        public Builder overload(Duration window, Duration level1, Duration level2, Duration level3) {
            positive("latencyWindow", window);
            positive("overload level 1", level1);
            if (level2.compareTo(level1) < 0 || level3.compareTo(level2) < 0) {
                throw new IllegalArgumentException("overloadThresholds must not decrease: " + level1 + ", " + level2
                    + ", " + level3);
            }
            this.latencyWindow = window;
            this.level1 = level1;
            this.level2 = level2;
            this.level3 = level3;
            return this;
        }

        /**
         * Key prefixes (of {@code String.valueOf(key)}) whose changes are held at overload level 2, e.g.
         * {@code "temp:"}; keys not matching (say {@code user:profile:}, {@code order:status:}) keep flowing.
         * Default none.
         *
         * @param prefixes the prefixes
         * @return this builder
         */
        public Builder lowPriorityPrefixes(String... prefixes) {
            this.lowPriorityPrefixes = List.of(prefixes);
            return this;
        }

        /**
         * Held changes kept in memory; more move, in order, to the spill (or, without a spill, are written).
         * Default 100,000.
         *
         * @param n positive
         * @return this builder
         */
        public Builder maxHeld(int n) {
            this.maxHeld = positive("maxHeld", n);
            return this;
        }

        /**
         * Self-healing: when the sink's success rate over {@code window} (with at least {@code minimumCalls}
         * attempts) falls below {@code threshold}, a healthy sink is re-anchored (replayed from the source), an
         * unhealthy one has its traffic switched to its fallback sink (with an alert). Defaults 0.995, 3 min, 100.
         *
         * @param threshold in [0, 1]; 0 turns it off
         * @param window positive
         * @param minimumCalls positive
         * @return this builder
         */
        public Builder selfHeal(double threshold, Duration window, int minimumCalls) {
            if (!(threshold >= 0 && threshold <= 1)) {
                throw new IllegalArgumentException("selfHealThreshold must be in [0, 1], got " + threshold);
            }
            this.selfHealThreshold = threshold;
            this.selfHealWindow = positive("selfHealWindow", window);
            this.selfHealMinimumCalls = positive("selfHealMinimumCalls", minimumCalls);
            this.selfHeal = threshold > 0;
            return this;
        }

        /**
         * Turns self-healing off.
         *
         * @return this builder
         */
        public Builder noSelfHeal() {
            this.selfHeal = false;
            return this;
        }

        /**
         * Builds it.
         *
         * @return the protection settings
         */
        public SinkProtection build() {
            return new SinkProtection(this);
        }

        private static int positive(String what, int n) {
            if (n < 1) {
                throw new IllegalArgumentException(what + " must be positive, got " + n);
            }
            return n;
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
