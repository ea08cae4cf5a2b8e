package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.syncmap.VersionedMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill and restart: the replicator runs in a child JVM ({@link KillRestartChild}) that is killed with
 * {@code kill -9} under load, after some checkpoints exist and while the sink holds changes past the last one,
 * then started again from its checkpoint; the source is rebuilt by replaying the same deterministic ops
 * ({@link DeterministicOps}), the replica is a file ({@link LoggedReplicaSink}). The oracle replays the file and
 * compares it with the ops' expected content: nothing lost, nothing extra, no write applied twice.
 *
 * <p>Two honest runs (the restart resumes from the checkpoint without an anchor; the history is too short and the
 * restart re-anchors) and two broken controls the oracle must catch (a sink that forgets its version table
 * applies the replay twice; a checkpoint that claims more than the sink wrote loses changes).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KillAndRestartTest {

    static final int OPS = 100_000;
    static final int PRE_OPS = 1_000;
    static final int RATE = 40_000;
    static final long MIN_CHECKPOINT = 15_000;
    static final long LARGE_HISTORY = 1 << 20;
    static final long SMALL_HISTORY = 20_000;
    static final long KILL_WAIT_MS = 40_000;
    static final long RESTART_WAIT_MS = 90_000;
    static final int SIGKILL_EXIT = 128 + 9;

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void reapChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** What one kill-and-restart showed. */
    record Outcome(long checkpointAtKill, long logAtKill, String restartOutput, ReplicaLog.Verdict verdict) {
        String reason() {
            Matcher m = Pattern.compile("DONE .* reason=(.*)").matcher(restartOutput);
            return m.find() ? m.group(1).trim() : "?";
        }

        long rebuilt() {
            Matcher m = Pattern.compile("DONE .* rebuilt=(\\d+)").matcher(restartOutput);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }
    }

    /** When to kill: given the checkpoint and the log's last revision. */
    interface KillWhen {
        boolean test(long checkpoint, long logRevision);
    }

    @Test
    void restartsFromItsCheckpointAfterKill9WithNothingLostOrDoubled() throws Exception {
        Outcome o = killAndRestart(0xC0FFEEL, LARGE_HISTORY, 0, true, (cp, log) -> log > cp, cp -> cp);
        assertTrue(o.checkpointAtKill() <= o.logAtKill(), () -> "checkpoint " + o.checkpointAtKill()
            + " claims more than the replica holds (" + o.logAtKill() + ")");
        assertEquals("null", o.reason(), "the restart should resume from the checkpoint without an anchor: "
            + o.restartOutput());
        assertTrue(o.rebuilt() > 0, o::restartOutput);
        assertTrue(o.verdict().clean(), () -> "oracle: " + o.verdict());
    }

    @Test
    void reanchorsAfterKill9WhenTheHistoryNoLongerHoldsTheCheckpoint() throws Exception {
        Outcome o = killAndRestart(0xBEEFL, SMALL_HISTORY, 0, true, (cp, log) -> log > cp,
            cp -> cp + 2 * SMALL_HISTORY + 1);
        assertTrue(o.checkpointAtKill() <= o.logAtKill(), () -> "checkpoint " + o.checkpointAtKill()
            + " claims more than the replica holds (" + o.logAtKill() + ")");
        assertTrue(o.reason().contains("older than the source's retained history"),
            () -> "the restart should re-anchor: " + o.restartOutput());
        assertTrue(o.verdict().clean(), () -> "oracle: " + o.verdict());
    }

    /** Broken control: a replica that does not keep its version table applies the replayed changes again. */
    @Test
    void brokenControlASinkThatForgetsItsVersionsIsCaughtApplyingTwice() throws Exception {
        Outcome o = killAndRestart(0xD0D0L, LARGE_HISTORY, 0, false, (cp, log) -> log > cp + 100, cp -> cp);
        assertFalse(o.verdict().doubles().isEmpty(), () -> "the oracle must see writes applied twice: "
            + o.verdict());
    }

    /** Broken control: a checkpoint that claims revisions the sink has not written loses them. */
    @Test
    void brokenControlACheckpointAheadOfTheSinkIsCaughtLosingChanges() throws Exception {
        Outcome o = killAndRestart(0xFADEL, LARGE_HISTORY, 5_000, true, (cp, log) -> log >= 0 && log + 500 < cp,
            cp -> cp);
        assertEquals("null", o.reason(), o::restartOutput);
        assertTrue(o.verdict().lostSomething(), () -> "the oracle must see lost changes: " + o.verdict());
    }

    private Outcome killAndRestart(long seed, long history, long lie, boolean rebuild, KillWhen killWhen,
                                   LongUnaryOperator preRevision) throws Exception {
        Path log = dir.resolve("replica.log");
        FileCheckpointStore checkpoints = new FileCheckpointStore(dir.resolve("checkpoints"));
        List<String> common = List.of("dir=" + dir, "seed=" + seed, "rate=" + RATE, "checkpointMs=100");

        // run 1: killed under load. It writes on past OPS (it never finishes on its own before the kill, however
        // slow the machine), with a history that holds everything (the restart's history is what is under test).
        Path out1 = dir.resolve("child-1.out");
        List<String> args1 = new ArrayList<>(common);
        args1.add("ops=" + 10 * OPS);
        args1.add("history=" + LARGE_HISTORY);
        args1.add("preOps=" + PRE_OPS);
        if (lie != 0) {
            args1.add("lie=" + lie);
        }
        Process p1 = startChild(args1, out1);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MS);
        while (true) {
            if (!p1.isAlive()) {
                fail("the child exited (" + p1.exitValue() + ") before it was killed:\n" + read(out1));
            }
            long cp = checkpoint(checkpoints);
            long last = ReplicaLog.lastRevision(log);
            if (cp >= MIN_CHECKPOINT && killWhen.test(cp, last)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                fail("no moment to kill within " + KILL_WAIT_MS + " ms (checkpoint " + cp + ", log at " + last
                    + "):\n" + read(out1));
            }
            Thread.sleep(5);
        }
        p1.destroyForcibly(); // SIGKILL on Linux
        assertTrue(p1.waitFor(30, TimeUnit.SECONDS), "the killed child did not go away");
        assertEquals(SIGKILL_EXIT, p1.exitValue(), () -> "exit status of a kill -9: " + read(out1));
        assertFalse(read(out1).contains("WRITER_DONE"), () -> "the child had finished writing before the kill;"
            + " the kill was not under load:\n" + read(out1));
        // run 1's writer was still at work; run 2 replays the same ops, so its source has the same revisions
        long cpAtKill = checkpoint(checkpoints);
        long logAtKill = ReplicaLog.lastRevision(log);
        assertTrue(cpAtKill >= MIN_CHECKPOINT, "no checkpoint before the kill");

        // run 2: restarted from the checkpoint, runs the ops to the end, stops cleanly
        Path out2 = dir.resolve("child-2.out");
        Map<Integer, String> expected = new DeterministicOps(seed).expectedAfter(OPS);
        long start = preRevision.applyAsLong(cpAtKill);
        long last = finalRevision(seed);
        assertTrue(start < last, () -> "the restart would start at revision " + start + ", past the last op's"
            + " revision " + last + ": the kill came too late");
        List<String> args2 = new ArrayList<>(common);
        args2.add("ops=" + OPS);
        args2.add("history=" + history);
        args2.add("preRevision=" + start);
        args2.add("rebuild=" + rebuild);
        Process p2 = startChild(args2, out2);
        if (!p2.waitFor(RESTART_WAIT_MS, TimeUnit.MILLISECONDS)) {
            fail("the restarted child did not finish within " + RESTART_WAIT_MS + " ms:\n" + read(out2));
        }
        String output = read(out2);
        assertEquals(0, p2.exitValue(), () -> "the restarted child failed:\n" + output);
        assertTrue(output.contains("DONE "), output);

        ReplicaLog.Verdict verdict = ReplicaLog.judge(ReplicaLog.read(log), expected);
        Outcome o = new Outcome(cpAtKill, logAtKill, output, verdict);
        System.out.printf("kill-restart seed=%x history=%d lie=%d rebuild=%b: killed at checkpoint %d, replica at %d;"
            + " restart: %s; oracle: %s%n", seed, history, lie, rebuild, cpAtKill, logAtKill,
            output.lines().filter(l -> l.startsWith("DONE")).findFirst().orElse("?"), verdict);
        return o;
    }

    /** The source's revision after ops 1..OPS. */
    private static long finalRevision(long seed) {
        VersionedMap<Integer, String> m = new VersionedMap<>();
        DeterministicOps ops = new DeterministicOps(seed);
        for (int i = 1; i <= OPS; i++) {
            ops.apply(m, i);
        }
        return m.revision();
    }

    private static long checkpoint(FileCheckpointStore store) throws IOException {
        Optional<Checkpoint> cp = store.load("replica");
        return cp.map(Checkpoint::revision).orElse(-1L);
    }

    private Process startChild(List<String> args, Path out) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KillRestartChild.class.getName());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        children.add(p);
        assertNotNull(p);
        return p;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
