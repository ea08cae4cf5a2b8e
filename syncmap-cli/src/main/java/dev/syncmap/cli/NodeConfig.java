package dev.syncmap.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.syncmap.replicate.ConfigException;
import dev.syncmap.replicate.ReplicationConfig;

/**
 * The configuration of {@code syncmap replicate}: one node, that is a local map, an optional load generator
 * writing to it, the replicator (a {@link ReplicationConfig}, inline) and the sinks it feeds.
 *
 * <pre>
 * replication:            # docs/replication.md, "Configuration" (name, origin, batchSize, checkpoint, ...)
 *   name: node-a
 *   origin: node-a
 * load:                   # optional: a built-in writer on the node's map
 *   keys: 10000
 *   rate: 2000            # changes per second
 *   valueBytes: 100
 * spill: ./node-a/spill   # optional: where a sink's batches spill while it is down (breaker always on)
 * statusInterval: 1s
 * sinks:                  # one entry per sink; "type" picks the kind, the other fields are the kind's
 *   - type: redis
 *     name: redis
 *     address: localhost:6379
 *     keyPrefix: "node-a:"
 *   - type: map
 *     name: local
 * </pre>
 *
 * <p>A <b>Kafka node</b> ({@link Kafka}) takes a {@code kafka} section instead of {@code replication} and
 * {@code sinks}: the node is then a {@code ReplicatedMap} on a changelog topic; {@code load}, {@code spill} (the
 * publisher's durable spill) and {@code statusInterval} keep their meaning:
 *
 * <pre>
 * kafka:
 *   bootstrapServers: kafka-1:9092,kafka-2:9092   # required
 *   topic: sessions                               # required
 *   partitions: 4                                 # default 4
 *   replicationFactor: 3                          # default 1
 *   nodeId: web-1                                 # required; letters, digits, '_', '-'
 *   resolver: lww                                 # lww (default), latest-update, g-counter, pn-counter
 *   setupTimeout: 10s                             # default 10s
 *   metricsPort: 9464                             # optional: a Prometheus endpoint, http://0.0.0.0:9464/metrics
 * </pre>
 *
 * <p>Sinks are a list of typed entries so that new kinds (a Kafka topic) add a {@code type} and their own fields
 * without changing the rest; a future {@code sources:} list can take the same shape. Strict: an unknown field, a
 * wrong type or a bad value is a {@link ConfigException} naming the field ({@code sinks[0].adress}).
 *
 * @param replication the replicator's configuration
 * @param load the load generator, or null for none
 * @param spill the spill directory, or null (a down sink's batches are then held in memory, bounded)
 * @param statusInterval how often the status line is printed
 * @param sinks the sinks, at least one; empty for a Kafka node
 * @param kafka the Kafka node, or null for a node that replicates into sinks
 */
