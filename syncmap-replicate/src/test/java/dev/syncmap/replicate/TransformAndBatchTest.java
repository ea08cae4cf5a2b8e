package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.syncmap.VersionedMap;

import org.junit.jupiter.api.Test;

class TransformAndBatchTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void keysAndValuesAreMappedAndFilteredOnTheWay() throws Exception {
        VersionedMap<String, String> source = new VersionedMap<>();
        ConcurrentHashMap<String, String> replica = new ConcurrentHashMap<>();
        try (Replicator<String, String> r = Replicator.<String, String>builder()
            .source(new VersionedMapSource<>(source, "n1"))
            .transformer(Transformer.keepPrefixes(List.of("user:", "order:")))
            .transformer(Transformer.map(k -> "eu." + k, String::toUpperCase))
            .sink(new MapReplicaSink<>("s", replica)).build()) {
            r.start();
            source.put("user:1", "ada");
            source.put("temp:1", "scratch");
            source.put("order:7", "paid");
            source.remove("user:1");
            source.put("user:2", "bob");
            assertTrue(r.awaitCaughtUp(WAIT));
            assertEquals(Map.of("eu.order:7", "PAID", "eu.user:2", "BOB"), replica);
        }
    }

    @Test
    void aTransformerThatTurnsAChangeIntoAMarkerIsRefused() throws Exception {
        VersionedMap<String, String> source = new VersionedMap<>();
        try (Replicator<String, String> r = Replicator.<String, String>builder()
            .source(new VersionedMapSource<>(source, "n1"))
            .transformer(c -> new Envelope<>(Envelope.Kind.ANCHOR_END, c.origin(), c.originRevision(), c.stamp(),
                null, null, true, Envelope.NO_EXPIRY))
            .sink(new MapReplicaSink<>("s", new ConcurrentHashMap<>())).build()) {
            r.start();
            source.put("k", "v");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (r.status().state() == Replicator.State.RUNNING && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(Replicator.State.FAILED, r.status().state());
            assertTrue(r.status().failure().getMessage().contains("turned a change into"));
        }
    }

    @Test
    void badTransformerArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Transformer.ttl(Duration.ZERO, k -> true));
        assertThrows(NullPointerException.class, () -> Transformer.map(null, v -> v));
    }

    /** Every batch a sink receives ends at a revision's end (or inside an anchor): a revision is never split. */
    @Test
    void aRevisionIsNeverSplitAcrossBatches() throws Exception {
        VersionedMap<Integer, Integer> source = new VersionedMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        ConcurrentHashMap<Integer, Integer> replica = new ConcurrentHashMap<>();
        MapReplicaSink<Integer, Integer> real = new MapReplicaSink<>("s", replica);
        Sink<Integer, Integer> checking = new Sink<>() {
            boolean inAnchor;

            @Override
            public String name() {
                return "s";
            }

            @Override
            public void write(List<Envelope<Integer, Integer>> batch) {
                for (Envelope<Integer, Integer> e : batch) {
                    if (e.kind() == Envelope.Kind.ANCHOR_START) {
                        inAnchor = true;
                    } else if (e.kind() == Envelope.Kind.ANCHOR_END) {
                        inAnchor = false;
                    }
                }
                Envelope<Integer, Integer> last = batch.get(batch.size() - 1);
                if (!inAnchor && !last.endOfRevision()) {
                    violations.add("batch ends inside revision " + last.originRevision());
                }
                sizes.add(batch.size());
                real.write(batch);
            }
        };
        try (Replicator<Integer, Integer> r = Replicator.<Integer, Integer>builder()
            .source(new VersionedMapSource<>(source, "n1")).sink(checking).batchSize(10).coalesce(false).build()) {
            r.start();
            assertTrue(r.awaitApplied(0, WAIT)); // the (empty) anchor is in: what follows comes from the feed
            for (int i = 0; i < 300; i++) {
                Map<Integer, Integer> batch = new HashMap<>();
                for (int k = 0; k < 1 + i % 25; k++) { // revisions of 1 to 25 keys, against batches of 10
                    batch.put(k * 1000 + i, i);
                }
                source.putAll(batch);
                source.put(-1, i);
            }
            assertTrue(r.awaitCaughtUp(WAIT));
            assertEquals(List.of(), violations);
            assertTrue(sizes.stream().anyMatch(n -> n > 10), "a revision larger than the batch size goes whole");
            assertEquals(new HashMap<>(source.snapshot()), replica);
        }
    }

    @Test
    void coalescingFoldsAHotKeyWithinABatch() throws Exception {
        VersionedMap<Integer, Integer> source = new VersionedMap<>();
        List<Integer> written = new ArrayList<>();
        ConcurrentHashMap<Integer, Integer> replica = new ConcurrentHashMap<>();
        MapReplicaSink<Integer, Integer> real = new MapReplicaSink<>("s", replica);
        Sink<Integer, Integer> counting = new Sink<>() {
            @Override
            public String name() {
                return "s";
            }

            @Override
            public void write(List<Envelope<Integer, Integer>> batch) throws InterruptedException {
                synchronized (written) {
                    written.add(batch.size());
                }
                Thread.sleep(20); // slow: the ring fills with updates of the hot key
                real.write(batch);
            }
        };
        try (Replicator<Integer, Integer> r = Replicator.<Integer, Integer>builder()
            .source(new VersionedMapSource<>(source, "n1")).sink(counting).batchSize(100_000).build()) {
            r.start();
            assertTrue(r.awaitApplied(0, WAIT)); // the (empty) anchor is in: the updates come from the feed
            for (int i = 0; i < 20_000; i++) {
                source.put(7, i);
            }
            assertTrue(r.awaitCaughtUp(WAIT));
            assertEquals(Map.of(7, 19_999), replica);
            assertTrue(r.status().coalesced() > 0, () -> "nothing folded: " + r.status());
            int total;
            synchronized (written) {
                total = written.stream().mapToInt(Integer::intValue).sum();
            }
            assertTrue(total < 20_000, "the sink wrote " + total + " changes for 20,000 updates of one key");
        }
    }
}
