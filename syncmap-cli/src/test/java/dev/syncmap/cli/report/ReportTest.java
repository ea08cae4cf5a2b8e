package dev.syncmap.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.cli.bench.Plan;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path dir;

    @Test
    void resultsJsonMatchesItsSchemaAndReadsBack() throws IOException {
        ResultsDocument doc = Fixtures.filledRecorder(new Plan.Needs(true, true)).document(false);
        String json = ResultsJson.toJson(doc);
        assertEquals(Set0.EMPTY, SchemaValidation.validate(json).toString());
        ReportWriter.write(doc, dir);
        ResultsDocument back = ResultsJson.read(dir.resolve(ReportWriter.RESULTS));
        assertEquals(doc, back);
    }

    @Test
    void schemaRejectsADocumentThatBreaksIt() {
        ResultsDocument doc = Fixtures.filledRecorder(Plan.Needs.NONE).document(false);
        String json = ResultsJson.toJson(doc).replace("\"schema\" : \"syncmap-bench/1\"", "\"schema\" : \"other\"")
                .replace("\"ratioToCHM\" : 1.0,", "\"ratioToCHM\" : \"one\",");
        var errors = SchemaValidation.validate(json);
        assertTrue(errors.size() >= 2, errors.toString());
    }

    @Test
    void ratiosAreTakenAgainstTheBaselineInTheSameScenario() {
        ResultsDocument doc = Fixtures.filledRecorder(Plan.Needs.NONE).document(false);
        for (ResultsDocument.Result r : doc.results()) {
            assertNotNull(r.ratioToCHM(), r.toString());
            if (r.map().equals("ConcurrentHashMap")) {
                assertEquals(1.0, r.ratioToCHM());
                assertEquals(0.0, r.ratioError());
            } else if (r.map().equals("StripedMap")) {
                assertEquals(1.4, r.ratioToCHM(), 1e-9);
                // two independent 4 % errors: 1.4 * sqrt(2) * 0.04
                assertEquals(1.4 * Math.sqrt(2) * 0.04, r.ratioError(), 1e-9);
            }
        }
    }

    @Test
    void htmlReportHasChartsTablesRecommendationAndEnvironment() throws IOException {
        ResultsDocument doc = Fixtures.filledRecorder(new Plan.Needs(true, false)).document(false);
        ReportWriter.write(doc, dir);
        String html = Files.readString(dir.resolve(ReportWriter.REPORT));

        // charts: 2 throughput-vs-threads (97:3 and 50:50 at 100k), 1 vs key count (97:3, 2 threads), latency,
        // footprint; each an inline PNG rendered at twice its display size
        List<Charts.Image> charts = Charts.build(doc);
        assertEquals(5, charts.size(), charts.stream().map(Charts.Image::title).toList().toString());
        Matcher m = Pattern.compile("<img alt=\"([^\"]+)\" width=\"860\" height=\"440\" src=\"data:image/png;base64,").matcher(html);
        int found = 0;
        while (m.find()) {
            found++;
        }
        assertEquals(5, found);
        assertFalse(html.contains("Charts could not be drawn"));
        for (Charts.Image c : charts) {
            BufferedImage png = Charts.decode(c);
            assertEquals(2 * c.width(), png.getWidth());
            assertEquals(2 * c.height(), png.getHeight());
            assertTrue(distinctColours(png) > 8, "a chart, not a blank image: " + c.title());
        }
        assertTrue(charts.get(0).title().startsWith("Throughput vs threads — 97:3 · 100k keys"));
        assertTrue(charts.stream().anyMatch(c -> c.title().startsWith("Throughput vs key count — 97:3")));
        assertTrue(charts.stream().anyMatch(c -> c.title().startsWith("Latency percentiles")));
        assertTrue(charts.stream().anyMatch(c -> c.title().startsWith("Memory per entry")));

        // tables, recommendation, environment
        assertTrue(html.contains("<td>StripedMap</td>"));
        assertTrue(html.contains("<td>CopyOnWriteMap</td>"));
        assertTrue(html.contains(HtmlReport.esc(doc.recommendation().headline())));
        assertTrue(html.contains("Needing snapshots: "));
        assertTrue(html.contains("OpenJDK 64-Bit Server VM 17.0.15"));
        assertTrue(html.contains("id=\"latency\""));
        assertTrue(html.contains("id=\"footprint\""));
        assertFalse(html.contains("Partial results"));
        assertFalse(html.contains("<script"), "the report is static");
        assertFalse(html.contains("http://") || html.contains("https://"), "the report needs no network");
    }

    @Test
    void terminalTableShowsEachScenarioWithItsVerdict() {
        ResultsDocument doc = Fixtures.filledRecorder(Plan.Needs.NONE).document(false);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TerminalTable.print(doc, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("97:3 · 100k keys · uniform · 2 threads"), text);
        assertTrue(text.contains("→ StripedMap wins: 1.27× ± 0.07 the throughput of VersionedMap"), text);
        assertTrue(text.contains("1.40× ± 0.08"), text);
        assertTrue(text.contains("Recommendation: StripedMap wins all 8 scenarios outright"), text);
        assertTrue(text.contains("Latency from intended start, open loop"), text);
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    /** Keeps the assertion message readable: an empty set prints as []. */
    private static final class Set0 {
        static final String EMPTY = "[]";
    }
}
