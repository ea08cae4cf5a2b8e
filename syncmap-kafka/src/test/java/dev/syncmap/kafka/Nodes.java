package dev.syncmap.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.syncmap.copy.Codec;
import dev.syncmap.replicate.ConflictResolver;
import dev.syncmap.replicate.Resolvers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starts and stops groups of nodes for the tests, and compares them (the pause-and-compare oracle). */
final class Nodes<K, V> implements AutoCloseable {

    static final Duration READY = Duration.ofSeconds(30);
    static final Duration CONVERGE = Duration.ofSeconds(20);

    private final String servers;
    private final ChangelogTopic topic;
    private final Codec<K> keys;
    private final Codec<V> values;
    private final ConflictResolver<K, V> resolver;
    final List<ReplicatedMap<K, V>> all = new ArrayList<>();

    Nodes(String servers, ChangelogTopic topic, Codec<K> keys, Codec<V> values, ConflictResolver<K, V> resolver) {
        this.servers = servers;
        this.topic = topic;
        this.keys = keys;
        this.values = values;
        this.resolver = resolver;
    }

    static <K, V> Nodes<K, V> lww(String servers, String topic, Codec<K> keys, Codec<V> values) {
        return new Nodes<>(servers, ChangelogTopic.named(topic), keys, values, Resolvers.lastWriterWins());
    }

    ReplicatedMap.Builder<K, V> builder(String nodeId) {
        return ReplicatedMap.<K, V>builder().bootstrapServers(servers).topic(topic).nodeId(nodeId)
            .keyCodec(keys).valueCodec(values).resolver(resolver);
    }

    /** Starts a node and waits until it is ready. */
    ReplicatedMap<K, V> start(String nodeId) throws Exception {
        return start(builder(nodeId));
    }

    ReplicatedMap<K, V> start(ReplicatedMap.Builder<K, V> b) throws Exception {
        ReplicatedMap<K, V> n = b.build();
        all.add(n);
        n.start();
        assertTrue(n.awaitReady(READY), () -> n + " not ready");
        return n;
    }

    /** Waits until every node has published its writes and read everything, then compares their views. */
    Map<K, V> assertConverged(String round) throws InterruptedException {
        // twice: the first pass waits until every node has published its writes, so the second one's end
        // offsets include all of them (one pass could let a node read to the end before another had published)
        for (int pass = 0; pass < 2; pass++) {
            for (ReplicatedMap<K, V> n : all) {
                assertTrue(n.awaitCaughtUp(CONVERGE), () -> n + " not caught up, round " + round);
            }
        }
        Map<K, V> first = new HashMap<>(all.get(0).snapshot());
        for (int i = 1; i < all.size(); i++) {
            assertEquals(first, new HashMap<>(all.get(i).snapshot()), "node " + all.get(i).origin()
                + " differs from " + all.get(0).origin() + ", round " + round);
        }
        return first;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (ReplicatedMap<K, V> n : all) {
            try {
                n.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
