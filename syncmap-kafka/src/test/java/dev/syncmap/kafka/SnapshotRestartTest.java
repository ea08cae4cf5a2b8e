package dev.syncmap.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import dev.syncmap.copy.Codecs;

import org.junit.jupiter.api.Test;

/**
 * Restart from a snapshot file against the real broker. The oracle is pause-and-compare: a node restarted from
 * its file must equal a node that ran throughout and a new node that rebuilt from the whole topic, with writes
 * (puts, updates, removals) made while it was down. A truncated, corrupted or foreign file is refused and the
 * node rebuilds from the topic. The broken control stores offsets past what its saved state covers; the oracle
 * must see the records it skipped.
 */
class SnapshotRestartTest extends WithBroker {

    @Test
    void aRestartFromItsFileEqualsAFullRebuildAndANodeThatRanThroughout() throws Exception {
        Path file = dir.resolve("restart.snapshot");
        try (Nodes<Integer, String> nodes = Nodes.lww(broker.bootstrapServers(), "snap-restart", Codecs.INTEGER,
            Codecs.STRING)) {
            ReplicatedMap<Integer, String> survivor = savedRun(nodes, nodes.builder("restarter"), file, 600);

            writeWhileDown(survivor, 400, 800);

            ReplicatedMap<Integer, String> restarted = nodes.start(nodes.builder("restarter").snapshotFile(file));
            ReplicatedMap<Integer, String> rebuilt = nodes.start("rebuilt");
            assertTrue(restarted.restoredFromSnapshot(), "the file was loaded");
            assertEquals(0, restarted.snapshotRejections());
            Map<Integer, String> converged = nodes.assertConverged("after the restart");
            assertEquals(converged, new HashMap<>(rebuilt.snapshot()));
            assertTrue(restarted.applier().appliedRecords() < rebuilt.applier().appliedRecords(),
                () -> "the restarted node read only what came after its file: " + restarted.applier()
                    .appliedRecords() + " records against " + rebuilt.applier().appliedRecords());

            // saved on demand while running, and loaded again
            writeRound(survivor, restarted, 2_000, 100);
            nodes.assertConverged("before the second save");
            assertTrue(restarted.saveSnapshot() >= converged.size());
            stop(nodes, restarted);
            writeWhileDown(survivor, 2_000, 2_200);
            ReplicatedMap<Integer, String> again = nodes.start(nodes.builder("restarter").snapshotFile(file));
            assertTrue(again.restoredFromSnapshot());
            nodes.assertConverged("after the second restart");
        }
    }

    @Test
    void aTruncatedCorruptedOrForeignFileIsRefusedAndTheNodeRebuildsFromTheTopic() throws Exception {
        Path good = dir.resolve("refused.snapshot");
        try (Nodes<Integer, String> nodes = Nodes.lww(broker.bootstrapServers(), "snap-refused", Codecs.INTEGER,
            Codecs.STRING)) {
            savedRun(nodes, nodes.builder("saver"), good, 300);
            byte[] bytes = Files.readAllBytes(good);

            Path truncated = dir.resolve("truncated.snapshot");
            Files.write(truncated, Arrays.copyOf(bytes, bytes.length * 2 / 3));
            Path corrupted = dir.resolve("corrupted.snapshot");
            byte[] flipped = bytes.clone();
            flipped[bytes.length / 2] ^= 0x10;
            Files.write(corrupted, flipped);
            Path foreign = dir.resolve("foreign.snapshot");
            try (Nodes<Integer, String> other = Nodes.lww(broker.bootstrapServers(), "snap-foreign",
                Codecs.INTEGER, Codecs.STRING)) {
                ReplicatedMap<Integer, String> o = other.start(other.builder("foreigner").snapshotFile(foreign));
                o.put(1, "elsewhere");
                other.assertConverged("foreign");
            }

            for (Path f : new Path[] {truncated, corrupted, foreign}) {
                ReplicatedMap<Integer, String> n = nodes.start(nodes.builder("refuser").snapshotFile(f));
                assertFalse(n.restoredFromSnapshot(), () -> f + " must be refused");
                assertEquals(1, n.snapshotRejections(), f.toString());
                assertTrue(Files.exists(f.resolveSibling(f.getFileName() + ".rejected")), "moved aside");
                nodes.assertConverged("after refusing " + f.getFileName());
                stop(nodes, n);
            }
        }
    }

    @Test
    void offsetsStoredPastWhatTheStateCoversAreCaught() throws Exception {
        Path file = dir.resolve("control.snapshot");
        try (Nodes<Integer, String> nodes = Nodes.lww(broker.bootstrapServers(), "snap-control", Codecs.INTEGER,
            Codecs.STRING)) {
            ReplicatedMap<Integer, String> survivor = savedRun(nodes,
                nodes.builder("control").snapshotOffsetsAheadForControl(5), file, 300);
            writeWhileDown(survivor, 1_000, 1_200); // 200 new keys: every partition gets more than 5
            ReplicatedMap<Integer, String> restarted = nodes.start(nodes.builder("control").snapshotFile(file));
            assertTrue(restarted.restoredFromSnapshot());
            for (ReplicatedMap<Integer, String> n : nodes.all) {
                assertTrue(n.awaitCaughtUp(Nodes.CONVERGE));
            }
            assertNotEquals(new HashMap<>(survivor.snapshot()), new HashMap<>(restarted.snapshot()),
                "the oracle must notice records skipped by offsets past the saved state");
        }
    }

    /**
     * Starts a node that runs throughout and one from {@code saver} with the snapshot file; both write keys
     * {@code [0, n)}; once they agree, the second one is closed, which saves its file. Returns the first.
     */
    private static ReplicatedMap<Integer, String> savedRun(Nodes<Integer, String> nodes,
                                                           ReplicatedMap.Builder<Integer, String> saver, Path file,
                                                           int n) throws Exception {
        ReplicatedMap<Integer, String> survivor = nodes.start("survivor");
        ReplicatedMap<Integer, String> node = nodes.start(saver.snapshotFile(file));
        assertFalse(node.restoredFromSnapshot(), "no file yet");
        writeRound(survivor, node, 0, n);
        nodes.assertConverged("before the restart");
        stop(nodes, node);
        assertTrue(Files.exists(file), "close saves the file");
        return survivor;
    }

    /** Both nodes write keys {@code [from, from + n)}; every fifth key written is removed again. */
    private static void writeRound(ReplicatedMap<Integer, String> a, ReplicatedMap<Integer, String> b, int from,
                                   int n) {
        for (int k = from; k < from + n; k++) {
            (k % 2 == 0 ? a : b).put(k, "v" + k);
        }
        for (int k = from; k < from + n; k += 5) {
            (k % 3 == 0 ? b : a).remove(k);
        }
    }

    /** While the other node is down: updates and removals of old keys, new keys up to {@code to}. */
    private static void writeWhileDown(ReplicatedMap<Integer, String> survivor, int from, int to) {
        for (int k = 0; k < 200; k += 3) {
            survivor.put(k, "updated" + k);
        }
        for (int k = 1; k < 200; k += 7) {
            survivor.remove(k);
        }
        for (int k = from; k < to; k++) {
            survivor.put(k, "down" + k);
        }
    }

    private static void stop(Nodes<Integer, String> nodes, ReplicatedMap<Integer, String> node) {
        node.close();
        nodes.all.remove(node);
    }
}
