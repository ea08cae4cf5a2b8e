package dev.syncmap.cli;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.syncmap.copy.Codecs;
import dev.syncmap.redis.RedisSink;
import dev.syncmap.replicate.ConfigException;
import dev.syncmap.replicate.MapReplicaSink;
import dev.syncmap.replicate.Sink;

/**
 * Builds the sinks a {@link NodeConfig} names, one kind per {@code type}. A new kind (a Kafka topic) is one more
 * case here and its fields; the node's keys and values are strings.
 */
final class NodeSinks {

    /** The kinds this build knows. */
    static final Set<String> TYPES = Set.of("redis", "map");

    private static final Set<String> REDIS_FIELDS = Set.of("address", "user", "password", "keyPrefix", "metaPrefix",
        "tombstoneGrace", "timeout", "chunkSize");

    private NodeSinks() {}

    /**
     * Builds one sink.
     *
     * @param s the entry
     * @return the sink (not connected yet)
     * @throws ConfigException naming the field if the entry is refused
     */
    static Sink<String, String> create(NodeConfig.Sink s) {
        switch (s.type()) {
            case "redis":
                return redis(s);
            case "map":
                s.allow(Set.of());
                return new MapReplicaSink<>(s.name(), new ConcurrentHashMap<>());
            case "kafka":
                throw new ConfigException(s.path() + ".type", "'kafka' is not a sink type: a Kafka node takes a"
                    + " top-level 'kafka' section instead of 'sinks' (known sink types: "
                    + String.join(", ", new java.util.TreeSet<>(TYPES)) + ")");
            default:
                throw new ConfigException(s.path() + ".type", "unknown sink type '" + s.type() + "' (known: "
                    + String.join(", ", new java.util.TreeSet<>(TYPES)) + ")");
        }
    }

    private static RedisSink<String, String> redis(NodeConfig.Sink s) {
        s.allow(REDIS_FIELDS);
        RedisSink.Builder<String, String> b = RedisSink.<String, String>builder().name(s.name())
            .codecs(Codecs.STRING, Codecs.STRING);
        try {
            b.address(s.require("address"));
            b.credentials(s.fields().get("user"), s.fields().get("password"));
            if (s.fields().containsKey("keyPrefix")) {
                b.keyPrefix(s.fields().get("keyPrefix"));
            }
            if (s.fields().containsKey("metaPrefix")) {
                b.metaPrefix(s.fields().get("metaPrefix"));
            }
            if (s.fields().containsKey("tombstoneGrace")) {
                b.tombstoneGrace(NodeConfig.duration(s.path() + ".tombstoneGrace", s.fields().get("tombstoneGrace")));
            }
            if (s.fields().containsKey("timeout")) {
                Duration t = NodeConfig.duration(s.path() + ".timeout", s.fields().get("timeout"));
                b.timeout(t);
            }
            if (s.fields().containsKey("chunkSize")) {
                b.chunkSize(Integer.parseInt(s.fields().get("chunkSize").trim()));
            }
            return b.build();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.path(), e.getMessage(), e);
        }
    }
}
