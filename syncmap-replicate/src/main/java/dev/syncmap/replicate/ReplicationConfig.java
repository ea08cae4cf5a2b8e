package dev.syncmap.replicate;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import dev.syncmap.VersionedMap;
import dev.syncmap.copy.Codec;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A replicator's configuration, as read from a YAML or JSON file ({@link #load(Path)}) or built in code:
 * immutable, checked field by field when created, so a bad configuration is refused before anything starts,
 * with a {@link ConfigException} naming the field. {@link #applyTo(Replicator.Builder, MeterRegistry)} sets a
 * {@link Replicator.Builder} from it (the source and sinks stay code); {@link ConfigReloader} re-reads the file
 * and applies what can change without a restart (the resolver and the gray-release candidate).
 *
 * <p>Every field has a default ({@link #defaults()}); a file names only what it changes. Field names, defaults
 * and an example are in {@code docs/replication.md}, section "Configuration". The sections {@code overload},
 * {@code spill} and {@code breaker} are reserved for the sink writer's overload control, spill queue and
 * circuit breaker: their content is kept as read ({@link #section(String)}) and checked by those features.
 *
 * @param name the replicator's name (threads, metrics, logs, checkpoint file names)
 * @param origin this node's id, stamped on every change; null to take the source's
 * @param resolver the active conflict resolver: a built-in name ({@code last-writer-wins}, ...) or a class name
 * @param grayRelease a candidate resolver on trial, or null
 * @param transformers key filters and expiries
 * @param batchSize the largest batch written to a sink
 * @param ringSize the ring buffer's capacity in changes
 * @param coalesce whether changes to one key within a batch are folded
 * @param idleInterval how long a stage waits for work before its idle tasks run
 * @param checkpoint where and how often sink positions are saved
 * @param retry the backoff between retries of a failed sink write
 * @param maxClockSkew the clock skew the hybrid logical clock tolerates
 * @param metrics Prometheus endpoint, OTLP export and the key-distribution metric
 * @param reload whether and how the file is watched for changes
 * @param sections the reserved sections ({@link #RESERVED_SECTIONS}) as read, each a map; immutable
 */
public record ReplicationConfig(String name, String origin, String resolver, GrayRelease grayRelease,
                                Transforms transformers, int batchSize, int ringSize, boolean coalesce,
                                Duration idleInterval, Checkpointing checkpoint, Retry retry, Duration maxClockSkew,
                                Metrics metrics, Reload reload, Map<String, Map<String, Object>> sections) {

    /** The sections kept as read for features configured elsewhere: overload control, spill queue, breaker. */
    public static final Set<String> RESERVED_SECTIONS = Set.of("overload", "spill", "breaker");

    /** The names {@link Resolvers#byClassName(String)} knows without a class. */
    public static final List<String> BUILT_IN_RESOLVERS = List.of("last-writer-wins", "latest-update",
        "g-counter", "pn-counter", "put-if-absent", "pass-through");

    /** The fields a reload applies without a restart. */
    public static final Set<String> RELOADABLE = Set.of("resolver", "grayRelease");

    /**
     * Checks every field.
     *
     * @throws ConfigException naming the first field that is refused
     */
    public ReplicationConfig {
        checkName("name", name);
        if (origin != null) {
            checkName("origin", origin);
        }
        checkResolver("resolver", resolver);
        if (grayRelease != null && grayRelease.candidate().equals(resolver)) {
            throw new ConfigException("grayRelease.candidate", "'" + resolver + "' is already the active resolver;"
                + " to promote a candidate, make it the resolver and remove grayRelease");
        }
        require("transformers", transformers);
        if (batchSize < 1) {
            throw new ConfigException("batchSize", "must be positive, got " + batchSize);
        }
        int minRing = 2 * VersionedMapSource.Emitter.CHUNK;
        if (ringSize < minRing || Integer.bitCount(ringSize) != 1) {
            throw new ConfigException("ringSize", "must be a power of two of at least " + minRing + ", got "
                + ringSize);
        }
        positive("idleInterval", idleInterval);
        require("checkpoint", checkpoint);
        require("retry", retry);
        nonNegative("maxClockSkew", maxClockSkew);
        require("metrics", metrics);
        require("reload", reload);
        require("sections", sections);
        Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> e : sections.entrySet()) {
            if (!RESERVED_SECTIONS.contains(e.getKey())) {
                throw new ConfigException(e.getKey(), "not a reserved section (" + new TreeSet<>(RESERVED_SECTIONS)
                    + ")");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> frozen = (Map<String, Object>) freeze(require(e.getKey(), e.getValue()));
            copy.put(e.getKey(), frozen);
        }
        sections = Collections.unmodifiableMap(copy);
    }

    /**
     * The configuration with every default: name {@code replicator}, the source's origin, last-writer-wins, no
     * candidate, no transformers, batches of 500, a ring of 16,384, coalescing, 100 ms idle interval, no
     * checkpoints (every start anchors), 200 ms checkpoint interval, 10 ms to 5 s retry backoff, 500 ms clock
     * skew, no Prometheus endpoint, no OTLP export, the key-distribution metric on, no file watching.
     *
     * @return the defaults
     */
    public static ReplicationConfig defaults() {
        return new ReplicationConfig("replicator", null, "last-writer-wins", null, Transforms.NONE, 500, 1 << 14,
            true, Duration.ofMillis(100), Checkpointing.DEFAULT, Retry.DEFAULT, Duration.ofMillis(500),
            Metrics.DEFAULT, Reload.DEFAULT, Map.of());
    }

    /**
     * Reads a configuration file: JSON if its name ends in {@code .json}, else YAML. Relative paths in it
     * ({@code checkpoint.directory}) are resolved against the file's directory.
     *
     * @param file the file
     * @return the configuration
     * @throws IOException if the file cannot be read
     * @throws ConfigException naming the file and the field if the configuration is refused
     */
    public static ReplicationConfig load(Path file) throws IOException {
        return ConfigParser.load(file);
    }

    /**
     * Reads a configuration from text.
     *
     * @param text YAML or JSON
     * @param format which
     * @return the configuration
     * @throws ConfigException naming the field if the configuration is refused
     */
    public static ReplicationConfig parse(String text, Format format) {
        return ConfigParser.parse(text, format, null, null);
    }

    /** The syntax of a configuration text. */
    public enum Format {
        /** YAML 1.1 (Jackson's YAML). */
        YAML,
        /** JSON. */
        JSON
    }

    /**
     * Returns a reserved section as read.
     *
     * @param section one of {@link #RESERVED_SECTIONS}
     * @return its content (immutable), empty if the file has none
     * @throws IllegalArgumentException if the section is not reserved
     */
    public Map<String, Object> section(String section) {
        if (!RESERVED_SECTIONS.contains(section)) {
            throw new IllegalArgumentException("not a reserved section: " + section + " (reserved: "
                + new TreeSet<>(RESERVED_SECTIONS) + ")");
        }
        return sections.getOrDefault(section, Map.of());
    }

    /**
     * Builds the resolver policy this configuration names: the active resolver and, with a gray release, the
     * candidate on its share of keys. New resolver instances on every call.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the policy
     */
    public <K, V> ResolverPolicy<K, V> resolverPolicy() {
        ResolverPolicy<K, V> p = ResolverPolicy.of(Resolvers.byClassName(resolver));
        return grayRelease == null ? p : p.withCandidate(Resolvers.byClassName(grayRelease.candidate()),
            grayRelease.share().toKeyShare());
    }

    /**
     * Builds the transformers this configuration names, in the order they run: the key filter, the expiries,
     * then the key-distribution observer (if enabled, on the given registry).
     *
     * @param registry where the key-distribution counters go
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the transformers
     */
    public <K, V> List<Transformer<K, V>> buildTransformers(MeterRegistry registry) {
        List<Transformer<K, V>> ts = new ArrayList<>();
        if (transformers.keepPrefixes() != null) {
            ts.add(Transformer.keepPrefixes(transformers.keepPrefixes()));
        }
        if (!transformers.ttl().isEmpty()) {
            ts.add(new PrefixTtl<>(transformers.ttl()));
        }
        KeyMetrics km = metrics.keyDistribution();
        if (km.enabled()) {
            ts.add(new KeyDistribution<>(registry, name, km.delimiter().charAt(0), km.maxPrefixes(),
                km.estimator()));
        }
        return ts;
    }

    /**
     * Sets a builder from this configuration: name, resolver policy, transformers, batch and ring sizes,
     * coalescing, idle interval, checkpoints, retry backoff, clock skew and the meter registry. The source and
     * the sinks are the caller's.
     *
     * @param builder the builder
     * @param registry the registry for the replicator's meters (from {@link MetricsExport#registry()} to export
     *     them), or null for a private one
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the builder
     */
    public <K, V> Replicator.Builder<K, V> applyTo(Replicator.Builder<K, V> builder, MeterRegistry registry) {
        MeterRegistry r = registry != null ? registry : new SimpleMeterRegistry();
        builder.name(name)
            .resolverPolicy(resolverPolicy())
            .batchSize(batchSize)
            .ringSize(ringSize)
            .coalesce(coalesce)
            .idleInterval(idleInterval)
            .checkpointInterval(checkpoint.interval())
            .onCorruptState(checkpoint.onCorrupt())
            .retryBackoff(retry.min(), retry.max())
            .maxClockSkew(maxClockSkew)
            .meterRegistry(r);
        if (checkpoint.directory() != null) {
            builder.checkpointDirectory(checkpoint.directory());
        }
        for (Transformer<K, V> t : this.<K, V>buildTransformers(r)) {
            builder.transformer(t);
        }
        return builder;
    }

    /**
     * A builder set from this configuration, with a source and sinks.
     *
     * @param source the source; its origin must be this configuration's, if it names one
     * @param sinks the sinks
     * @param registry the meter registry, or null for a private one
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the builder
     * @throws ConfigException naming {@code origin} if the source's origin differs
     */
    public <K, V> Replicator.Builder<K, V> builder(VersionedMapSource<K, V> source, List<? extends Sink<K, V>> sinks,
                                                   MeterRegistry registry) {
        if (origin != null && !origin.equals(source.origin())) {
            throw new ConfigException("origin", "is '" + origin + "', but the source's origin is '"
                + source.origin() + "'");
        }
        Replicator.Builder<K, V> b = Replicator.<K, V>builder().source(source);
        sinks.forEach(b::sink);
        return applyTo(b, registry);
    }

    /**
     * A source over a map, with this configuration's origin.
     *
     * @param map the map to replicate
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the source
     * @throws ConfigException naming {@code origin} if the configuration has none
     */
    public <K, V> VersionedMapSource<K, V> source(VersionedMap<K, V> map) {
        if (origin == null) {
            throw new ConfigException("origin", "is required to build a source (this node's id)");
        }
        return new VersionedMapSource<>(map, origin);
    }

    /**
     * Lists the fields whose values differ between this configuration and another, as dotted paths
     * ({@code metrics.prometheus.port}), sections by their name.
     *
     * @param other the other configuration
     * @return the differing fields, in declaration order
     */
    public List<String> differences(ReplicationConfig other) {
        List<String> out = new ArrayList<>();
        diff("", this, other, out);
        return out;
    }

    private static void diff(String prefix, Record a, Record b, List<String> out) {
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            Object x = get(c, a);
            Object y = get(c, b);
            String path = prefix + c.getName();
            if (Objects.equals(x, y)) {
                continue;
            }
            if (x instanceof Record && y instanceof Record && !(x instanceof Share)) {
                diff(path + ".", (Record) x, (Record) y, out);
            } else {
                out.add(path);
            }
        }
    }

    private static Object get(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------- sections

    /**
     * A gray release: a candidate resolver decides too, on a share of the keys, and its disagreements with the
     * active resolver are counted ({@link MapReplicaSink#stats()}); its decisions are not applied.
     *
     * @param candidate the candidate: a built-in name or a class name
     * @param share the keys it is tried on
     */
    public record GrayRelease(String candidate, Share share) {
        /**
         * Checks the fields.
         *
         * @throws ConfigException naming {@code candidate} or {@code share}
         */
        public GrayRelease {
            checkResolver("candidate", candidate);
            require("share", share);
        }
    }

    /**
     * A share of the keys: either those starting with one of some prefixes, or a percentage by hash.
     *
     * @param prefixes the prefixes, or null for a hash share
     * @param hashPercent 0 to 100, or null for a prefix share
     */
    public record Share(List<String> prefixes, Integer hashPercent) {
        /**
         * Checks the fields: exactly one of them; at least one prefix, none empty; a percentage of 0 to 100.
         *
         * @throws ConfigException naming the field
         */
        public Share {
            if ((prefixes == null) == (hashPercent == null)) {
                throw new ConfigException("", "give either prefixes or hashPercent"
                    + (prefixes == null ? "" : ", not both"));
            }
            if (prefixes != null) {
                checkPrefixes("prefixes", prefixes);
                prefixes = List.copyOf(prefixes);
            } else if (hashPercent < 0 || hashPercent > 100) {
                throw new ConfigException("hashPercent", "must be 0 to 100, got " + hashPercent);
            }
        }

        /**
         * Returns the share as a {@link KeyShare}.
         *
         * @return the key share
         */
        public KeyShare toKeyShare() {
            return prefixes != null ? KeyShare.prefixes(prefixes) : KeyShare.hashPercent(hashPercent);
        }
    }

    /**
     * The transformers: a key filter and expiries by key prefix (keys as strings).
     *
     * @param keepPrefixes replicate only the keys starting with one of these; null for all keys
     * @param ttl expiries by key prefix (the longest matching prefix applies); immutable
     */
    public record Transforms(List<String> keepPrefixes, Map<String, Duration> ttl) {

        /** No filter, no expiry. */
        public static final Transforms NONE = new Transforms(null, Map.of());

        /**
         * Checks the fields.
         *
         * @throws ConfigException naming the field
         */
        public Transforms {
            if (keepPrefixes != null) {
                checkPrefixes("keepPrefixes", keepPrefixes);
                keepPrefixes = List.copyOf(keepPrefixes);
            }
            require("ttl", ttl);
            Map<String, Duration> copy = new LinkedHashMap<>();
            for (Map.Entry<String, Duration> e : ttl.entrySet()) {
                positive("ttl." + e.getKey(), e.getValue());
                copy.put(Objects.requireNonNull(e.getKey(), "ttl prefix"), e.getValue());
            }
            ttl = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * Checkpoints.
     *
     * @param directory where checkpoint files go (created if missing), or null for none (every start anchors)
     * @param interval the longest time between a sink's write and its checkpoint
     * @param onCorrupt what to do with a checkpoint that cannot be read
     */
    public record Checkpointing(Path directory, Duration interval, Replicator.CorruptStatePolicy onCorrupt) {

        /** No directory, 200 ms, re-anchor. */
        public static final Checkpointing DEFAULT = new Checkpointing(null, Duration.ofMillis(200),
            Replicator.CorruptStatePolicy.REANCHOR);

        /**
         * Checks the fields.
         *
         * @throws ConfigException naming the field
         */
        public Checkpointing {
            nonNegative("interval", interval);
            require("onCorrupt", onCorrupt);
        }
    }

    /**
     * The backoff between retries of a failed sink write: doubling from min to max.
     *
     * @param min the first wait, positive
     * @param max the longest wait, at least min
     */
    public record Retry(Duration min, Duration max) {

        /** 10 ms to 5 s. */
        public static final Retry DEFAULT = new Retry(Duration.ofMillis(10), Duration.ofSeconds(5));

        /**
         * Checks the fields.
         *
         * @throws ConfigException naming the field
         */
        public Retry {
            positive("min", min);
            positive("max", max);
            if (max.compareTo(min) < 0) {
                throw new ConfigException("max", "must be at least min (" + min + "), got " + max);
            }
        }
    }

    /**
     * Metrics export and the key-distribution metric.
     *
     * @param prometheus the scrape endpoint
     * @param otlp the OTLP push export
     * @param keyDistribution the key prefix × value size counter
     */
    public record Metrics(Prometheus prometheus, Otlp otlp, KeyMetrics keyDistribution) {

        /** Nothing exported; the key-distribution metric on. */
        public static final Metrics DEFAULT = new Metrics(Prometheus.DEFAULT, Otlp.DEFAULT, KeyMetrics.DEFAULT);

        /**
         * Checks the fields.
         *
         * @throws ConfigException naming the field
         */
        public Metrics {
            require("prometheus", prometheus);
            require("otlp", otlp);
            require("keyDistribution", keyDistribution);
        }
    }

    /**
     * A Prometheus scrape endpoint (HTTP, text format).
     *
     * @param enabled whether to serve it
     * @param host the address to bind
     * @param port the port, 0 for any free port
     * @param path the path served, starting with '/'
     */
    public record Prometheus(boolean enabled, String host, int port, String path) {

        /** Off; 0.0.0.0:9464/metrics when on. */
        public static final Prometheus DEFAULT = new Prometheus(false, "0.0.0.0", 9464, "/metrics");

        /**
         * Checks the fields.
         *
         * @throws ConfigException naming the field
         */
        public Prometheus {
            if (require("host", host).isBlank()) {
                throw new ConfigException("host", "must not be empty");
            }
            if (port < 0 || port > 65_535) {
                throw new ConfigException("port", "must be 0 (any free port) to 65535, got " + port);
            }
            if (!require("path", path).startsWith("/")) {
                throw new ConfigException("path", "must start with '/', got '" + path + "'");
            }
        }
    }

    /**
     * An OTLP/HTTP (protobuf) metrics push export.
     *
     * @param enabled whether to export
     * @param endpoint the collector's metrics URL
     * @param step how often to push
     * @param headers HTTP headers sent with each push (authentication); immutable
     */
    public record Otlp(boolean enabled, URI endpoint, Duration step, Map<String, String> headers) {

        /** Off; http://localhost:4318/v1/metrics every 60 s when on. */
        public static final Otlp DEFAULT = new Otlp(false, URI.create("http://localhost:4318/v1/metrics"),
            Duration.ofSeconds(60), Map.of());

        /**
         * Checks the fields.
         *
         * @throws ConfigException naming the field
         */
        public Otlp {
            require("endpoint", endpoint);
            if (!endpoint.isAbsolute() || !("http".equals(endpoint.getScheme())
                || "https".equals(endpoint.getScheme())) || endpoint.getHost() == null) {
                throw new ConfigException("endpoint", "must be an http or https URL, got '" + endpoint + "'");
            }
            positive("step", step);
            headers = Map.copyOf(require("headers", headers));
        }
    }

    /**
     * The key-distribution metric ({@link KeyDistribution}).
     *
     * @param enabled whether to count
     * @param delimiter the one character that ends a key's prefix
     * @param maxPrefixes distinct prefixes counted before the rest go to {@code other}; 1 to 10,000
     * @param sizeEstimator a class implementing {@link ValueSizeEstimator} or {@link dev.syncmap.copy.Codec} (its
     *     encoded length), with a public no-argument constructor; null for the default estimate
     */
    public record KeyMetrics(boolean enabled, String delimiter, int maxPrefixes, String sizeEstimator) {

        /** On, ':' and 64 prefixes, the default estimate. */
        public static final KeyMetrics DEFAULT = new KeyMetrics(true, ":", KeyDistribution.DEFAULT_MAX_PREFIXES,
            null);

        /**
         * Checks the fields; loads the estimator class.
         *
         * @throws ConfigException naming the field
         */
        public KeyMetrics {
            if (require("delimiter", delimiter).length() != 1) {
                throw new ConfigException("delimiter", "must be one character, got '" + delimiter + "'");
            }
            if (maxPrefixes < 1 || maxPrefixes > 10_000) {
                throw new ConfigException("maxPrefixes", "must be 1 to 10000, got " + maxPrefixes);
            }
            if (sizeEstimator != null) {
                loadEstimator(sizeEstimator);
            }
        }

        /**
         * Returns the configured estimator (a new instance).
         *
         * @param <V> the type of values
         * @return the estimator
         */
        public <V> ValueSizeEstimator<V> estimator() {
            return sizeEstimator == null ? ValueSizeEstimator.defaults() : loadEstimator(sizeEstimator);
        }

        @SuppressWarnings("unchecked")
        private static <V> ValueSizeEstimator<V> loadEstimator(String className) {
            Object o = instantiate("sizeEstimator", "size estimator", className);
            if (o instanceof ValueSizeEstimator) {
                return (ValueSizeEstimator<V>) o;
            }
            if (o instanceof Codec) {
                return ValueSizeEstimator.withCodec((Codec<V>) o);
            }
            throw new ConfigException("sizeEstimator", "class " + className + " implements neither "
                + ValueSizeEstimator.class.getName() + " nor " + Codec.class.getName());
        }
    }

    /**
     * Reloading the file without a restart ({@link ConfigReloader}).
     *
     * @param watch whether to watch the file and reload when it changes
     * @param debounce how long the file must stay unchanged before a reload (editors write in steps)
     */
    public record Reload(boolean watch, Duration debounce) {

        /** No watching; 200 ms debounce. */
        public static final Reload DEFAULT = new Reload(false, Duration.ofMillis(200));

        /**
         * Checks the fields.
         *
         * @throws ConfigException naming the field
         */
        public Reload {
            nonNegative("debounce", debounce);
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** Sets expiries by the longest matching key prefix. */
    private static final class PrefixTtl<K, V> implements Transformer<K, V> {
        private final List<Map.Entry<String, Long>> byLength = new ArrayList<>();

        PrefixTtl(Map<String, Duration> ttl) {
            ttl.forEach((p, d) -> byLength.add(Map.entry(p, d.toMillis())));
            byLength.sort(Comparator.comparingInt((Map.Entry<String, Long> e) -> e.getKey().length()).reversed());
        }

        @Override
        public Envelope<K, V> apply(Envelope<K, V> change) {
            if (change.value() == null) {
                return change;
            }
            String k = change.key().toString();
            for (Map.Entry<String, Long> e : byLength) {
                if (k.startsWith(e.getKey())) {
                    return change.withExpiry(System.currentTimeMillis() + e.getValue());
                }
            }
            return change;
        }

        @Override
        public String toString() {
            return "ttl by prefix " + byLength;
        }
    }

    static <T> T require(String field, T value) {
        if (value == null) {
            throw new ConfigException(field, "is required");
        }
        return value;
    }

    private static void checkName(String field, String value) {
        require(field, value);
        try {
            Names.check(field, value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(field, "'" + value + "' must be 1 to 100 letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit", e);
        }
    }

    private static void checkResolver(String field, String value) {
        if (require(field, value).isBlank()) {
            throw new ConfigException(field, "must not be empty");
        }
        if (BUILT_IN_RESOLVERS.contains(value)) {
            return;
        }
        if (!value.contains(".")) {
            throw new ConfigException(field, "unknown resolver '" + value + "': not a built-in " + BUILT_IN_RESOLVERS
                + " nor a fully qualified class name");
        }
        try {
            Resolvers.byClassName(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(field, "unknown resolver '" + value + "': " + e.getMessage(), e);
        }
    }

    static Object instantiate(String field, String what, String className) {
        if (require(field, className).isBlank()) {
            throw new ConfigException(field, "must not be empty");
        }
        ClassLoader cl = Thread.currentThread().getContextClassLoader() != null
            ? Thread.currentThread().getContextClassLoader() : ReplicationConfig.class.getClassLoader();
        Class<?> type;
        try {
            type = Class.forName(className, true, cl);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException(field, what + " class " + className + " cannot be loaded: " + e, e);
        }
        try {
            return type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new ConfigException(field, what + " class " + className
                + " needs a public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new ConfigException(field, what + " class " + className + " failed in its constructor: "
                + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new ConfigException(field, what + " class " + className + " cannot be instantiated: " + e, e);
        }
    }

    private static void checkPrefixes(String field, List<String> prefixes) {
        if (prefixes.isEmpty()) {
            throw new ConfigException(field, "needs at least one prefix (omit the field for all keys)");
        }
        for (int i = 0; i < prefixes.size(); i++) {
            String p = prefixes.get(i);
            if (p == null || p.isEmpty()) {
                throw new ConfigException(field + "[" + i + "]", "a prefix must not be empty");
            }
        }
    }

    static Duration nonNegative(String field, Duration d) {
        if (require(field, d).isNegative()) {
            throw new ConfigException(field, "must not be negative, got " + ConfigParser.format(d));
        }
        return d;
    }

    static Duration positive(String field, Duration d) {
        if (nonNegative(field, d).isZero()) {
            throw new ConfigException(field, "must be positive, got " + ConfigParser.format(d));
        }
        return d;
    }

    private static Object freeze(Object o) {
        if (o instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            ((Map<?, ?>) o).forEach((k, v) -> m.put(String.valueOf(k), freeze(v)));
            return Collections.unmodifiableMap(m);
        }
        if (o instanceof List) {
            List<Object> l = new ArrayList<>();
            ((List<?>) o).forEach(v -> l.add(freeze(v)));
            return Collections.unmodifiableList(l);
        }
        return o;
    }
}
