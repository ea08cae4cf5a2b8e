package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import dev.syncmap.VersionedMap;

import org.junit.jupiter.api.Test;

/**
 * A slow sink and a source with a short history: the source compacts history the pipeline has not read, the
 * watch falls behind, and the source re-anchors by itself. The replica must still equal the source: no gap.
 */
class ReanchorTest {

    @Test
    void aPipelineThatFallsBehindTheHistoryReanchorsWithoutAGap() throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(64).build();
        ConcurrentHashMap<Integer, String> replica = new ConcurrentHashMap<>();
        MapReplicaSink<Integer, String> real = new MapReplicaSink<>("slow", replica);
        Sink<Integer, String> slow = new Sink<>() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public void write(List<Envelope<Integer, String>> batch) throws InterruptedException {
                Thread.sleep(2);
                real.write(batch);
            }
        };
        try (Replicator<Integer, String> r = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(source, "n1")).sink(slow).batchSize(8).ringSize(512).build()) {
            r.start();
            assertTrue(r.awaitApplied(0, Duration.ofSeconds(5))); // the empty anchor is in; the writes go to the feed
            for (int i = 0; i < 20_000; i++) {
                source.put(i % 500, "v" + i);
                if (i % 11 == 0) {
                    source.remove((i * 7) % 500);
                }
            }
            assertTrue(r.awaitCaughtUp(Duration.ofSeconds(20)), () -> "not caught up: " + r.status());
            assertTrue(r.status().anchors() >= 2, () -> "expected a re-anchor: " + r.status());
            assertEquals(new HashMap<>(source.snapshot()), replica);
            assertEquals(Replicator.State.RUNNING, r.status().state());
        }
    }
}
