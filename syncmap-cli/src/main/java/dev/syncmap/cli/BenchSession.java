package dev.syncmap.cli;

import dev.syncmap.cli.bench.Configuration;
import dev.syncmap.cli.bench.Failure;
import dev.syncmap.cli.bench.JmhMixRunner;
import dev.syncmap.cli.bench.KeyCount;
import dev.syncmap.cli.bench.Measurement;
import dev.syncmap.cli.bench.Plan;
import dev.syncmap.cli.bench.ProbeLauncher;
import dev.syncmap.cli.bench.RunSettings;
import dev.syncmap.cli.report.Recommender;
import dev.syncmap.cli.report.ReportGuard;
import dev.syncmap.cli.report.ReportWriter;
import dev.syncmap.cli.report.ResultsDocument;
import dev.syncmap.cli.report.ResultsJson;
import dev.syncmap.cli.report.RunRecorder;
import dev.syncmap.cli.report.TerminalTable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.openjdk.jmh.runner.RunnerException;

/**
 * One {@code syncmap bench} run: executes the plan one configuration at a time, shows progress, records each
 * result as it finishes, and writes the report — the final one at the end, or a partial one from a shutdown
 * hook when interrupted.
 *
 * <p>The progress bar counts estimated milliseconds: each finished JMH iteration advances it by the iteration's
 * length, and each finished configuration brings it to that configuration's planned end, absorbing the JVM
 * start-up and set-up time. The ETA therefore tracks the machine's real speed after the first few
 * configurations.
 *
 * <p>Not thread-safe: one run, on the calling thread (the shutdown hook only writes through the
 * {@link ReportGuard}).
 */
final class BenchSession {

    /** JMH's and the probes' human-readable log, kept beside the report. */
    static final String LOG = "bench.log";

    /** Measures one configuration; the real one is {@link JmhMixRunner#run}. */
    @FunctionalInterface
    interface Measurer {
        Measurement measure(Configuration c, RunSettings settings, LongConsumer iterationDone)
                throws RunnerException;
    }

    private final Plan plan;
    private final Path outDir;
    private final RunRecorder recorder;
    private final ReportGuard guard;
    private final Function<PrintStream, Measurer> measurers;
    private final PrintStream stdout;
    private final PrintStream stderr;
    private final boolean json;

    BenchSession(Plan plan, Path outDir, ResultsDocument.Environment environment, ResultsDocument.Options options,
                 Recommender recommender, PrintStream stdout, PrintStream stderr, boolean json) {
        this(plan, outDir, environment, options, recommender, stdout, stderr, json, log -> new JmhMixRunner(log)::run);
    }

    /** For tests: measures through the given factory (called with the log stream) instead of JMH. */
    BenchSession(Plan plan, Path outDir, ResultsDocument.Environment environment, ResultsDocument.Options options,
                 Recommender recommender, PrintStream stdout, PrintStream stderr, boolean json,
                 Function<PrintStream, Measurer> measurers) {
        this.plan = plan;
        this.outDir = outDir;
        this.recorder = new RunRecorder(plan, environment, options, recommender);
        this.guard = new ReportGuard(recorder, outDir);
        this.stdout = stdout;
        this.stderr = stderr;
        this.json = json;
        this.measurers = measurers;
    }

    /** Returns the guard whose shutdown hook writes the partial report (tests call it as the JVM would). */
    ReportGuard guard() {
        return guard;
    }

