package dev.syncmap.replicate;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports a replicator's meters as configured ({@link ReplicationConfig.Metrics}): a Prometheus scrape endpoint
 * (Micrometer's {@link PrometheusMeterRegistry}, served over HTTP by the JDK's {@link HttpServer}) and an OTLP/HTTP
 * push export (Micrometer's {@link OtlpMeterRegistry}), either, both or neither. Give {@link #registry()} to the
 * replicator ({@link ReplicationConfig#applyTo}); {@link #close()} stops the endpoint and pushes the last OTLP
 * step.
 *
 * <pre>{@code
 * try (MetricsExport export = MetricsExport.start(config.metrics(), config.name());
 *      Replicator<String, String> rep = config.builder(source, sinks, export.registry()).build()) {
 *     rep.start();
 *     ... // curl http://host:9464/metrics
 * }
 * }</pre>
 */
public final class MetricsExport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsExport.class);

    /** The content type of the Prometheus text format served. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final OtlpMeterRegistry otlp;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String path;

    private MetricsExport(MeterRegistry registry, PrometheusMeterRegistry prometheus, OtlpMeterRegistry otlp,
                          HttpServer server, ExecutorService executor, String path) {
        this.registry = registry;
        this.prometheus = prometheus;
        this.otlp = otlp;
        this.server = server;
        this.executor = executor;
        this.path = path;
    }

    /**
     * Starts what the configuration enables.
     *
     * @param config the metrics section
     * @param serviceName the OTLP resource's {@code service.name} (the replicator's name, say)
     * @return the running export
     * @throws IOException if the Prometheus endpoint cannot bind its address (the message names it)
     */
    public static MetricsExport start(ReplicationConfig.Metrics config, String serviceName) throws IOException {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(serviceName, "serviceName");
        List<MeterRegistry> registries = new ArrayList<>();
        PrometheusMeterRegistry prom = null;
        OtlpMeterRegistry otlp = null;
        HttpServer server = null;
        ExecutorService executor = null;
        ReplicationConfig.Prometheus pc = config.prometheus();
        if (pc.enabled()) {
            prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registries.add(prom);
            try {
                server = HttpServer.create(new InetSocketAddress(pc.host(), pc.port()), 0);
            } catch (IOException e) {
                prom.close();
                throw new IOException("metrics.prometheus: cannot serve on " + pc.host() + ":" + pc.port() + ": "
                    + e.getMessage(), e);
            }
            executor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "syncmap-metrics-http");
                t.setDaemon(true);
                return t;
            });
            PrometheusMeterRegistry scraped = prom;
            String p = pc.path();
            server.createContext(p, ex -> serve(ex, scraped, p));
            server.setExecutor(executor);
            server.start();
            LOG.info("serving Prometheus metrics on http://{}:{}{}", pc.host(), server.getAddress().getPort(), p);
        }
        ReplicationConfig.Otlp oc = config.otlp();
        if (oc.enabled()) {
            otlp = new OtlpMeterRegistry(otlpConfig(oc, serviceName), Clock.SYSTEM);
            registries.add(otlp);
            LOG.info("pushing OTLP metrics to {} every {}", oc.endpoint(), oc.step());
        }
        MeterRegistry registry;
        if (registries.isEmpty()) {
            registry = new SimpleMeterRegistry();
        } else if (registries.size() == 1) {
            registry = registries.get(0);
        } else {
            CompositeMeterRegistry c = new CompositeMeterRegistry();
            registries.forEach(c::add);
            registry = c;
        }
        return new MetricsExport(registry, prom, otlp, server, executor, pc.path());
    }

    private static OtlpConfig otlpConfig(ReplicationConfig.Otlp oc, String serviceName) {
        return new OtlpConfig() {
            @Override
            public String get(String key) {
                return null; // every setting below comes from the replication configuration
            }

            @Override
            public String url() {
                return oc.endpoint().toString();
            }

            @Override
            public Duration step() {
                return oc.step();
            }

            @Override
            public Map<String, String> headers() {
                return oc.headers();
            }

            @Override
            public Map<String, String> resourceAttributes() {
                return Map.of("service.name", serviceName);
            }
        };
    }

    private static void serve(HttpExchange ex, PrometheusMeterRegistry registry, String path) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!ex.getRequestURI().getPath().equals(path)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                ex.getResponseHeaders().add("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", PROMETHEUS_CONTENT_TYPE);
            if ("HEAD".equals(method)) {
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("serving a Prometheus scrape failed", e);
            throw e;
        }
    }

    /**
     * Returns the registry to give the replicator: the Prometheus one, the OTLP one, a composite of both, or a
     * plain {@link SimpleMeterRegistry} when neither is enabled.
     *
     * @return the registry
     */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Returns the Prometheus registry (to scrape in-process), or null when the endpoint is not enabled.
     *
     * @return the registry or null
     */
    public PrometheusMeterRegistry prometheusRegistry() {
        return prometheus;
    }

    /**
     * Returns the OTLP registry, or null when the export is not enabled.
     *
     * @return the registry or null
     */
    public OtlpMeterRegistry otlpRegistry() {
        return otlp;
    }

    /**
     * Returns the port the Prometheus endpoint listens on (the free port chosen for port 0).
     *
     * @return the port, or -1 when the endpoint is not enabled
     */
    public int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    /**
     * Returns the scrape URL on the loopback address.
     *
     * @return the URL, or null when the endpoint is not enabled
     */
    public URI scrapeUri() {
        return server == null ? null : URI.create("http://127.0.0.1:" + port() + path);
    }

    /** Stops the endpoint, pushes the last OTLP step and closes the registries. Idempotent. */
    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
        }
        if (otlp != null) {
            otlp.close(); // publishes what the last step has, then stops
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (registry != prometheus && registry != otlp) {
            registry.close();
        }
    }
}