record NodeConfig(ReplicationConfig replication, Load load, Path spill, Duration statusInterval, List<Sink> sinks,
                  Kafka kafka) {

    private static final Set<String> TOP = Set.of("replication", "load", "spill", "statusInterval", "sinks", "kafka");
    private static final Set<String> KAFKA_FIELDS = Set.of("bootstrapServers", "topic", "partitions",
        "replicationFactor", "nodeId", "resolver", "setupTimeout", "metricsPort");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    /**
     * The built-in load generator.
     *
     * @param keys keys written, "key-0" .. "key-(keys-1)"
     * @param rate changes per second
     * @param valueBytes bytes per value
     */
    record Load(int keys, int rate, int valueBytes) {}

    /**
     * One sink entry.
     *
     * @param type the kind ({@code redis}, {@code map})
     * @param name the sink's name
     * @param fields the kind's fields, as read (strings, numbers, booleans)
     * @param path where it is in the file, for messages ({@code sinks[1]})
     */
    record Sink(String type, String name, Map<String, String> fields, String path) {

        /** A required field. */
        String require(String field) {
            String v = fields.get(field);
            if (v == null) {
                throw new ConfigException(path + "." + field, "is required for a " + type + " sink");
            }
            return v;
        }

        /** Refuses fields the kind does not know. */
        void allow(Set<String> known) {
            for (String f : fields.keySet()) {
                if (!known.contains(f)) {
                    throw new ConfigException(path + "." + f, "unknown field for a " + type + " sink (known: "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
                }
            }
        }
    }

    /**
     * A Kafka node: a {@code ReplicatedMap} on a changelog topic.
     *
     * @param bootstrapServers the brokers, {@code host:port[,host:port...]}
     * @param topic the changelog topic's name
     * @param partitions partitions when the topic is created (at least this many when it exists)
     * @param replicationFactor replicas when the topic is created
     * @param nodeId this node's id, unique among the map's nodes
     * @param resolver the resolver's built-in name ({@code last-writer-wins}, {@code latest-update},
     *     {@code g-counter}, {@code pn-counter}); {@code lww} is read as {@code last-writer-wins}
     * @param setupTimeout the longest each setup request may take
     * @param metricsPort the port of a Prometheus scrape endpoint for the node's meters, or 0 for none
     */
    record Kafka(String bootstrapServers, String topic, int partitions, short replicationFactor, String nodeId,
                 String resolver, Duration setupTimeout, int metricsPort) {

        /** The resolvers a Kafka node accepts: the order-independent built-ins. */
        static final List<String> RESOLVERS = List.of("lww", "last-writer-wins", "latest-update", "g-counter",
            "pn-counter");
    }

    /**
     * Reads a node configuration file (YAML or JSON).
     *
     * @param file the file
     * @return the configuration
     * @throws IOException if the file cannot be read
     * @throws ConfigException naming the field that is refused
     */
    static NodeConfig load(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    /**
     * Parses a node configuration.
     *
     * @param text YAML (or JSON)
     * @return the configuration
     * @throws ConfigException naming the field that is refused
     */
    static NodeConfig parse(String text) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode root;
        try {
            root = yaml.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("(file)", "not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("(file)", "must be a mapping with 'sinks' and optionally 'replication', 'load',"
                + " 'spill', 'statusInterval'");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP.contains(f)) {
                throw new ConfigException(f, "unknown field (known: " + String.join(", ", new java.util.TreeSet<>(TOP))
                    + ")");
            }
        }
        Kafka kafka = null;
        JsonNode ks = root.get("kafka");
        if (ks != null && !ks.isNull()) {
            for (String other : List.of("replication", "sinks")) {
                if (root.has(other)) {
                    throw new ConfigException(other, "not used by a Kafka node (a 'kafka' section is given): its"
                        + " changelog topic is its sink and its source");
                }
            }
            kafka = kafka(ks);
        }
        ReplicationConfig rc = ReplicationConfig.defaults();
        JsonNode r = root.get("replication");
        if (r != null && !r.isNull()) {
            try {
                rc = ReplicationConfig.parse(yaml.writeValueAsString(r), ReplicationConfig.Format.YAML);
            } catch (JsonProcessingException e) {
                throw new ConfigException("replication", "cannot be read: " + e.getOriginalMessage(), e);
            } catch (ConfigException e) {
                throw new ConfigException("replication." + e.field(), e.problem(), e);
            }
        }
        Load load = null;
        JsonNode l = root.get("load");
        if (l != null && !l.isNull()) {
            Map<String, String> f = fields(l, "load");
            for (String k : f.keySet()) {
                if (!Set.of("keys", "rate", "valueBytes").contains(k)) {
                    throw new ConfigException("load." + k, "unknown field (known: keys, rate, valueBytes)");
                }
            }
            load = new Load(positiveInt(f, "load", "keys", 10_000), positiveInt(f, "load", "rate", 1_000),
                positiveInt(f, "load", "valueBytes", 100));
        }
        Path spill = root.hasNonNull("spill") ? Path.of(text(root.get("spill"), "spill")) : null;
        Duration status = root.hasNonNull("statusInterval")
            ? duration("statusInterval", text(root.get("statusInterval"), "statusInterval")) : Duration.ofSeconds(1);
        if (kafka != null) {
            return new NodeConfig(rc, load, spill, status, List.of(), kafka);
        }
        JsonNode s = root.get("sinks");
        if (s == null || !s.isArray() || s.isEmpty()) {
            throw new ConfigException("sinks", "is required: a list of at least one sink ({type: redis, ...} or"
                + " {type: map, ...}), or a 'kafka' section for a Kafka node");
        }
        List<Sink> sinks = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < s.size(); i++) {
            String path = "sinks[" + i + "]";
            Map<String, String> f = fields(s.get(i), path);
            String type = f.remove("type");
            if (type == null) {
                throw new ConfigException(path + ".type", "is required (redis, map)");
            }
            String name = f.remove("name");
            if (name == null) {
                name = type;
            }
            if (!names.add(name)) {
                throw new ConfigException(path + ".name", "'" + name + "' names two sinks; give each its own name");
            }
            sinks.add(new Sink(type.toLowerCase(Locale.ROOT), name, f, path));
        }
        return new NodeConfig(rc, load, spill, status, List.copyOf(sinks), null);
    }

    private static Kafka kafka(JsonNode k) {
        Map<String, String> f = fields(k, "kafka");
        for (String name : f.keySet()) {
            if (!KAFKA_FIELDS.contains(name)) {
                throw new ConfigException("kafka." + name, "unknown field (known: "
                    + String.join(", ", new java.util.TreeSet<>(KAFKA_FIELDS)) + ")");
            }
        }
        String servers = f.get("bootstrapServers");
        if (servers == null || servers.isBlank()) {
            throw new ConfigException("kafka.bootstrapServers", "is required: the brokers, host:port[,host:port...]");
        }
        for (String server : servers.split(",")) {
            int colon = server.trim().lastIndexOf(':');
            if (colon <= 0 || !server.trim().substring(colon + 1).matches("\\d{1,5}")) {
                throw new ConfigException("kafka.bootstrapServers", "'" + server.trim() + "' is not host:port");
            }
        }
        String topic = f.get("topic");
        if (topic == null || topic.isBlank()) {
            throw new ConfigException("kafka.topic", "is required: the changelog topic's name");
        }
        String nodeId = f.get("nodeId");
        if (nodeId == null) {
            throw new ConfigException("kafka.nodeId", "is required: this node's id, unique among the map's nodes");
        }
        try {
            dev.syncmap.kafka.ReplicatedMap.builder().nodeId(nodeId); // the node's own rule for ids
        } catch (IllegalArgumentException e) {
            throw new ConfigException("kafka.nodeId", e.getMessage(), e);
        }
        String resolver = f.getOrDefault("resolver", "lww").trim().toLowerCase(Locale.ROOT);
        if (!Kafka.RESOLVERS.contains(resolver)) {
            throw new ConfigException("kafka.resolver", "unknown resolver '" + f.get("resolver") + "' (known: "
                + String.join(", ", Kafka.RESOLVERS) + ")");
        }
        int partitions = positiveInt(f, "kafka", "partitions", dev.syncmap.kafka.ChangelogTopic.DEFAULT_PARTITIONS);
        int replicas = positiveInt(f, "kafka", "replicationFactor", 1);
        if (replicas > Short.MAX_VALUE) {
            throw new ConfigException("kafka.replicationFactor", "must be at most " + Short.MAX_VALUE + ", got "
                + replicas);
        }
        Duration setup = f.containsKey("setupTimeout") ? duration("kafka.setupTimeout", f.get("setupTimeout"))
            : Duration.ofSeconds(10);
        int metricsPort = positiveInt(f, "kafka", "metricsPort", 0);
        if (metricsPort > 65_535) {
            throw new ConfigException("kafka.metricsPort", "must be a port, 1 to 65535, got " + metricsPort);
        }
        return new Kafka(servers.trim(), topic.trim(), partitions, (short) replicas, nodeId,
            "lww".equals(resolver) ? "last-writer-wins" : resolver, setup, metricsPort);
    }

    private static Map<String, String> fields(JsonNode n, String path) {
        if (!n.isObject()) {
            throw new ConfigException(path, "must be a mapping");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), text(e.getValue(), path + "." + e.getKey()));
        }
        return out;
    }

    private static String text(JsonNode v, String path) {
        if (!v.isValueNode() || v.isNull()) {
            throw new ConfigException(path, "must be a single value");
        }
        return v.asText();
    }

    private static int positiveInt(Map<String, String> f, String section, String field, int dflt) {
        String v = f.get(field);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(section + "." + field, "must be a positive whole number, got '" + v + "'", e);
        }
        throw new ConfigException(section + "." + field, "must be a positive whole number, got '" + v + "'");
    }

    /**
     * Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}.
     *
     * @param field the field, for the message
     * @param v the text
     * @return the duration, positive
     */
    static Duration duration(String field, String v) {
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new ConfigException(field, "must be a positive duration like 500ms, 30s, 5m or 1h, got '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return Duration.ofHours(n);
        }
    }
}
