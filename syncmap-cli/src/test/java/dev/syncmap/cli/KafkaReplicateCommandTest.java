package dev.syncmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code syncmap replicate} with a {@code kafka} section, in this JVM, against a broker process: the node reads the
 * topic, prints READY and status lines (published and applied rates, peers), serves its meters on the configured
 * Prometheus port, and stops cleanly after {@code --duration}.
 */
class KafkaReplicateCommandTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aKafkaNodeRunsFromItsConfiguration() throws Exception {
        try (ChildBroker broker = ChildBroker.start(dir.resolve("kafka"))) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path config = dir.resolve("node.yaml");
            Files.writeString(config, String.join("\n",
                "kafka:",
                "  bootstrapServers: " + broker.bootstrapServers(),
                "  topic: cli",
                "  nodeId: cli-1",
                "  resolver: g-counter",
                "  metricsPort: " + port,
                "load:",
                "  keys: 50",
                "  rate: 500",
                "statusInterval: 500ms",
                ""));
            AtomicReference<String> scraped = new AtomicReference<>("");
            Thread scraper = new Thread(() -> scrape(URI.create("http://127.0.0.1:" + port + "/metrics"), scraped));
            scraper.start();
            CliTest.Outcome o;
            try {
                o = CliTest.run("replicate", "--config", config.toString(), "--duration", "4s");
            } finally {
                scraper.interrupt();
                scraper.join();
            }
            assertEquals(0, o.status(), o.toString());
            assertTrue(o.out().contains("READY cli-1 ms="), o.out());
            assertTrue(o.out().matches("(?s).*cli-1/cli: lag \\d+ rec / \\d+ ms \\| published [1-9][\\d,]*/s \\|"
                + " applied [\\d,]+/s \\| peers 1 \\| view \\d+ keys.*"), o.out());
            assertTrue(o.out().contains("stopped"), o.out());
            assertTrue(scraped.get().contains("syncmap_kafka_lag_records"), scraped.get());
        }
    }

    /** Scrapes until the node's meters show up (the endpoint starts with the node) or the thread is interrupted. */
    private static void scrape(URI uri, AtomicReference<String> into) {
        HttpClient http = HttpClient.newHttpClient();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
                into.set(body);
                if (body.contains("syncmap_kafka_lag_records")) {
                    return;
                }
                Thread.sleep(200);
            } catch (ConnectException e) {
                sleepOrStop(); // not listening yet
            } catch (IOException e) {
                into.set("scrape failed: " + e);
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void sleepOrStop() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
