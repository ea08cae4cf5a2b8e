package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.syncmap.VersionedMap;

import org.junit.jupiter.api.Test;

/**
 * {@link Sink#anchorRequests}: a sink whose target loses everything asks for an anchor and is made equal to the
 * source again; the control that loses its target without asking stays different (so the oracle can fail).
 */
class AnchorRequestTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    /** A replica that can "lose" its content, like a store restarted empty, and counts the anchors it receives. */
    static final class LosableSink implements Sink<Integer, String> {
        volatile MapReplicaSink<Integer, String> replica = new MapReplicaSink<>("losable", new ConcurrentHashMap<>());
        volatile AnchorRequest request;
        final AtomicInteger anchors = new AtomicInteger();

        @Override
        public String name() {
            return "losable";
        }

        @Override
        public void write(List<Envelope<Integer, String>> batch) {
            for (Envelope<Integer, String> e : batch) {
                if (e.kind() == Envelope.Kind.ANCHOR_END) {
                    anchors.incrementAndGet();
                }
            }
            replica.write(batch);
        }

        @Override
        public void anchorRequests(AnchorRequest r) {
            this.request = r;
        }

        /** Forgets everything it was sent (called from the test thread while the pipeline is settled). */
        void lose() {
            replica = new MapReplicaSink<>("losable", new ConcurrentHashMap<>());
        }
    }

    private static void await(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private static void run(boolean ask) throws Exception {
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().build();
        for (int i = 0; i < 500; i++) {
            source.put(i, "v" + i);
        }
        LosableSink sink = new LosableSink();
        try (Replicator<Integer, String> rep = Replicator.<Integer, String>builder().name("req")
            .source(new VersionedMapSource<>(source, "node-a")).sink(sink).idleInterval(Duration.ofMillis(10))
            .build()) {
            rep.start();
            assertNotNull(sink.request, "the hook is handed over by start()");
            await(() -> sink.anchors.get() >= 1, "the first anchor");
            PauseAndCompareTest.write(source, 1, 100, 500);
            // the writers may end on a clear(): a key the target holds before it loses everything, so the
            // control's target and source cannot be equal by both being (nearly) empty
            source.put(-1, "held before the loss");
            assertTrue(rep.awaitCaughtUp(WAIT));
            assertEquals("held before the loss", sink.replica.replica().get(-1));
            // the writes may have outrun the history and brought re-anchors of their own: count from here
            int anchorsBefore = sink.anchors.get();
            sink.lose();
            if (ask) {
                sink.request.request("test: the target lost its content");
                await(() -> sink.anchors.get() > anchorsBefore, "the requested anchor");
            }
            source.put(1_000, "after"); // something to wait for: the anchor (if any) is before it
            assertTrue(rep.awaitCaughtUp(WAIT));
            if (ask) {
                assertEquals(new HashMap<>(source.snapshot()), new HashMap<>(sink.replica.replica()));
            } else {
                assertNotEquals(new HashMap<>(source.snapshot()), new HashMap<>(sink.replica.replica()),
                    "control: a lost target that does not ask stays different");
            }
        }
    }

    @Test
    void aSinkThatLostItsTargetAsksAndIsReanchored() throws Exception {
        run(true);
    }

    @Test
    void controlWithoutTheRequestStaysDifferent() throws Exception {
        run(false);
    }
}
