package dev.syncmap.replicate;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An observer in the transform stage that counts the replicated changes by key prefix × value-size range, as the
 * Micrometer counter {@value #METER} with tags {@code replicator}, {@code prefix} and {@code size}. It never
 * changes or drops a change ({@link #apply} returns its argument), so put it last among the transformers to see
 * what the sinks get. It tells, for instance, which key families carry values above 24 KB (the size write
 * buffers are pre-sized to).
 *
 * <p><b>Prefix.</b> The key's {@code toString()} up to and including the first delimiter ({@code "user:"} for
 * {@code "user:42"} with the default {@code ':'}); {@value #NO_PREFIX} for a key without the delimiter in its
 * first {@value #MAX_PREFIX_LENGTH} characters. Cardinality is bounded: after {@code maxPrefixes} distinct
 * prefixes, new ones are counted as {@value #OTHER}.
 *
 * <p><b>Size.</b> The value's size by a {@link ValueSizeEstimator} (by default a string's length × 2, a
 * {@code byte[]}'s length), in the buckets of {@link SizeBucket}: {@code lt64B}, {@code lt256B}, {@code lt1KB},
 * {@code lt4KB}, {@code lt24KB}, {@code lt64KB}, {@code ge64KB}; {@code removal} for a removal (no value) and
 * {@code unknown} when the estimator cannot tell. So at most {@code (maxPrefixes + 2) × 9} series.
 *
 * <p>Cost per change: the key's string form, one scan for the delimiter, one substring and one hash-map look-up,
 * the estimate, one counter increment. A counter is registered the first time its (prefix, size) pair is seen.
 * Thread-safe, though the pipeline calls it from the transform thread only.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class KeyDistribution<K, V> implements Transformer<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(KeyDistribution.class);

    /** The counter's name. */
    public static final String METER = "syncmap.replication.keys";
    /** The prefix tag of keys beyond the cap on distinct prefixes. */
    public static final String OTHER = "other";
    /** The prefix tag of keys without the delimiter (near their start). */
    public static final String NO_PREFIX = "none";
    /** A delimiter further into the key than this is not looked for. */
    public static final int MAX_PREFIX_LENGTH = 64;
    /** The default cap on distinct prefixes. */
    public static final int DEFAULT_MAX_PREFIXES = 64;

    /** The value-size ranges, and the tag value of each. */
    public enum SizeBucket {
        /** Below 64 bytes. */
        LT_64B("lt64B", 64),
        /** 64 to 255 bytes. */
        LT_256B("lt256B", 256),
        /** 256 bytes to 1 KiB − 1. */
        LT_1KB("lt1KB", 1024),
        /** 1 KiB to 4 KiB − 1. */
        LT_4KB("lt4KB", 4 * 1024),
        /** 4 KiB to 24 KiB − 1: still fits the pre-sized 24 KiB write buffer. */
        LT_24KB("lt24KB", 24 * 1024),
        /** 24 KiB to 64 KiB − 1. */
        LT_64KB("lt64KB", 64 * 1024),
        /** 64 KiB or more. */
        GE_64KB("ge64KB", Long.MAX_VALUE),
        /** A removal: no value. */
        REMOVAL("removal", -1),
        /** The estimator could not tell. */
        UNKNOWN("unknown", -1);

        private final String tag;
        private final long below;

        SizeBucket(String tag, long below) {
            this.tag = tag;
            this.below = below;
        }

        /**
         * Returns the tag value.
         *
         * @return the {@code size} tag of this bucket
         */
        public String tag() {
            return tag;
        }

        /**
         * Returns the bucket of a size.
         *
         * @param bytes a size, or a negative number for unknown
         * @return the bucket
         */
        public static SizeBucket of(long bytes) {
            if (bytes < 0) {
                return UNKNOWN;
            }
            for (SizeBucket b : VALUES) {
                if (b.below > 0 && bytes < b.below) {
                    return b;
                }
            }
            return GE_64KB;
        }

        private static final SizeBucket[] VALUES = values();
    }

    private final MeterRegistry registry;
    private final Tags tags;
    private final char delimiter;
    private final int maxPrefixes;
    private final ValueSizeEstimator<? super V> estimator;
    private final Map<String, PrefixCounters> byPrefix = new ConcurrentHashMap<>();
    private final Counter estimatorFailures;
    private final AtomicBoolean failureLogged = new AtomicBoolean();

    /**
     * An observer with the default delimiter {@code ':'}, cap and estimator.
     *
     * @param registry where the counters go
     * @param replicator the replicator's name (the {@code replicator} tag)
     */
    public KeyDistribution(MeterRegistry registry, String replicator) {
        this(registry, replicator, ':', DEFAULT_MAX_PREFIXES, ValueSizeEstimator.defaults());
    }

    /**
     * An observer.
     *
     * @param registry where the counters go
     * @param replicator the replicator's name (the {@code replicator} tag)
     * @param delimiter ends a key's prefix
     * @param maxPrefixes distinct prefixes counted before the rest go to {@value #OTHER}; 1 to 10,000
     * @param estimator estimates value sizes
     */
    public KeyDistribution(MeterRegistry registry, String replicator, char delimiter, int maxPrefixes,
                           ValueSizeEstimator<? super V> estimator) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Tags.of("replicator", Objects.requireNonNull(replicator, "replicator"));
        if (maxPrefixes < 1 || maxPrefixes > 10_000) {
            throw new IllegalArgumentException("maxPrefixes must be 1 to 10000, got " + maxPrefixes);
        }
        this.delimiter = delimiter;
        this.maxPrefixes = maxPrefixes;
        this.estimator = Objects.requireNonNull(estimator, "estimator");
        this.estimatorFailures = Counter.builder(METER + ".estimator.failures")
            .description("values whose size the estimator failed to measure (counted as size=unknown)")
            .tags(tags).register(registry);
    }

    @Override
    public Envelope<K, V> apply(Envelope<K, V> change) {
        SizeBucket size = change.value() == null ? SizeBucket.REMOVAL : SizeBucket.of(estimate(change.value()));
        countersOf(prefixOf(change.key())).get(size).increment();
        return change;
    }

    private long estimate(V value) {
        try {
            return estimator.estimate(value);
        } catch (RuntimeException e) {
            estimatorFailures.increment();
            if (failureLogged.compareAndSet(false, true)) {
                LOG.warn("key distribution: the value size estimator failed on a {} (counted as size=unknown;"
                    + " later failures are only counted in {}.estimator.failures)", value.getClass().getName(),
                    METER, e);
            }
            return ValueSizeEstimator.UNKNOWN;
        }
    }

    /**
     * Returns the prefix tag of a key (before the cap on distinct prefixes).
     *
     * @param key the key
     * @return the text up to and including the first delimiter, or {@value #NO_PREFIX}
     */
    String prefixOf(Object key) {
        String s = key.toString();
        int n = Math.min(s.length(), MAX_PREFIX_LENGTH);
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) == delimiter) {
                return s.substring(0, i + 1);
            }
        }
        return NO_PREFIX;
    }

    private PrefixCounters countersOf(String prefix) {
        PrefixCounters cs = byPrefix.get(prefix);
        if (cs != null) {
            return cs;
        }
        String tag = prefix;
        if (!prefix.equals(NO_PREFIX) && distinctPrefixes() >= maxPrefixes) {
            tag = OTHER;
        }
        return byPrefix.computeIfAbsent(tag, PrefixCounters::new);
    }

    private int distinctPrefixes() {
        int n = byPrefix.size();
        if (byPrefix.containsKey(OTHER)) {
            n--;
        }
        if (byPrefix.containsKey(NO_PREFIX)) {
            n--;
        }
        return n;
    }

    /** One prefix tag's counters, one per size bucket, registered on first use. */
    private final class PrefixCounters {
        private final String tag;
        private final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(SizeBucket.VALUES.length);

        PrefixCounters(String tag) {
            this.tag = tag;
        }

        Counter get(SizeBucket size) {
            Counter c = counters.get(size.ordinal());
            if (c == null) {
                c = Counter.builder(METER).description("replicated changes by key prefix and value size range")
                    .tags(tags.and("prefix", tag, "size", size.tag())).register(registry);
                counters.compareAndSet(size.ordinal(), null, c);
            }
            return c;
        }

        long count(SizeBucket size) {
            Counter c = counters.get(size.ordinal());
            return c == null ? 0 : (long) c.count();
        }
    }

    /**
     * Returns how many changes were counted for a prefix tag and a size bucket.
     *
     * @param prefix a prefix tag ({@code "user:"}, {@value #OTHER}, {@value #NO_PREFIX})
     * @param size the bucket
     * @return the count
     */
    public long count(String prefix, SizeBucket size) {
        PrefixCounters cs = byPrefix.get(prefix);
        return cs == null ? 0 : cs.count(size);
    }

    /**
     * Returns the number of distinct prefixes counted so far (without {@value #OTHER} and
     * {@value #NO_PREFIX}).
     *
     * @return at most {@code maxPrefixes}
     */
    public int prefixes() {
        return distinctPrefixes();
    }

    @Override
    public String toString() {
        return "KeyDistribution{delimiter='" + delimiter + "', maxPrefixes=" + maxPrefixes + ", prefixes="
            + distinctPrefixes() + "}";
    }
}
