package dev.syncmap.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.syncmap.copy.Codec;
import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.Outcome;
import dev.syncmap.replicate.PnCount;
import dev.syncmap.replicate.ResolutionStats;
import dev.syncmap.replicate.Resolvers;

import io.micrometer.core.instrument.Gauge;

import org.junit.jupiter.api.Test;

/**
 * Active-active convergence through a real broker: nodes write concurrently to overlapping keys, pause, and
 * every node's view must be equal (pause-and-compare); counters must equal the exact sum of the increments the
 * writers made; a node started during the writes must converge too. The broken control (a node that ignores its
 * own records) must be caught by the same oracle.
 */
class ReplicatedMapConvergenceTest extends WithBroker {

    static final Codec<PnCount> PN = Codec.of("test.pncount", (v, out) -> {
        out.writeLong(v.increments());
        out.writeLong(v.decrements());
    }, in -> new PnCount(in.readLong(), in.readLong()));


    /** Runs writers on the given nodes for a while (puts, removals, merges over {@code keys} keys). */
    static void writeLww(List<ReplicatedMap<Integer, String>> nodes, long millis, int keys) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> ts = new ArrayList<>();
        for (ReplicatedMap<Integer, String> n : nodes) {
            for (int t = 0; t < 2; t++) {
                Thread th = new Thread(() -> {
                    try {
                        ThreadLocalRandom r = ThreadLocalRandom.current();
                        while (!stop.get()) {
                            int k = r.nextInt(keys);
                            int op = r.nextInt(10);
                            if (op < 6) {
                                n.put(k, n.origin() + ":" + r.nextInt(1000));
                            } else if (op < 8) {
                                n.remove(k);
                            } else {
                                n.merge(k, "m", (a, b) -> a.length() > 40 ? b : a + b);
                            }
                            if (r.nextInt(3) == 0) {
                                // a few thousand writes a second per thread: a publisher that keeps up stamps
                                // writes close to when they were made, so every node wins some keys
                                Thread.sleep(1);
                            }
                        }
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                th.start();
                ts.add(th);
            }
        }
        Thread.sleep(millis);
        stop.set(true);
        for (Thread th : ts) {
            th.join();
        }
        if (failed.get() != null) {
            throw new AssertionError("a writer failed", failed.get());
        }
    }

    @Test
    void threeNodesWritingOverlappingKeysConverge() throws Exception {
        try (Nodes<Integer, String> nodes = Nodes.lww(broker.bootstrapServers(), "lww", Codecs.INTEGER,
            Codecs.STRING)) {
            for (int i = 0; i < 3; i++) {
                nodes.start("node-" + i);
            }
            for (int round = 0; round < 2; round++) {
                writeLww(nodes.all, 1_000, 150);
                Map<Integer, String> state = nodes.assertConverged("" + round);
                assertFalse(state.isEmpty(), "the writers wrote nothing that survived");
            }
            // the writes really overlapped: every node resolved conflicts between origins both ways
            for (ReplicatedMap<Integer, String> n : nodes.all) {
                ResolutionStats st = n.resolutionStats();
                assertTrue(st.count(Outcome.WON) > 0 && st.count(Outcome.LOST) > 0, () -> n + ": " + st);
            }
        }
    }

    @Test
    void aNodeStartedDuringTheWritesBootstrapsAndConverges() throws Exception {
        try (Nodes<Integer, String> nodes = Nodes.lww(broker.bootstrapServers(), "bootstrap", Codecs.INTEGER,
            Codecs.STRING)) {
            nodes.start("node-a");
            nodes.start("node-b");
            writeLww(nodes.all, 600, 2_000); // content the new node must read from the topic
            List<ReplicatedMap<Integer, String>> writers = List.copyOf(nodes.all);
            Thread late = new Thread(() -> {
                try {
                    Thread.sleep(200);
                    nodes.start("node-c");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AtomicReference<Throwable> lateFailure = new AtomicReference<>();
            late.setUncaughtExceptionHandler((t, e) -> lateFailure.set(e));
            late.start();
            writeLww(writers, 1_000, 2_000);
            late.join();
            if (lateFailure.get() != null) {
                throw new AssertionError("the late node failed to start", lateFailure.get());
            }
            assertEquals(3, nodes.all.size());
            writeLww(nodes.all, 300, 2_000); // and the new node writes too
            nodes.assertConverged("after bootstrap");
            for (ReplicatedMap<Integer, String> n : nodes.all) { // caught up: the exported lag comes down to 0
                Gauge lag = n.publisher().meterRegistry().get("syncmap.kafka.lag.records").gauge();
                long deadline = System.nanoTime() + Nodes.CONVERGE.toNanos();
                while (lag.value() != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(0.0, lag.value(), n + " still reports lag");
                assertEquals(0, n.applier().lagMillis(System.currentTimeMillis()));
            }
        }
    }

    @Test
    void countersEqualTheExactSumOfAllIncrements() throws Exception {
        ConcurrentHashMap<String, Long> expected = new ConcurrentHashMap<>();
        try (Nodes<String, PnCount> nodes = new Nodes<>(broker.bootstrapServers(), ChangelogTopic.named("counters"),
            Codecs.STRING, PN, Resolvers.pnCounter())) {
            for (int i = 0; i < 3; i++) {
                nodes.start("node-" + i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> ts = new ArrayList<>();
            for (ReplicatedMap<String, PnCount> n : nodes.all) {
                Thread th = new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        String k = "c" + r.nextInt(20);
                        long delta = r.nextInt(21) - 10;
                        n.merge(k, PnCount.of(delta), PnCount::plus);
                        expected.merge(k, delta, Long::sum);
                    }
                });
                th.start();
                ts.add(th);
            }
            Thread.sleep(1_500);
            stop.set(true);
            for (Thread th : ts) {
                th.join();
            }
            Map<String, PnCount> state = nodes.assertConverged("counters");
            Map<String, Long> values = new HashMap<>();
            state.forEach((k, v) -> values.put(k, v.value()));
            assertEquals(new HashMap<>(expected), values, "0 lost, 0 doubled");
        }
    }

    /**
     * Broken control: a node whose applier skips its own records (the obvious way to avoid echo, when the view is
     * fed by the log) never shows its own writes, and the oracle must see it differ.
     */
    @Test
    void aNodeThatSkipsItsOwnRecordsIsCaught() throws Exception {
        try (Nodes<Integer, String> nodes = Nodes.lww(broker.bootstrapServers(), "control", Codecs.INTEGER,
            Codecs.STRING)) {
            nodes.start("node-a");
            nodes.start(nodes.builder("node-b").skipOwnRecordsForControl());
            writeLww(nodes.all, 500, 100);
            for (ReplicatedMap<Integer, String> n : nodes.all) {
                assertTrue(n.awaitCaughtUp(Nodes.CONVERGE));
            }
            assertNotEquals(new HashMap<>(nodes.all.get(0).snapshot()), new HashMap<>(nodes.all.get(1).snapshot()),
                "the oracle must notice a node that skips its own records");
        }
    }
}
