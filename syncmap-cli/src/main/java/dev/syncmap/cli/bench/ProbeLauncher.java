package dev.syncmap.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Starts {@link ProbeMain} in a child JVM with this JVM's class path, waits for it, and reads its result.
 * The child's output is appended to the run's log file.
 *
 * <p>Not thread-safe: one probe at a time.
 */
public final class ProbeLauncher {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Path logFile;

    /**
     * Creates a launcher.
     *
     * @param logFile the file children's output is appended to
     */
    public ProbeLauncher(Path logFile) {
        this.logFile = logFile;
    }

    /**
     * Measures latency in a child JVM.
     *
     * @param r the run
     * @return the percentiles
     * @throws IOException when the child fails, times out, or writes no result
     * @throws InterruptedException when interrupted while waiting (the child is then killed)
     */
    public LatencyMeasurement latency(Plan.LatencyRun r) throws IOException, InterruptedException {
        return launch(LatencyMeasurement.class, r.duration().toMillis() + 120_000, "latency", r.map(),
                Integer.toString(r.keys()), r.dist().toString(), Double.toString(r.targetOpsPerSecond()),
                Integer.toString(r.threads()), Long.toString(r.duration().toMillis()));
    }

    /**
     * Measures memory per entry of several contenders at one key count, in one child JVM.
     *
     * @param keys the number of entries
     * @param maps the contenders
     * @param measured receives each contender's result
     * @param failed receives each contender that could not be measured, with the reason
     * @throws IOException when the child fails, times out, or writes no result
     * @throws InterruptedException when interrupted while waiting (the child is then killed)
     */
    public void footprint(int keys, List<String> maps, Consumer<FootprintMeasurement> measured,
                          BiConsumer<String, String> failed) throws IOException, InterruptedException {
        ProbeMain.FootprintOutcome[] outcomes = launch(ProbeMain.FootprintOutcome[].class,
                60_000L + 60_000L * maps.size(), "footprint", Integer.toString(keys), String.join(",", maps));
        for (ProbeMain.FootprintOutcome o : outcomes) {
            if (o.bytesPerEntry() != null) {
                measured.accept(new FootprintMeasurement(o.map(), o.keys(), o.bytesPerEntry()));
            } else {
                failed.accept(o.map(), o.error());
            }
        }
    }

    private <T> T launch(Class<T> type, long timeoutMillis, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("syncmap-probe", ".json");
        try {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            // No -Djdk.attach.allowAttachSelf: JOL's own object model gives the same sizes here, and attaching its
            // agent makes every walk slower.
            command.add(ProbeMain.class.getName());
            command.addAll(List.of(args));
            command.add(out.toString());
            File log = logFile.toFile();
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                    .start();
            try {
                if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                    throw new IOException(args[0] + " " + args[1] + " did not finish within "
                            + timeoutMillis / 1000 + " s");
                }
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            if (p.exitValue() != 0) {
                throw new IOException(args[0] + " " + args[1] + " failed with exit status " + p.exitValue()
                        + " (see " + logFile.getFileName() + ")");
            }
            if (Files.size(out) == 0) {
                throw new IOException(args[0] + " " + args[1] + " wrote no result");
            }
            return JSON.readValue(out.toFile(), type);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