    /**
     * Runs the plan.
     *
     * @return the exit status: 0 when everything produced a result, 1 when something failed (the report is
     *         written either way)
     * @throws IOException when the output folder or the report cannot be written
     */
    int run() throws IOException {
        Files.createDirectories(outDir);
        Path logFile = outDir.resolve(LOG);
        Thread hook = guard.shutdownHook(stderr);
        Runtime.getRuntime().addShutdownHook(hook);
        boolean finished = false;
        try (PrintStream log = new PrintStream(new FileOutputStream(logFile.toFile()), true, StandardCharsets.UTF_8);
             ProgressBar bar = progressBar()) {
            bar.setExtraMessage(fixed("starting"));
            Measurer jmh = measurers.apply(log);
            long plannedSoFar = 0;
            int index = 0;
            for (Configuration c : plan.configurations()) {
                if (guard.isWritten()) {
                    break; // interrupted: the shutdown hook is writing the partial report; start nothing new
                }
                index++;
                bar.setExtraMessage(fixed(index + "/" + plan.configurations().size() + " " + c.map() + " "
                        + c.scenario().mix() + " " + KeyCount.format(c.scenario().keys()) + " "
                        + c.scenario().threads() + "t"));
                try {
                    Measurement m = jmh.measure(c, plan.settings(), bar::stepBy);
                    recorder.add(m);
                } catch (RunnerException | RuntimeException e) {
                    log.println("# syncmap: " + c.label() + " failed:");
                    e.printStackTrace(log);
                    recorder.add(new Failure(c.label(), c.map(), c.scenario(), describe(e)));
                }
                plannedSoFar += plan.estimateMillis(c);
                bar.stepTo(plannedSoFar);
            }
            ProbeLauncher probes = new ProbeLauncher(logFile);
            for (Plan.LatencyRun r : plan.latencyRuns()) {
                if (guard.isWritten()) {
                    break;
                }
                bar.setExtraMessage(fixed("latency " + r.map()));
                try {
                    recorder.add(probes.latency(r));
                } catch (IOException | RuntimeException e) {
                    recorder.add(new Failure("latency " + r.map(), r.map(), null, describe(e)));
                }
                plannedSoFar += plan.estimateMillis(r);
                bar.stepTo(plannedSoFar);
            }
            if (!plan.footprintRuns().isEmpty() && !guard.isWritten()) {
                bar.setExtraMessage(fixed("footprint"));
                List<String> maps = plan.footprintRuns().stream().map(Plan.FootprintRun::map).toList();
                try {
                    probes.footprint(plan.footprintRuns().get(0).keys(), maps, recorder::add,
                            (map, why) -> recorder.add(new Failure("footprint " + map, map, null, why)));
                } catch (IOException | RuntimeException e) {
                    for (String map : maps) {
                        recorder.add(new Failure("footprint " + map, map, null, describe(e)));
                    }
                }
                plannedSoFar += plan.estimateFootprintMillis();
                bar.stepTo(plannedSoFar);
            }
            bar.setExtraMessage(fixed(guard.isWritten() ? "interrupted" : "done"));
            finished = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!finished) {
                guard.writePartial(stderr);
            }
        }
        ResultsDocument doc = guard.writeFinal();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            return SyncmapCommand.EXIT_FAILURE; // the hook owns the report now
        }
        if (doc == null) {
            return SyncmapCommand.EXIT_FAILURE;
        }
        if (json) {
            stdout.print(ResultsJson.toJson(doc));
        } else {
            TerminalTable.print(doc, stdout);
            stdout.println();
            stdout.println("Wrote " + outDir.resolve(ReportWriter.RESULTS) + " and "
                    + outDir.resolve(ReportWriter.REPORT) + " (JMH log: " + logFile + ")");
        }
        stdout.flush();
        return doc.failures().isEmpty() ? 0 : SyncmapCommand.EXIT_FAILURE;
    }

    private ProgressBar progressBar() {
        return new ProgressBarBuilder()
                .setTaskName("bench")
                .setInitialMax(Math.max(1, plan.estimateMillis()))
                .setUnit(" s", 1000)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setConsumer(new ConsoleProgressBarConsumer(stderr, 120))
                .startsFrom(0, Duration.ZERO)
                .build();
    }

    /** Pads or cuts the bar's message to a fixed width, so that the bar itself does not jump. */
    private static String fixed(String message) {
        int width = 44;
        return message.length() >= width ? message.substring(0, width) : message + " ".repeat(width - message.length());
    }

    /** The failure in one line: the exception's message and its root cause. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (root != e && root.getMessage() != null && !msg.contains(root.getMessage())) {
            msg += ": " + root;
        }
        return SyncmapCommand.oneLine(msg);
    }
}
