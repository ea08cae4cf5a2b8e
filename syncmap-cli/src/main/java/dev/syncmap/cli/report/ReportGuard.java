package dev.syncmap.cli.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes sure a run writes its report exactly once: either the final report when the run completes, or a
 * partial one when the user interrupts it (Ctrl-C, {@code kill}) and the JVM runs the shutdown hook. Whichever
 * comes first wins; the other does nothing.
 *
 * <p>Thread-safe: the run's thread and the shutdown-hook thread race on one {@link AtomicBoolean}.
 */
public final class ReportGuard {

    private final RunRecorder recorder;
    private final Path outDir;
    private final AtomicBoolean written = new AtomicBoolean();

    /**
     * Creates a guard.
     *
     * @param recorder the run's results so far
     * @param outDir where {@code results.json} and {@code report.html} go
     */
    public ReportGuard(RunRecorder recorder, Path outDir) {
        this.recorder = recorder;
        this.outDir = outDir;
    }

    /**
     * Writes the final report, unless a partial one was already written.
     *
     * @return the document written, or null when the partial report won the race
     * @throws IOException when the files cannot be written
     */
    public ResultsDocument writeFinal() throws IOException {
        if (!written.compareAndSet(false, true)) {
            return null;
        }
        ResultsDocument doc = recorder.document(false);
        ReportWriter.write(doc, outDir);
        return doc;
    }

    /**
     * Writes a report of what finished so far, marked partial, unless a report was already written. Never
     * throws: it runs from a shutdown hook, where an exception would be lost; a failure is printed instead.
     *
     * @param err where to say what was written
     * @return true when this call wrote the report
     */
    public boolean writePartial(PrintStream err) {
        if (!written.compareAndSet(false, true)) {
            return false;
        }
        try {
            ResultsDocument doc = recorder.document(true);
            ReportWriter.write(doc, outDir);
            err.println();
            err.println("syncmap: interrupted; partial report of " + doc.progress().completedConfigurations()
                    + " of " + doc.progress().plannedConfigurations() + " configurations written to "
                    + outDir.resolve(ReportWriter.REPORT));
            return true;
        } catch (IOException | RuntimeException e) {
            err.println("syncmap: interrupted; could not write the partial report to " + outDir + ": " + e);
            return false;
        } finally {
            err.flush();
        }
    }

    /**
     * Creates the shutdown hook that writes the partial report; the caller registers it with
     * {@link Runtime#addShutdownHook(Thread)} before the first measurement.
     *
     * @param err where to say what was written
     * @return the unstarted hook thread
     */
    public Thread shutdownHook(PrintStream err) {
        return new Thread(() -> writePartial(err), "syncmap-partial-report");
    }

    /** Returns whether a report (final or partial) has been written or is being written. */
    public boolean isWritten() {
        return written.get();
    }
}
