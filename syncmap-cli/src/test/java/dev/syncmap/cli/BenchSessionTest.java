package dev.syncmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.bench.Mix;
import dev.syncmap.cli.bench.Configuration;
import dev.syncmap.cli.bench.Measurement;
import dev.syncmap.cli.bench.Plan;
import dev.syncmap.cli.bench.PlanBuilder;
import dev.syncmap.cli.report.Recommender;
import dev.syncmap.cli.report.ReportWriter;
import dev.syncmap.cli.report.ResultsDocument;
import dev.syncmap.cli.report.ResultsJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.runner.RunnerException;

/** The run loop, with a fake measurer instead of JMH: failures are kept, and an interrupt stops new work. */
class BenchSessionTest {

    private static final List<String> MAPS = List.of("ConcurrentHashMap", "StripedMap", "LockedMap");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private BenchSession session(Plan plan, BenchSession.Measurer measurer) {
        ResultsDocument.Options options = new ResultsDocument.Options(List.of("97:3", "50:50"), List.of(1000),
                List.of(1), List.of("uniform"), plan.maps(), false, null, null, false, false, 0.95, 0, 1, 3, 1, 1,
                false, false, false, null, null, null);
        ResultsDocument.Environment env = new ResultsDocument.Environment("17", "vm", "vendor", "os", "arch", 2,
                "2025-01-01T00:00:00Z", "dev", "1.37", "bench");
        return new BenchSession(plan, dir, env, options,
                new Recommender(0.95, Set.of()::contains, Set.of()::contains, MAPS),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false, log -> measurer);
    }

    private static Plan plan() {
        return new PlanBuilder(MAPS).mixes(List.of(new Mix(97, 3), new Mix(50, 50))).keys(List.of(1000))
                .threads(List.of(1)).latency(false).footprint(false).build();
    }

    private static Measurement fake(Configuration c) {
        return new Measurement(c, "MixBenchmark.ops", 1e6 * (1 + c.map().length()), 1e4, "ops/s", 3, 0.0);
    }

    @Test
    void aFailingConfigurationIsRecordedAndTheRunGoesOn() throws Exception {
        Plan plan = plan();
        List<Configuration> seen = new ArrayList<>();
        int status = session(plan, (c, s, progress) -> {
            seen.add(c);
            progress.accept(1);
            if (c.map().equals("LockedMap") && c.scenario().mix().writes() == 3) {
                throw new RunnerException("fork died");
            }
            return fake(c);
        }).run();
        assertEquals(SyncmapCommand.EXIT_FAILURE, status, "a failed configuration makes the exit status 1");
        assertEquals(plan.configurations(), seen, "every configuration was attempted, in order");
        ResultsDocument doc = ResultsJson.read(dir.resolve(ReportWriter.RESULTS));
        assertFalse(doc.partial());
        assertEquals(plan.configurations().size() - 1, doc.results().size());
        assertEquals(1, doc.failures().size());
        assertTrue(doc.failures().get(0).message().contains("fork died"), doc.failures().toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Failed:"));
    }

    @Test
    void afterAnInterruptNoNewConfigurationStartsAndThePartialReportStands() throws Exception {
        Plan plan = plan();
        BenchSession[] holder = new BenchSession[1];
        List<Configuration> seen = new ArrayList<>();
        holder[0] = session(plan, (c, s, progress) -> {
            seen.add(c);
            if (seen.size() == 3) {
                // What the JVM does on Ctrl-C: the shutdown hook runs while this configuration is measured.
                holder[0].guard().writePartial(new PrintStream(err, true, StandardCharsets.UTF_8));
            }
            return fake(c);
        });
        int status = holder[0].run();
        assertEquals(SyncmapCommand.EXIT_FAILURE, status);
        assertEquals(3, seen.size(), "nothing started after the interrupt");
        ResultsDocument doc = ResultsJson.read(dir.resolve(ReportWriter.RESULTS));
        assertTrue(doc.partial());
        assertEquals(2, doc.results().size(), "what finished before the interrupt");
        assertEquals(plan.configurations().size(), doc.progress().plannedConfigurations());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("interrupted; partial report of 2 of 6"));
    }
}
