package dev.syncmap.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes {@code results.json} and {@code report.html} into an output folder. Each file is written to a
 * temporary sibling first and moved into place, so a reader (or an interrupted run) never sees half a file.
 *
 * <p>Stateless and thread-safe; concurrent writers to the same folder are the caller's business.
 */
public final class ReportWriter {

    /** The results file's name. */
    public static final String RESULTS = "results.json";
    /** The report file's name. */
    public static final String REPORT = "report.html";

    private ReportWriter() {
    }

    /**
     * Writes both files.
     *
     * @param doc the results
     * @param outDir the folder, created when missing
     * @throws IOException when a file cannot be written
     */
    public static void write(ResultsDocument doc, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        writeAtomically(outDir.resolve(RESULTS), ResultsJson.toJson(doc));
        writeAtomically(outDir.resolve(REPORT), HtmlReport.render(doc));
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
