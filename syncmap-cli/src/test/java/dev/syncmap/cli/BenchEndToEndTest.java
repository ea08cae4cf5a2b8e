package dev.syncmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.cli.report.ReportWriter;
import dev.syncmap.cli.report.ResultsDocument;
import dev.syncmap.cli.report.ResultsJson;
import dev.syncmap.cli.report.SchemaValidation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real, tiny {@code syncmap bench} run: JMH forks, the GC profiler, the latency and footprint probes, and the
 * report. About 15 s on 2 cores. Tagged {@code jmh}; exclude with {@code -DexcludedGroups=jmh}.
 */
@Tag("jmh")
class BenchEndToEndTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void tinyRealRunWritesSchemaValidResultsAndAReportWithCharts() throws Exception {
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int status;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            status = SyncmapCommand.newCommandLine(new PrintWriter(new StringWriter(), true),
                    new PrintWriter(err, true)).execute("bench", "--maps", "ConcurrentHashMap", "--mix", "97:3",
                    "--keys", "1k", "--threads", "1,2", "--warmup-iterations", "0", "--iterations", "3",
                    "--iteration-time", "100ms", "--latency-duration", "200ms", "--latency-rate", "10000",
                    "--need-snapshots", "--out", out.toString(), "--json");
        } finally {
            System.setOut(original);
        }
        String printed = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err + printed);

        String json = Files.readString(out.resolve(ReportWriter.RESULTS));
        assertEquals("[]", SchemaValidation.validate(json).toString(), json);
        assertEquals(json, printed, "--json prints results.json");

        ResultsDocument doc = ResultsJson.read(out.resolve(ReportWriter.RESULTS));
        assertFalse(doc.partial());
        assertEquals(2, doc.results().size());
        for (ResultsDocument.Result r : doc.results()) {
            assertTrue(r.score() > 0, r.toString());
            assertNotNull(r.error(), "3 iterations give an error");
            assertEquals(3, r.iterations());
            assertNotNull(r.allocBytesPerOp(), "-prof gc is on by default");
            assertEquals(1.0, r.ratioToCHM());
            assertEquals("ops/s", r.unit());
        }
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores > 1 ? 2 : 1, doc.latency().size(), "latency at 1 thread and at the core count");
        assertEquals(1, doc.latency().get(0).threads());
        assertEquals(cores, doc.latency().get(doc.latency().size() - 1).threads());
        for (var l : doc.latency()) {
            assertTrue(l.count() > 0, l.toString());
            assertNotNull(l.p99GcShare(), "the tail's attribution is measured: " + l);
            assertTrue(l.p99GcShare() >= 0 && l.p99GcShare() <= 1, l.toString());
        }
        assertEquals(1, doc.footprint().size());
        assertTrue(doc.footprint().get(0).bytesPerEntry() > 16, doc.footprint().toString());
        assertEquals(1, doc.recommendation().requirements().size());

        String html = Files.readString(out.resolve(ReportWriter.REPORT));
        // throughput vs threads, latency, footprint
        assertEquals(3, html.split("src=\"data:image/png;base64,", -1).length - 1, "charts");
        assertTrue(html.contains("<td>ConcurrentHashMap</td>"));
        assertTrue(Files.size(out.resolve("bench.log")) > 0);
    }
}
