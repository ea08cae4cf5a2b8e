package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

import dev.syncmap.VersionedMap;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import org.junit.jupiter.api.Test;

/** The Prometheus scrape endpoint and the OTLP export, started from configuration. */
class MetricsExportTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    static void assertSeries(String body, String regex) {
        assertTrue(Pattern.compile("(?m)^" + regex).matcher(body).find(), () -> "no series " + regex + " in:\n"
            + body);
    }

    @Test
    void aRunningReplicatorIsScrapedOverHttp() throws Exception {
        ReplicationConfig c = ReplicationConfigTest.yaml(String.join("\n",
            "name: scraped",
            "origin: node-a",
            "grayRelease: {candidate: put-if-absent, share: {hashPercent: 50}}",
            "metrics:",
            "  prometheus: {host: 127.0.0.1, port: 0}",
            ""));
        VersionedMap<String, String> map = new VersionedMap<>();
        ConcurrentHashMap<String, String> replica = new ConcurrentHashMap<>();
        URI uri;
        try (MetricsExport export = MetricsExport.start(c.metrics(), c.name());
             Replicator<String, String> rep = c.builder(c.source(map), List.of(new MapReplicaSink<>("r", replica)),
                 export.registry()).build()) {
            assertTrue(export.port() > 0);
            uri = export.scrapeUri();
            rep.start();
            assertTrue(rep.awaitCaughtUp(Duration.ofSeconds(5)), "the (empty) anchor");
            for (int i = 0; i < 100; i++) {
                map.put("user:" + i, "v" + i);
                map.put("user:" + i, "w" + i);
            }
            map.put("blob:1", "x".repeat(20_000));
            assertTrue(rep.awaitCaughtUp(Duration.ofSeconds(5)), () -> rep.status().toString());
            HttpResponse<String> r = get(uri);
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            String body = r.body();
            String tags = "\\{[^}]*replicator=\"scraped\"";
            assertSeries(body, "syncmap_replication_lag_seconds_count" + tags);
            assertSeries(body, "syncmap_replication_lag_seconds\\{[^}]*quantile=\"0.99\"");
            assertSeries(body, "syncmap_replication_lag_revisions" + tags + "[^}]*sink=\"r\"");
            assertSeries(body, "syncmap_replication_changes_total" + tags + "[^}]*\\} [1-9]");
            assertSeries(body, "syncmap_replication_queue_depth" + tags);
            assertSeries(body, "syncmap_replication_source_revision" + tags);
            assertSeries(body, "syncmap_replication_batch_size_count" + tags);
            assertSeries(body, "syncmap_replication_stage_duration_seconds_count" + tags);
            assertSeries(body, "syncmap_replication_write_failures_total" + tags);
            assertSeries(body, "syncmap_replication_checkpoint_revision" + tags);
            assertSeries(body, "syncmap_replication_coalesced_total" + tags);
            assertSeries(body, "syncmap_replication_reanchors_total" + tags);
            assertSeries(body, "syncmap_replication_conflicts_total\\{[^}]*outcome=\"applied\"");
            assertSeries(body, "syncmap_replication_conflicts_total\\{[^}]*outcome=\"lost\"");
            assertSeries(body, "syncmap_replication_gray_trials_total" + tags);
            assertSeries(body, "syncmap_replication_gray_disagreements_total" + tags);
            assertSeries(body, "syncmap_replication_keys_total\\{[^}]*prefix=\"user:\"[^}]*size=\"lt64B\"[^}]*\\} 200");
            assertSeries(body, "syncmap_replication_keys_total\\{[^}]*prefix=\"blob:\"[^}]*size=\"lt64KB\"[^}]*\\} 1");
            assertEquals(404, get(uri.resolve("/other")).statusCode());
        }
        assertThrows(ConnectException.class, () -> get(uri), "the endpoint stops with the export");
    }

    @Test
    void nothingEnabledGivesAPlainRegistry() throws Exception {
        try (MetricsExport export = MetricsExport.start(ReplicationConfig.Metrics.DEFAULT, "x")) {
            assertEquals(-1, export.port());
            assertNull(export.scrapeUri());
            assertNull(export.prometheusRegistry());
            assertNull(export.otlpRegistry());
            assertNotNull(export.registry());
        }
    }

    @Test
    void aTakenPortIsReportedWithTheField() throws Exception {
        try (MetricsExport first = MetricsExport.start(new ReplicationConfig.Metrics(
            new ReplicationConfig.Prometheus(true, "127.0.0.1", 0, "/metrics"), ReplicationConfig.Otlp.DEFAULT,
            ReplicationConfig.KeyMetrics.DEFAULT), "a")) {
            IOException e = assertThrows(IOException.class, () -> MetricsExport.start(new ReplicationConfig.Metrics(
                new ReplicationConfig.Prometheus(true, "127.0.0.1", first.port(), "/metrics"),
                ReplicationConfig.Otlp.DEFAULT, ReplicationConfig.KeyMetrics.DEFAULT), "b"));
            assertTrue(e.getMessage().contains("metrics.prometheus") && e.getMessage().contains(
                String.valueOf(first.port())), e::getMessage);
        }
    }

    /** A local stand-in for an OTLP collector: records the bodies POSTed to /v1/metrics. */
    @Test
    void otlpPushesTheMetersToTheCollector() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/metrics", ex -> {
            try (ex; InputStream in = ex.getRequestBody()) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                bodies.add(b.toByteArray());
                ex.sendResponseHeaders(200, -1);
            }
        });
        collector.start();
        try {
            ReplicationConfig c = ReplicationConfigTest.yaml(String.join("\n",
                "name: pushed",
                "origin: node-a",
                "metrics:",
                "  prometheus: {host: 127.0.0.1, port: 0}",
                "  otlp:",
                "    endpoint: http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics",
                "    step: 1h",
                "    headers: {X-Tenant: t1}",
                ""));
            VersionedMap<String, String> map = new VersionedMap<>();
            try (MetricsExport export = MetricsExport.start(c.metrics(), c.name())) {
                assertTrue(export.registry() instanceof CompositeMeterRegistry, "both exports: a composite");
                assertNotNull(export.otlpRegistry());
                try (Replicator<String, String> rep = c.builder(c.source(map),
                    List.of(new MapReplicaSink<>("r", new ConcurrentHashMap<>())), export.registry()).build()) {
                    rep.start();
                    map.put("user:1", "a");
                    assertTrue(rep.awaitCaughtUp(Duration.ofSeconds(5)));
                    assertTrue(get(export.scrapeUri()).body().contains("syncmap_replication_changes_total"));
                }
            } // close pushes the last step
            assertTrue(!bodies.isEmpty(), "the collector got no push");
            String all = new String(bodies.get(bodies.size() - 1), StandardCharsets.ISO_8859_1);
            for (String meter : List.of("syncmap.replication.changes", "syncmap.replication.lag",
                "syncmap.replication.queue.depth", "syncmap.replication.keys", "service.name", "pushed")) {
                assertTrue(all.contains(meter), () -> meter + " not in the OTLP body");
            }
        } finally {
            collector.stop(0);
        }
    }
}
