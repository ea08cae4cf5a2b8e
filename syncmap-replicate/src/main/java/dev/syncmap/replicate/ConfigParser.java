package dev.syncmap.replicate;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a {@link ReplicationConfig} from a YAML or JSON tree, strictly: unknown fields, wrong types and values
 * out of range are refused with a {@link ConfigException} naming the field's dotted path.
 */
final class ConfigParser {

    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = JsonMapper.builder()
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private static final Pattern DURATION = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h|d)");

    private ConfigParser() {}

    static ReplicationConfig load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Path fileName = file.getFileName();
        String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        ReplicationConfig.Format format = name.endsWith(".json") ? ReplicationConfig.Format.JSON
            : ReplicationConfig.Format.YAML;
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, format, dir, file.toString());
    }

    static ReplicationConfig parse(String text, ReplicationConfig.Format format, Path baseDir, String source) {
        try {
            JsonNode root;
            try {
                root = (format == ReplicationConfig.Format.JSON ? JSON : YAML).readTree(text);
            } catch (JsonProcessingException e) {
                JsonLocation at = e.getLocation();
                throw new ConfigException("", "not valid " + format + ": " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), e);
            }
            return new ConfigParser.Reader(baseDir).config(new Node(root, ""));
        } catch (ConfigException e) {
            throw source == null ? e : e.from(source);
        }
    }

    /** Turns the tree into records. */
    private static final class Reader {
        private final Path baseDir;

        Reader(Path baseDir) {
            this.baseDir = baseDir;
        }

        ReplicationConfig config(Node root) {
            ReplicationConfig d = ReplicationConfig.defaults();
            if (root.absent()) {
                return d;
            }
            Set<String> known = new TreeSet<>(Set.of("name", "origin", "resolver", "grayRelease", "transformers",
                "batchSize", "ringSize", "coalesce", "idleInterval", "checkpoint", "retry", "maxClockSkew", "metrics",
                "reload"));
            known.addAll(ReplicationConfig.RESERVED_SECTIONS);
            root.allow(known);
            Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
            for (String s : ReplicationConfig.RESERVED_SECTIONS) {
                Node n = root.get(s);
                if (!n.absent()) {
                    n.requireObject();
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = YAML.convertValue(n.node, Map.class);
                    sections.put(s, m);
                }
            }
            return build("", () -> new ReplicationConfig(
                root.string("name", d.name()),
                root.string("origin", d.origin()),
                root.string("resolver", d.resolver()),
                grayRelease(root.get("grayRelease")),
                transforms(root.get("transformers")),
                root.integer("batchSize", d.batchSize()),
                root.integer("ringSize", d.ringSize()),
                root.bool("coalesce", d.coalesce()),
                root.duration("idleInterval", d.idleInterval()),
                checkpoint(root.get("checkpoint")),
                retry(root.get("retry")),
                root.duration("maxClockSkew", d.maxClockSkew()),
                metrics(root.get("metrics")),
                reload(root.get("reload")),
                sections));
        }

        private ReplicationConfig.GrayRelease grayRelease(Node n) {
            if (n.absent()) {
                return null;
            }
            n.allow(Set.of("candidate", "share"));
            Node s = n.get("share");
            ReplicationConfig.Share share = null;
            if (!s.absent()) {
                s.allow(Set.of("prefixes", "hashPercent"));
                List<String> prefixes = s.strings("prefixes");
                Node hp = s.get("hashPercent");
                Integer percent = hp.absent() ? null : s.integer("hashPercent", 0);
                share = build(s.path, () -> new ReplicationConfig.Share(prefixes, percent));
            }
            String candidate = n.string("candidate", null);
            ReplicationConfig.Share sh = share;
            return build(n.path, () -> new ReplicationConfig.GrayRelease(candidate, sh));
        }

        private ReplicationConfig.Transforms transforms(Node n) {
            if (n.absent()) {
                return ReplicationConfig.Transforms.NONE;
            }
            n.allow(Set.of("keepPrefixes", "ttl"));
            List<String> keep = n.strings("keepPrefixes");
            Map<String, Duration> ttl = new LinkedHashMap<>();
            Node t = n.get("ttl");
            if (!t.absent()) {
                t.requireObject();
                for (Iterator<String> it = t.node.fieldNames(); it.hasNext(); ) {
                    String prefix = it.next();
                    ttl.put(prefix, t.duration(prefix, null));
                }
            }
            return build(n.path, () -> new ReplicationConfig.Transforms(keep, ttl));
        }

        private ReplicationConfig.Checkpointing checkpoint(Node n) {
            ReplicationConfig.Checkpointing d = ReplicationConfig.Checkpointing.DEFAULT;
            if (n.absent()) {
                return d;
            }
            n.allow(Set.of("directory", "interval", "onCorrupt"));
            String dir = n.string("directory", null);
            Path p = null;
            if (dir != null) {
                try {
                    p = baseDir == null ? Path.of(dir) : baseDir.resolve(dir);
                } catch (InvalidPathException e) {
                    throw new ConfigException(n.path + ".directory", "not a valid path: " + e.getMessage(), e);
                }
            }
            String oc = n.string("onCorrupt", null);
            Replicator.CorruptStatePolicy policy = d.onCorrupt();
            if (oc != null) {
                try {
                    policy = Replicator.CorruptStatePolicy.valueOf(oc.toUpperCase(Locale.ROOT).replace('-', '_'));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(n.path + ".onCorrupt", "must be 'reanchor' or 'fail', got '" + oc + "'",
                        e);
                }
            }
            Path dirPath = p;
            Duration interval = n.duration("interval", d.interval());
            Replicator.CorruptStatePolicy pol = policy;
            return build(n.path, () -> new ReplicationConfig.Checkpointing(dirPath, interval, pol));
        }

        private ReplicationConfig.Retry retry(Node n) {
            ReplicationConfig.Retry d = ReplicationConfig.Retry.DEFAULT;
            if (n.absent()) {
                return d;
            }
            n.allow(Set.of("min", "max"));
            Duration min = n.duration("min", d.min());
            Duration max = n.duration("max", d.max());
            return build(n.path, () -> new ReplicationConfig.Retry(min, max));
        }

        private ReplicationConfig.Metrics metrics(Node n) {
            if (n.absent()) {
                return ReplicationConfig.Metrics.DEFAULT;
            }
            n.allow(Set.of("prometheus", "otlp", "keyDistribution"));
            ReplicationConfig.Prometheus prom = prometheus(n.get("prometheus"));
            ReplicationConfig.Otlp otlp = otlp(n.get("otlp"));
            ReplicationConfig.KeyMetrics keys = keys(n.get("keyDistribution"));
            return build(n.path, () -> new ReplicationConfig.Metrics(prom, otlp, keys));
        }

        private ReplicationConfig.Prometheus prometheus(Node n) {
            ReplicationConfig.Prometheus d = ReplicationConfig.Prometheus.DEFAULT;
            if (n.absent()) {
                return d;
            }
            n.allow(Set.of("enabled", "host", "port", "path"));
            boolean enabled = n.bool("enabled", true);
            String host = n.string("host", d.host());
            int port = n.integer("port", d.port());
            String path = n.string("path", d.path());
            return build(n.path, () -> new ReplicationConfig.Prometheus(enabled, host, port, path));
        }

        private ReplicationConfig.Otlp otlp(Node n) {
            ReplicationConfig.Otlp d = ReplicationConfig.Otlp.DEFAULT;
            if (n.absent()) {
                return d;
            }
            n.allow(Set.of("enabled", "endpoint", "step", "headers"));
            boolean enabled = n.bool("enabled", true);
            String ep = n.string("endpoint", null);
            URI endpoint = d.endpoint();
            if (ep != null) {
                try {
                    endpoint = new URI(ep);
                } catch (URISyntaxException e) {
                    throw new ConfigException(n.path + ".endpoint", "not a URL: " + e.getMessage(), e);
                }
            }
            Duration step = n.duration("step", d.step());
            Map<String, String> headers = new LinkedHashMap<>();
            Node h = n.get("headers");
            if (!h.absent()) {
                h.requireObject();
                for (Iterator<String> it = h.node.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    headers.put(k, h.string(k, null));
                }
            }
            URI url = endpoint;
            return build(n.path, () -> new ReplicationConfig.Otlp(enabled, url, step, headers));
        }

        private ReplicationConfig.KeyMetrics keys(Node n) {
            ReplicationConfig.KeyMetrics d = ReplicationConfig.KeyMetrics.DEFAULT;
            if (n.absent()) {
                return d;
            }
            n.allow(Set.of("enabled", "delimiter", "maxPrefixes", "sizeEstimator"));
            boolean enabled = n.bool("enabled", true);
            String delimiter = n.string("delimiter", d.delimiter());
            int max = n.integer("maxPrefixes", d.maxPrefixes());
            String est = n.string("sizeEstimator", null);
            return build(n.path, () -> new ReplicationConfig.KeyMetrics(enabled, delimiter, max, est));
        }

        private ReplicationConfig.Reload reload(Node n) {
            ReplicationConfig.Reload d = ReplicationConfig.Reload.DEFAULT;
            if (n.absent()) {
                return d;
            }
            n.allow(Set.of("watch", "debounce"));
            boolean watch = n.bool("watch", d.watch());
            Duration debounce = n.duration("debounce", d.debounce());
            return build(n.path, () -> new ReplicationConfig.Reload(watch, debounce));
        }
    }

    /** Runs a record's constructor, moving the fields of its refusal under the section's path. */
    private static <T> T build(String section, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (ConfigException e) {
            throw section.isEmpty() ? e : e.under(section);
        }
    }

    /** A node of the tree with its dotted path. */
    private static final class Node {
        final JsonNode node;
        final String path;

        Node(JsonNode node, String path) {
            this.node = node;
            this.path = path;
        }

        boolean absent() {
            return node == null || node.isMissingNode() || node.isNull();
        }

        Node get(String field) {
            return new Node(node == null ? null : node.get(field), child(field));
        }

        private String child(String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        void requireObject() {
            if (!node.isObject()) {
                throw new ConfigException(path, "expected a mapping, got " + describe(node));
            }
        }

        void allow(Set<String> known) {
            requireObject();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!known.contains(f)) {
                    String hint = closest(f, known);
                    throw new ConfigException(child(f), "unknown field" + (hint == null ? "" : " (did you mean '"
                        + hint + "'?)") + "; known fields here: " + new TreeSet<>(known));
                }
            }
        }

        String string(String field, String def) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return def;
            }
            if (!v.isTextual()) {
                throw new ConfigException(child(field), "expected a string, got " + describe(v));
            }
            return v.textValue();
        }

        int integer(String field, int def) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return def;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new ConfigException(child(field), "expected an integer, got " + describe(v));
            }
            return v.intValue();
        }

        boolean bool(String field, boolean def) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return def;
            }
            if (!v.isBoolean()) {
                throw new ConfigException(child(field), "expected true or false, got " + describe(v));
            }
            return v.booleanValue();
        }

        Duration duration(String field, Duration def) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                if (def == null) {
                    throw new ConfigException(child(field), "is required");
                }
                return def;
            }
            if (v.isIntegralNumber() && v.asLong() == 0) {
                return Duration.ZERO;
            }
            if (!v.isTextual()) {
                throw new ConfigException(child(field), "expected a duration with a unit (200ms, 5s, 1m, 1h, 1d,"
                    + " PT5S), got " + describe(v));
            }
            try {
                return parseDuration(v.textValue());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(child(field), e.getMessage(), e);
            }
        }

        List<String> strings(String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isArray()) {
                throw new ConfigException(child(field), "expected a list of strings, got " + describe(v));
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (!e.isTextual()) {
                    throw new ConfigException(child(field) + "[" + i + "]", "expected a string, got " + describe(e));
                }
                out.add(e.textValue());
            }
            return out;
        }
    }

    /**
     * Parses a duration: a number and a unit ({@code ns us ms s m h d}), or ISO-8601 ({@code PT5S}).
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException saying what is expected
     */
    static Duration parseDuration(String text) {
        String t = text.trim();
        if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P") || t.startsWith("-p")) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not an ISO-8601 duration: '" + text + "'", e);
            }
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 200ms, 5s, 1m, 1h, 1d or PT5S, got '"
                + text + "'");
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        long unitNanos;
        switch (m.group(2)) {
            case "ns":
                unitNanos = 1;
                break;
            case "us":
                unitNanos = 1_000;
                break;
            case "ms":
                unitNanos = 1_000_000;
                break;
            case "s":
                unitNanos = 1_000_000_000L;
                break;
            case "m":
                unitNanos = 60_000_000_000L;
                break;
            case "h":
                unitNanos = 3_600_000_000_000L;
                break;
            default:
                unitNanos = 86_400_000_000_000L;
                break;
        }
        BigDecimal nanos = amount.multiply(BigDecimal.valueOf(unitNanos));
        try {
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + text + "' is out of range or finer than a nanosecond",
                e);
        }
    }

    /** Formats a duration as the configuration writes them (for messages). */
    static String format(Duration d) {
        if (d.isZero()) {
            return "0";
        }
        long n = d.toNanos();
        long a = Math.abs(n);
        if (a % 1_000_000_000L == 0) {
            return n / 1_000_000_000L + "s";
        }
        if (a % 1_000_000 == 0) {
            return n / 1_000_000 + "ms";
        }
        return d.toString();
    }

    private static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "the string '" + v.textValue() + "'";
        }
        if (v.isBoolean()) {
            return "the boolean " + v.booleanValue();
        }
        if (v.isNumber()) {
            return "the number " + v.numberValue();
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        return v.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** The known name nearest a misspelt one (same letters ignoring case, or at most two edits), or null. */
    private static String closest(String f, Set<String> known) {
        String best = null;
        int bestD = 3;
        for (String k : known) {
            if (k.equalsIgnoreCase(f) || k.replace("-", "").equalsIgnoreCase(f.replace("-", "").replace("_", ""))) {
                return k;
            }
            int d = distance(k.toLowerCase(Locale.ROOT), f.toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
