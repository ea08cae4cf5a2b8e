package dev.syncmap.replicate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.syncmap.VersionedMap;

/**
 * A replicator started from a configuration file, with what the file asks for around it: the metrics export
 * ({@link MetricsExport}: Prometheus endpoint, OTLP), the replicator itself, and a {@link ConfigReloader}
 * (watching the file if {@code reload.watch} is set; {@link #reload()} otherwise). {@link #close()} stops them in
 * reverse order.
 *
 * <pre>{@code
 * try (ConfiguredReplicator<String, String> r =
 *          ConfiguredReplicator.start(Path.of("replication.yaml"), map, List.of(new MapReplicaSink<>("a", replica)))) {
 *     ...
 * }
 * }</pre>
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class ConfiguredReplicator<K, V> implements AutoCloseable {

    private final ReplicationConfig config;
    private final MetricsExport metrics;
    private final Replicator<K, V> replicator;
    private final ConfigReloader<K, V> reloader;

    private ConfiguredReplicator(ReplicationConfig config, MetricsExport metrics, Replicator<K, V> replicator,
                                 ConfigReloader<K, V> reloader) {
        this.config = config;
        this.metrics = metrics;
        this.replicator = replicator;
        this.reloader = reloader;
    }

    /**
     * Reads the file, and starts the metrics export and a replicator of a map (a source with the configured
     * {@code origin}) into the sinks.
     *
     * @param file the configuration file
     * @param map the map to replicate
     * @param sinks the sinks
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the running replicator
     * @throws IOException if the file cannot be read, the endpoint cannot bind or the checkpoints fail
     * @throws ConfigException naming the field if the configuration is refused (nothing is started)
     */
    public static <K, V> ConfiguredReplicator<K, V> start(Path file, VersionedMap<K, V> map,
                                                          List<? extends Sink<K, V>> sinks) throws IOException {
        ReplicationConfig c = ReplicationConfig.load(file);
        return start(file, c, c.source(map), sinks);
    }

    /**
     * Reads the file, and starts the metrics export and a replicator of a source into the sinks.
     *
     * @param file the configuration file
     * @param source the source (its origin must be the configured one, if the file names one)
     * @param sinks the sinks
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the running replicator
     * @throws IOException if the file cannot be read, the endpoint cannot bind or the checkpoints fail
     * @throws ConfigException naming the field if the configuration is refused (nothing is started)
     */
    public static <K, V> ConfiguredReplicator<K, V> start(Path file, VersionedMapSource<K, V> source,
                                                          List<? extends Sink<K, V>> sinks) throws IOException {
        return start(file, ReplicationConfig.load(file), source, sinks);
    }

    private static <K, V> ConfiguredReplicator<K, V> start(Path file, ReplicationConfig c,
                                                           VersionedMapSource<K, V> source,
                                                           List<? extends Sink<K, V>> sinks) throws IOException {
        Objects.requireNonNull(sinks, "sinks");
        Replicator.Builder<K, V> builder = c.builder(source, sinks, null); // checks the origin before binding
        MetricsExport metrics = MetricsExport.start(c.metrics(), c.name());
        Replicator<K, V> rep = null;
        ConfigReloader<K, V> reloader = null;
        try {
            rep = c.applyTo(builder, metrics.registry()).build();
            reloader = new ConfigReloader<>(file, c, rep);
            rep.start();
            if (c.reload().watch()) {
                reloader.watch();
            }
            return new ConfiguredReplicator<>(c, metrics, rep, reloader);
        } catch (IOException | RuntimeException | Error e) {
            if (reloader != null) {
                reloader.close();
            }
            if (rep != null) {
                rep.stop(Replicator.StopMode.ABORT, Duration.ZERO);
            }
            metrics.close();
            throw e;
        }
    }

    /**
     * Returns the configuration the replicator was started with.
     *
     * @return the configuration
     */
    public ReplicationConfig config() {
        return config;
    }

    /**
     * Returns the replicator.
     *
     * @return the replicator
     */
    public Replicator<K, V> replicator() {
        return replicator;
    }

    /**
     * Returns the metrics export.
     *
     * @return the export
     */
    public MetricsExport metrics() {
        return metrics;
    }

    /**
     * Returns the reloader.
     *
     * @return the reloader
     */
    public ConfigReloader<K, V> reloader() {
        return reloader;
    }

    /**
     * Re-reads the file and applies what can change live ({@link ConfigReloader#reload()}).
     *
     * @return what changed
     * @throws IOException if the file cannot be read
     * @throws ConfigException naming the field if the file is refused (nothing changes)
     */
    public ConfigReloader.Result reload() throws IOException {
        return reloader.reload();
    }

    /** Stops watching, drains the replicator (30 s at most), then stops the metrics export. */
    @Override
    public void close() {
        reloader.close();
        try {
            replicator.close();
        } finally {
            metrics.close();
        }
    }
}
