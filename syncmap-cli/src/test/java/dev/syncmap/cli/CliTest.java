package dev.syncmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Option parsing: every kind of bad input is one line on stderr naming the problem, and exit status 2. */
class CliTest {

    @TempDir
    Path dir;

    /** What a command line did: its exit status and both outputs. */
    record Outcome(int status, String out, String err) {
    }

    /** Runs a command line in this JVM. */
    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = SyncmapCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
        return new Outcome(status, out.toString(), err.toString());
    }

    private static void assertUsageError(Outcome o, String expected) {
        assertEquals(2, o.status(), o.toString());
        List<String> lines = o.err().lines().toList();
        assertEquals(1, lines.size(), "exactly one line on stderr: " + o.err());
        assertTrue(lines.get(0).startsWith("syncmap bench: "), lines.get(0));
        assertTrue(lines.get(0).contains(expected), lines.get(0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--maps=FastMap                      | unknown map 'FastMap'",
        "--maps=ConcurrentHashMap,nope       | unknown map 'nope'",
        "--mix=97-3                          | invalid mix '97-3'",
        "--mix=97:4                          | 97 + 4 = 101, reads and writes must sum to 100",
        "--mix=abc                           | invalid mix 'abc'",
        "--mix=97:3,50:51                    | invalid mix '50:51'",
        "--threads=0                         | invalid thread count 0: must be 1 or more",
        "--threads=-2                        | invalid thread count -2: must be 1 or more",
        "--threads=two                       | invalid thread count 'two'",
        "--keys=10q                          | invalid key count '10q'",
        "--keys=0                            | invalid key count '0'",
        "--dist=gaussian                     | unknown key distribution 'gaussian'",
        "--workload=/no/such/workload.yaml   | workload file '/no/such/workload.yaml' not found",
        "--confidence=1.5                    | confidence must be between 0 and 1",
        "--iteration-time=fast               | invalid duration 'fast'",
        "--forks=-1                          | forks must be 0 or more",
        "--frobnicate                        | Unknown option: '--frobnicate'",
    })
    void badInputIsOneLineAndStatus2(String arg, String expected) {
        assertUsageError(run("bench", arg, "--dry-run"), expected);
    }

    @Test
    void invalidWorkloadFileIsOneLineAndStatus2() throws IOException {
        Path f = Files.writeString(dir.resolve("w.yaml"), "mixes: [97:3]\nthreads: [0]\n");
        assertUsageError(run("bench", "--workload", f.toString(), "--dry-run"), "threads[0]: invalid thread count 0");
        Path g = Files.writeString(dir.resolve("g.yaml"), "maps: [ConcurrentHashMap, Nope]\n");
        assertUsageError(run("bench", "--workload", g.toString(), "--dry-run"), "unknown map 'Nope'");
    }

    @Test
    void validOptionsPlanAndExitZero() throws IOException {
        Path f = Files.writeString(dir.resolve("w.yaml"), "mixes: [99:1]\nneeds: {snapshots: true}\n");
        Outcome o = run("bench", "--mix", "97:3", "--mix", "50:50,90:10", "--keys", "1k,100k", "--threads", "1,2",
                "--dist", "uniform,zipf", "--maps", "ConcurrentHashMap", "--workload", f.toString(), "--no-gc",
                "--no-latency", "--footprint", "--need-feed", "--dry-run");
        assertEquals(0, o.status(), o.toString());
    }

    @Test
    void helpListsTheOptions() {
        Outcome o = run("bench", "--help");
        assertEquals(0, o.status());
        for (String option : new ArrayList<>(List.of("--mix", "--keys", "--threads", "--dist", "--maps", "--quick",
                "--out", "--workload", "--json", "--[no-]latency", "--[no-]footprint", "--[no-]gc", "--need-snapshots",
                "--need-feed"))) {
            assertTrue(o.out().contains(option), option);
        }
    }
}
