package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.syncmap.VersionedMap;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading, checking and applying {@link ReplicationConfig}. */
class ReplicationConfigTest {

    @TempDir
    Path dir;

    static ReplicationConfig yaml(String text) {
        return ReplicationConfig.parse(text, ReplicationConfig.Format.YAML);
    }

    static ConfigException refused(String text) {
        return assertThrows(ConfigException.class, () -> yaml(text));
    }

    /** The refusal names the field, in {@link ConfigException#field()} and in the message. */
    static ConfigException refused(String text, String field, String... inMessage) {
        ConfigException e = refused(text);
        assertEquals(field, e.field(), e::getMessage);
        assertTrue(e.getMessage().contains("'" + field + "'"), e::getMessage);
        for (String s : inMessage) {
            assertTrue(e.getMessage().contains(s), () -> "'" + s + "' not in: " + e.getMessage());
        }
        return e;
    }

    static final String FULL = String.join("\n",
        "name: orders",
        "origin: node-a",
        "resolver: latest-update",
        "grayRelease:",
        "  candidate: dev.syncmap.replicate.FirstWriterWinsResolver",
        "  share:",
        "    prefixes: ['user:', 'cart:']",
        "transformers:",
        "  keepPrefixes: ['user:', 'cart:', 'session:']",
        "  ttl:",
        "    'session:': 30m",
        "    'cart:': 1.5h",
        "batchSize: 200",
        "ringSize: 4096",
        "coalesce: false",
        "idleInterval: 50ms",
        "checkpoint:",
        "  directory: cp",
        "  interval: 1s",
        "  onCorrupt: fail",
        "retry:",
        "  min: 20ms",
        "  max: 10s",
        "maxClockSkew: PT2S",
        "metrics:",
        "  prometheus:",
        "    host: 127.0.0.1",
        "    port: 0",
        "  otlp:",
        "    enabled: false",
        "    endpoint: https://collector:4318/v1/metrics",
        "    step: 30s",
        "    headers: {Authorization: Bearer x}",
        "  keyDistribution:",
        "    delimiter: '/'",
        "    maxPrefixes: 10",
        "reload:",
        "  watch: true",
        "  debounce: 0",
        "spill:",
        "  directory: /var/spill",
        "  maxBytes: 1000000",
        "");

    @Test
    void everyFieldIsRead() {
        ReplicationConfig c = yaml(FULL);
        assertEquals("orders", c.name());
        assertEquals("node-a", c.origin());
        assertEquals("latest-update", c.resolver());
        assertEquals(FirstWriterWinsResolver.class.getName(), c.grayRelease().candidate());
        assertEquals(List.of("user:", "cart:"), c.grayRelease().share().prefixes());
        assertNull(c.grayRelease().share().hashPercent());
        assertEquals(List.of("user:", "cart:", "session:"), c.transformers().keepPrefixes());
        assertEquals(Map.of("session:", Duration.ofMinutes(30), "cart:", Duration.ofMinutes(90)),
            c.transformers().ttl());
        assertEquals(200, c.batchSize());
        assertEquals(4096, c.ringSize());
        assertFalse(c.coalesce());
        assertEquals(Duration.ofMillis(50), c.idleInterval());
        assertEquals(Path.of("cp"), c.checkpoint().directory());
        assertEquals(Duration.ofSeconds(1), c.checkpoint().interval());
        assertEquals(Replicator.CorruptStatePolicy.FAIL, c.checkpoint().onCorrupt());
        assertEquals(new ReplicationConfig.Retry(Duration.ofMillis(20), Duration.ofSeconds(10)), c.retry());
        assertEquals(Duration.ofSeconds(2), c.maxClockSkew());
        assertEquals(new ReplicationConfig.Prometheus(true, "127.0.0.1", 0, "/metrics"), c.metrics().prometheus());
        assertFalse(c.metrics().otlp().enabled());
        assertEquals(URI.create("https://collector:4318/v1/metrics"), c.metrics().otlp().endpoint());
        assertEquals(Duration.ofSeconds(30), c.metrics().otlp().step());
        assertEquals(Map.of("Authorization", "Bearer x"), c.metrics().otlp().headers());
        assertEquals(new ReplicationConfig.KeyMetrics(true, "/", 10, null), c.metrics().keyDistribution());
        assertEquals(new ReplicationConfig.Reload(true, Duration.ZERO), c.reload());
        assertEquals(Map.of("directory", "/var/spill", "maxBytes", 1_000_000), c.section("spill"));
        assertEquals(Map.of(), c.section("breaker"));
        assertThrows(UnsupportedOperationException.class, () -> c.section("spill").put("x", 1));
    }

