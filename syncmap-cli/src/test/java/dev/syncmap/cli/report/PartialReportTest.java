package dev.syncmap.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.cli.bench.Plan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Ctrl-C path: the shutdown hook writes what finished, marked partial, exactly once. */
class PartialReportTest {

    @TempDir
    Path dir;

    private RunRecorder halfDone() {
        Plan plan = Fixtures.plan(Plan.Needs.NONE);
        RunRecorder r = new RunRecorder(plan, Fixtures.environment(), Fixtures.options(plan), Fixtures.recommender());
        // only the first scenario's contenders finished
        var first = plan.configurations().get(0).scenario();
        plan.configurations().stream().filter(c -> c.scenario().equals(first))
                .forEach(c -> r.add(Fixtures.m(c.map(), first, 1e6 * (1 + c.map().length()), 1e4)));
        return r;
    }

    @Test
    void shutdownHookWritesAPartialReportOfWhatFinished() throws Exception {
        RunRecorder recorder = halfDone();
        ReportGuard guard = new ReportGuard(recorder, dir);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread hook = guard.shutdownHook(new PrintStream(err, true, StandardCharsets.UTF_8));
        hook.start(); // what the JVM does on SIGINT
        hook.join();

        ResultsDocument doc = ResultsJson.read(dir.resolve(ReportWriter.RESULTS));
        assertTrue(doc.partial());
        int planned = recorder.plan().configurations().size();
        assertEquals(planned, doc.progress().plannedConfigurations());
        assertEquals(Fixtures.MAPS.size(), doc.progress().completedConfigurations());
        assertEquals(Fixtures.MAPS.size(), doc.results().size());
        assertEquals(1, doc.recommendation().scenarios().size());
        assertEquals("[]", SchemaValidation.validate(Files.readString(dir.resolve(ReportWriter.RESULTS))).toString());

        String html = Files.readString(dir.resolve(ReportWriter.REPORT));
        assertTrue(html.contains("Partial results."), "banner");
        assertTrue(html.contains("after " + Fixtures.MAPS.size() + " of " + planned + " configurations"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("interrupted; partial report of "
                + Fixtures.MAPS.size() + " of " + planned));
    }

    @Test
    void theReportIsWrittenOnceWhicheverComesFirst() throws IOException {
        RunRecorder recorder = halfDone();
        ReportGuard guard = new ReportGuard(recorder, dir);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertTrue(guard.writePartial(quiet));
        assertNull(guard.writeFinal(), "the final write must not overwrite the partial report");
        assertFalse(guard.writePartial(quiet));
        assertTrue(ResultsJson.read(dir.resolve(ReportWriter.RESULTS)).partial());

        Path other = dir.resolve("other");
        ReportGuard finished = new ReportGuard(recorder, other);
        ResultsDocument doc = finished.writeFinal();
        assertFalse(doc.partial());
        assertFalse(finished.writePartial(quiet), "a hook after completion must not mark the report partial");
        assertFalse(ResultsJson.read(other.resolve(ReportWriter.RESULTS)).partial());
    }

    @Test
    void partialReportWithNothingFinishedIsStillValid() throws IOException {
        Plan plan = Fixtures.plan(Plan.Needs.NONE);
        RunRecorder empty = new RunRecorder(plan, Fixtures.environment(), Fixtures.options(plan),
                Fixtures.recommender());
        assertTrue(new ReportGuard(empty, dir).writePartial(
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        String json = Files.readString(dir.resolve(ReportWriter.RESULTS));
        assertEquals("[]", SchemaValidation.validate(json).toString());
        assertTrue(Files.readString(dir.resolve(ReportWriter.REPORT)).contains("No results"));
    }
}
