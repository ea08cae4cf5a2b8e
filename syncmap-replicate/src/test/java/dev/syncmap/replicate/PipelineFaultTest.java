package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import dev.syncmap.VersionedMap;
import dev.syncmap.testkit.StageFault;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The fault-injection kit applied to every stage of the pipeline: each user-code point (transformer, resolver,
 * sink write, sink flush, conflict listener, checkpoint store) throws each kind of the kit's faults
 * ({@code RuntimeException}, {@code StackOverflowError}, {@code OutOfMemoryError}, an {@code Error} of its own)
 * once, mid-run. The oracle, all with bounded waits: the replicator either recovers by itself (what its contract
 * says it retries or tolerates) and the replica equals the source, or it is {@code FAILED} with the injected
 * throwable as the cause; either way {@code stop} returns, and a replicator started again with healthy code
 * makes the replica equal the source (nothing lost, nothing left half-written).
 */
class PipelineFaultTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    /** Where a fault goes, and whether the replicator is expected to get over it without failing. */
    enum Stage {
        TRANSFORMER, RESOLVER, SINK_WRITE, SINK_FLUSH, CONFLICT_LISTENER, CHECKPOINT_STORE;

        boolean recovers(StageFault f) {
            return switch (this) {
                case TRANSFORMER, RESOLVER -> false;
                case SINK_WRITE, SINK_FLUSH, CHECKPOINT_STORE -> !f.isError(); // exceptions retried, Errors stop
                case CONFLICT_LISTENER -> !f.isError() || f.isStackOverflow(); // counted and logged
            };
        }
    }

    @TestFactory
    Stream<DynamicTest> everyStageSurvivesEveryFault() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            for (StageFault f : StageFault.userCode(stage.name().toLowerCase(java.util.Locale.ROOT))) {
                tests.add(DynamicTest.dynamicTest(f.toString(),
                    () -> assertTimeoutPreemptively(WAIT.multipliedBy(3), () -> run(stage, f))));
            }
        }
        return tests.stream();
    }

    /**
     * Broken control: a sink that catches the failure of its own write and reports success, dropping the batch.
     * The replicator cannot see it, so only the oracle can: the replica must differ from the source.
     */
    @TestFactory
    Stream<DynamicTest> aSinkThatSwallowsAFailureIsCaught() {
        return Stream.of(DynamicTest.dynamicTest("swallowing sink", () -> assertTimeoutPreemptively(
            WAIT.multipliedBy(3), () -> {
                StageFault f = StageFault.userCode("swallowing sink.write").get(0);
                AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                    () -> run(Stage.SINK_WRITE, f, true));
                assertTrue(String.valueOf(e.getMessage()).contains("expected"), e.toString());
            })));
    }

    private void run(Stage stage, StageFault fault) throws Exception {
        run(stage, fault, false);
    }

    private void run(Stage stage, StageFault fault, boolean swallow) throws Exception {
        Path dir = Files.createTempDirectory("syncmap-fault");
        VersionedMap<Integer, String> source = VersionedMap.<Integer, String>builder().historyCount(1 << 20).build();
        for (int i = 0; i < 200; i++) {
            source.put(i, "pre" + i);
        }
        ConcurrentHashMap<Integer, String> replica = new ConcurrentHashMap<>();
        boolean[] armed = {false};
        ConflictResolver<Integer, String> lww = Resolvers.lastWriterWins();
        ConflictResolver<Integer, String> resolver = (k, cur, in) -> {
            if (armed[0] && stage == Stage.RESOLVER) {
                fault.fire();
            }
            return lww.resolve(k, cur, in);
        };
        ConflictListener<Integer, String> listener = (k, s, i, r, o) -> {
            if (armed[0] && stage == Stage.CONFLICT_LISTENER) {
                fault.fire();
            }
        };
        MapReplicaSink<Integer, String> real = new MapReplicaSink<>("s", replica, ResolverPolicy.of(lww), listener,
            Duration.ofHours(1), System::currentTimeMillis);
        // versions from another origin, so that the source's changes to these keys are conflicts
        List<Envelope<Integer, String>> foreign = new ArrayList<>();
        for (int i = 200; i < 250; i += 2) { // keys the anchor does not cover and the writes below do
            foreign.add(Envelope.change("other", 1, 1, i, "foreign", true));
        }
        real.write(foreign);
        Sink<Integer, String> sink = new Sink<>() {
            @Override
            public String name() {
                return "s";
            }

            @Override
            public void write(List<Envelope<Integer, String>> batch) {
                try {
                    if (armed[0] && stage == Stage.SINK_WRITE) {
                        fault.fire();
                    }
                } catch (RuntimeException e) {
                    if (swallow) {
                        return; // the broken control: the batch is dropped and success reported
                    }
                    throw e;
                }
                if (swallow && armed[0] && fault.fired()) {
                    return; // and it goes on losing writes silently, so the loss cannot be overwritten away
                }
                real.write(batch);
            }

            @Override
            public void flush() {
                if (armed[0] && stage == Stage.SINK_FLUSH) {
                    fault.fire();
                }
            }
        };
        FileCheckpointStore files = new FileCheckpointStore(dir);
        CheckpointStore store = new CheckpointStore() {
            @Override
            public Optional<Checkpoint> load(String s) throws IOException {
                return files.load(s);
            }

            @Override
            public void store(String s, Checkpoint c) throws IOException {
                if (armed[0] && stage == Stage.CHECKPOINT_STORE) {
                    fault.fire();
                }
                files.store(s, c);
            }

            @Override
            public void delete(String s) throws IOException {
                files.delete(s);
            }
        };
        Replicator<Integer, String> r = Replicator.<Integer, String>builder().source(new VersionedMapSource<>(source,
                "n1")).sink(sink).resolver(resolver).checkpointStore(store).checkpointInterval(Duration.ZERO)
            .transformer(c -> {
                if (armed[0] && stage == Stage.TRANSFORMER) {
                    fault.fire();
                }
                return c;
            }).retryBackoff(Duration.ofMillis(1), Duration.ofMillis(10)).build();
        try {
            r.start();
            assertTrue(r.awaitCaughtUp(WAIT), () -> "initial anchor: " + r.status());
            armed[0] = true;
            for (int i = 0; i < 400; i++) {
                source.put(i % 250, "v" + i);
                if (i % 9 == 0) {
                    source.remove(i % 250);
                }
            }
            long target = source.revision();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (r.status().state() == Replicator.State.RUNNING && System.nanoTime() < deadline
                && !r.awaitApplied(target, Duration.ofMillis(10))) {
                Thread.onSpinWait();
            }
            while (!fault.fired() && System.nanoTime() < deadline) { // a checkpoint may follow the write
                Thread.sleep(1);
            }
            assertTrue(fault.fired(), "the fault was never reached");
            while (!stage.recovers(fault) && r.status().state() == Replicator.State.RUNNING
                && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            Replicator.Status st = r.status();
            if (stage.recovers(fault)) {
                assertEquals(Replicator.State.RUNNING, st.state(), () -> "expected to recover: " + st);
                assertTrue(r.awaitApplied(target, WAIT), () -> "did not catch up: " + st);
                assertEquals(new HashMap<>(source.snapshot()), replica);
            } else {
                assertEquals(Replicator.State.FAILED, st.state(), () -> "expected to fail: " + st);
                assertTrue(fault.isCauseOf(st.failure()), () -> "failure is not the injected one: " + st.failure());
            }
        } finally {
            r.stop(Replicator.StopMode.DRAIN, WAIT); // returns, fault or not
        }
        // healthy code, same sink and checkpoints: the replica converges
        armed[0] = false;
        try (Replicator<Integer, String> again = Replicator.<Integer, String>builder()
            .source(new VersionedMapSource<>(source, "n1")).sink(sink).resolver(lww).checkpointStore(store).build()) {
            again.start();
            assertTrue(again.awaitCaughtUp(WAIT), () -> "restart did not catch up: " + again.status());
            assertEquals(new HashMap<>(source.snapshot()), replica);
        }
    }
}