    @Test
    void jsonReadsTheSame() {
        String json = "{\"name\": \"orders\", \"resolver\": \"latest-update\", \"batchSize\": 200,"
            + " \"grayRelease\": {\"candidate\": \"put-if-absent\", \"share\": {\"hashPercent\": 10}},"
            + " \"transformers\": {\"ttl\": {\"s:\": \"5s\"}}, \"metrics\": {\"prometheus\": {\"enabled\": false}}}";
        ReplicationConfig c = ReplicationConfig.parse(json, ReplicationConfig.Format.JSON);
        assertEquals("orders", c.name());
        assertEquals(200, c.batchSize());
        assertEquals(10, c.grayRelease().share().hashPercent());
        assertEquals(Map.of("s:", Duration.ofSeconds(5)), c.transformers().ttl());
        assertFalse(c.metrics().prometheus().enabled());
        ConfigException e = assertThrows(ConfigException.class,
            () -> ReplicationConfig.parse("{\"batchSize\": -3}", ReplicationConfig.Format.JSON));
        assertEquals("batchSize", e.field());
    }

    @Test
    void anEmptyFileIsTheDefaults() {
        assertEquals(ReplicationConfig.defaults(), yaml(""));
        assertEquals(ReplicationConfig.defaults(), yaml("# nothing but a comment\n"));
        assertEquals(ReplicationConfig.defaults(), yaml("{}"));
    }

    @Test
    void theDocumentedExampleIsValid() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "replication.md"), StandardCharsets.UTF_8);
        int at = doc.indexOf("<!-- example-config -->");
        assertTrue(at >= 0, "docs/replication.md has no example configuration");
        int start = doc.indexOf("```yaml\n", at) + "```yaml\n".length();
        String example = doc.substring(start, doc.indexOf("```", start));
        ReplicationConfig c = yaml(example);
        assertEquals("orders", c.name());
        assertTrue(c.metrics().prometheus().enabled());
        assertNotEquals(null, c.grayRelease());
    }

    @Test
    void unknownFieldsAreRefused() {
        refused("batchsize: 10", "batchsize", "unknown field", "did you mean 'batchSize'");
        refused("metrics:\n  prometheus:\n    prot: 9000", "metrics.prometheus.prot", "did you mean 'port'");
        refused("grayRelease:\n  candidate: put-if-absent\n  share: {prefix: ['a']}", "grayRelease.share.prefix",
            "did you mean 'prefixes'");
        refused("compression: zstd", "compression", "unknown field", "known fields here");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "batchSize: abc | batchSize | expected an integer, got the string 'abc'",
        "batchSize: 1.5 | batchSize | expected an integer",
        "ringSize: '4096' | ringSize | expected an integer",
        "coalesce: 1 | coalesce | expected true or false",
        "name: [a, b] | name | expected a string, got a list",
        "retry: 5s | retry | expected a mapping",
        "transformers: {keepPrefixes: 'user:'} | transformers.keepPrefixes | expected a list of strings",
        "transformers: {keepPrefixes: ['a', 3]} | transformers.keepPrefixes[1] | expected a string",
        "idleInterval: 100 | idleInterval | with a unit",
        "idleInterval: 100 parsecs | idleInterval | expected a duration",
        "metrics: {prometheus: {port: '9000'}} | metrics.prometheus.port | expected an integer",
    })
    void wrongTypesAreRefused(String text, String field, String message) {
        refused(text, field, message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "batchSize: -1 | batchSize | must be positive, got -1",
        "batchSize: 0 | batchSize | must be positive",
        "ringSize: 1000 | ringSize | power of two",
        "ringSize: -1024 | ringSize | power of two",
        "idleInterval: 0 | idleInterval | must be positive",
        "maxClockSkew: -5s | maxClockSkew | must not be negative",
        "retry: {min: 1s, max: 10ms} | retry.max | at least min",
        "retry: {min: -1s} | retry.min | must not be negative",
        "checkpoint: {interval: -1ms} | checkpoint.interval | must not be negative",
        "checkpoint: {onCorrupt: ignore} | checkpoint.onCorrupt | 'reanchor' or 'fail'",
        "transformers: {ttl: {'s:': 0}} | transformers.ttl.s: | must be positive",
        "transformers: {keepPrefixes: []} | transformers.keepPrefixes | at least one prefix",
        "transformers: {keepPrefixes: ['a', '']} | transformers.keepPrefixes[1] | must not be empty",
        "metrics: {prometheus: {port: 70000}} | metrics.prometheus.port | 0 (any free port) to 65535",
        "metrics: {prometheus: {path: metrics}} | metrics.prometheus.path | start with '/'",
        "metrics: {otlp: {endpoint: 'ftp://x/y'}} | metrics.otlp.endpoint | http or https",
        "metrics: {otlp: {endpoint: 'http://a b'}} | metrics.otlp.endpoint | not a URL",
        "metrics: {keyDistribution: {maxPrefixes: 0}} | metrics.keyDistribution.maxPrefixes | 1 to 10000",
        "metrics: {keyDistribution: {delimiter: '::'}} | metrics.keyDistribution.delimiter | one character",
        "name: 'has space' | name | letters, digits",
        "origin: 'a/b' | origin | letters, digits",
        "reload: {debounce: -1s} | reload.debounce | must not be negative",
    })
    void valuesOutOfRangeAreRefused(String text, String field, String message) {
        refused(text, field, message);
    }

    @Test
    void unknownResolversAreRefused() {
        refused("resolver: newest-wins", "resolver", "unknown resolver 'newest-wins'", "last-writer-wins");
        refused("resolver: com.example.NoSuchResolver", "resolver", "com.example.NoSuchResolver",
            "cannot be loaded");
        refused("resolver: ''", "resolver", "must not be empty");
        refused("grayRelease: {candidate: nope, share: {hashPercent: 5}}", "grayRelease.candidate",
            "unknown resolver 'nope'");
    }

    @Test
    void badGrayReleaseSharesAreRefused() {
        refused("grayRelease: {candidate: put-if-absent, share: {prefixes: []}}", "grayRelease.share.prefixes",
            "at least one prefix");
        refused("grayRelease: {candidate: put-if-absent, share: {prefixes: ['user:', '']}}",
            "grayRelease.share.prefixes[1]", "must not be empty");
        refused("grayRelease: {candidate: put-if-absent, share: {prefixes: 'user:'}}",
            "grayRelease.share.prefixes", "expected a list of strings");
        refused("grayRelease: {candidate: put-if-absent, share: {hashPercent: 150}}",
            "grayRelease.share.hashPercent", "0 to 100, got 150");
        refused("grayRelease: {candidate: put-if-absent, share: {hashPercent: -1}}",
            "grayRelease.share.hashPercent", "0 to 100");
        refused("grayRelease: {candidate: put-if-absent, share: {prefixes: ['a'], hashPercent: 5}}",
            "grayRelease.share", "not both");
        refused("grayRelease: {candidate: put-if-absent, share: {}}", "grayRelease.share",
            "either prefixes or hashPercent");
        refused("grayRelease: {candidate: put-if-absent}", "grayRelease.share", "is required");
        refused("grayRelease: {share: {hashPercent: 5}}", "grayRelease.candidate", "is required");
        refused("resolver: put-if-absent\ngrayRelease: {candidate: put-if-absent, share: {hashPercent: 5}}",
            "grayRelease.candidate", "already the active resolver");
    }

    @Test
    void reservedSectionsAreKeptAsRead() {
        ReplicationConfig c = yaml("overload: {maxQueue: 10, mode: shed}\nbreaker: {failureRate: 50}");
        assertEquals(Map.of("maxQueue", 10, "mode", "shed"), c.section("overload"));
        assertEquals(Map.of("failureRate", 50), c.section("breaker"));
        refused("spill: [a]", "spill", "expected a mapping");
        assertThrows(IllegalArgumentException.class, () -> c.section("bogus"));
    }

    @Test
    void syntaxErrorsAndDuplicateKeysAreRefused() {
        ConfigException e = refused("name: [unclosed");
        assertEquals("", e.field());
        assertTrue(e.getMessage().contains("not valid YAML"), e::getMessage);
        e = refused("batchSize: 1\nbatchSize: 2");
        assertTrue(e.getMessage().contains("batchSize"), e::getMessage);
    }

    @Test
    void aSizeEstimatorIsLoadedByClassName() {
        ReplicationConfig c = yaml("metrics: {keyDistribution: {sizeEstimator: "
            + FirstWriterWinsResolver.Fixed30k.class.getName() + "}}");
        assertEquals(30_000, c.metrics().keyDistribution().estimator().estimate("x"));
        refused("metrics: {keyDistribution: {sizeEstimator: com.example.Nope}}",
            "metrics.keyDistribution.sizeEstimator", "com.example.Nope", "cannot be loaded");
        refused("metrics: {keyDistribution: {sizeEstimator: java.lang.Object}}",
            "metrics.keyDistribution.sizeEstimator", "implements neither");
    }

    @Test
    void aFileIsNamedInItsRefusalAndRelativePathsFollowIt() throws Exception {
        Path f = dir.resolve("rep.yaml");
        Files.writeString(f, "checkpoint: {directory: state}\nbatchSize: 0\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplicationConfig.load(f));
        assertEquals(f.toString(), e.source());
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'batchSize'"),
            e::getMessage);
        Files.writeString(f, "checkpoint: {directory: state}\n");
        assertEquals(dir.toAbsolutePath().resolve("state"), ReplicationConfig.load(f).checkpoint().directory());
        Path j = dir.resolve("rep.json");
        Files.writeString(j, "{\"batchSize\": 7}");
        assertEquals(7, ReplicationConfig.load(j).batchSize());
    }

    @Test
    void differencesNameTheFields() {
        ReplicationConfig a = yaml("batchSize: 10\nmetrics: {prometheus: {port: 1000}}");
        ReplicationConfig b = yaml("batchSize: 20\nmetrics: {prometheus: {port: 1001}}\nresolver: latest-update");
        assertEquals(List.of("resolver", "batchSize", "metrics.prometheus.port"), a.differences(b));
        assertEquals(List.of(), a.differences(a));
    }

    @Test
    void theConfigurationBuildsAWorkingReplicator() throws Exception {
        ReplicationConfig c = yaml(String.join("\n",
            "name: cfg-test",
            "origin: node-a",
            "transformers:",
            "  keepPrefixes: ['user:', 'session:']",
            "  ttl: {'session:': 1h}",
            "batchSize: 16",
            "ringSize: 1024",
            "checkpoint: {directory: " + dir.resolve("cp") + ", interval: 0}",
            ""));
        VersionedMap<String, String> map = new VersionedMap<>();
        ConcurrentHashMap<String, String> replica = new ConcurrentHashMap<>();
        MapReplicaSink<String, String> sink = new MapReplicaSink<>("r", replica);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Replicator<String, String> rep = c.builder(c.source(map), List.of(sink), registry).build()) {
            rep.start();
            map.put("user:1", "u");
            map.put("session:1", "s");
            map.put("other:1", "o");
            assertTrue(rep.awaitCaughtUp(Duration.ofSeconds(5)), () -> rep.status().toString());
            assertEquals(Map.of("user:1", "u", "session:1", "s"), replica);
            assertEquals(Envelope.NO_EXPIRY, sink.versionOf("user:1").expiresAtMillis());
            long expiry = sink.versionOf("session:1").expiresAtMillis();
            assertTrue(expiry > System.currentTimeMillis() + 3_500_000 && expiry != Envelope.NO_EXPIRY);
            assertEquals("cfg-test", rep.status().name());
            assertEquals(1024, rep.status().ringSize());
            assertNotEquals(null, registry.find(KeyDistribution.METER).tag("prefix", "user:").counter());
        }
        assertTrue(Files.exists(dir.resolve("cp")), "checkpoint directory from the configuration");
        ConfigException e = assertThrows(ConfigException.class,
            () -> c.builder(new VersionedMapSource<>(map, "node-b"), List.of(sink), null));
        assertEquals("origin", e.field());
        ConfigException noOrigin = assertThrows(ConfigException.class,
            () -> ReplicationConfig.defaults().source(map));
        assertEquals("origin", noOrigin.field());
    }

    @Test
    void durationsParse() {
        assertEquals(Duration.ofMillis(1500), ConfigParser.parseDuration("1.5s"));
        assertEquals(Duration.ofDays(2), ConfigParser.parseDuration("2d"));
        assertEquals(Duration.ofNanos(10), ConfigParser.parseDuration("10ns"));
        assertEquals(Duration.ofMinutes(1), ConfigParser.parseDuration("PT1M"));
        assertThrows(IllegalArgumentException.class, () -> ConfigParser.parseDuration("1.5ns"));
        assertThrows(IllegalArgumentException.class, () -> ConfigParser.parseDuration("soon"));
    }
}
