package dev.syncmap.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A node in a child JVM, driven through {@link NodeControl} commands on its standard input: the parent's side.
 * A reader thread takes the child's output lines: status lines (starting with {@code [}) are kept as the latest
 * status, every other line is queued for {@link #awaitLine}; all of them are appended to a log file.
 *
 * <p>{@link #kill} is {@code kill -9} ({@link Process#destroyForcibly}); {@link #close} asks for a clean stop and
 * kills the child if it has not exited within 15 s. Not thread-safe, except {@link #status} and the reader.
 */
final class NodeProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Path log;
    private Process process;
    private LinkedBlockingQueue<String> lines;
    private volatile String status = "";
    private volatile long launchedNanos;

    /**
     * A node process, not started.
     *
     * @param name the node's name, for messages
     * @param command the child's command line ({@link ChildBroker#java})
     * @param log where its output goes (appended; restarts included)
     */
    NodeProcess(String name, List<String> command, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
    }

    /**
     * Starts the child (again, after {@link #kill}).
     *
     * @throws IOException if the child cannot be started
     */
    void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        launchedNanos = System.nanoTime();
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        lines = q;
        status = "starting";
        Process p = process;
        Thread reader = new Thread(() -> read(p, q), "syncmap-node-output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void read(Process p, LinkedBlockingQueue<String> q) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                 Charset.defaultCharset()));
             Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                 StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith("[")) {
                    status = line;
                } else {
                    q.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": reading the node's output", e);
        }
    }

    /** Returns the node's name. */
    String name() {
        return name;
    }

    /** Returns the latest status line, or "starting" / "killed". */
    String status() {
        return status;
    }

    /** Returns when the child was last started ({@link System#nanoTime}). */
    long launchedNanos() {
        return launchedNanos;
    }

    /**
     * Sends one command line.
     *
     * @param line the command
     * @throws IOException if the child's input is closed
     */
    void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(Charset.defaultCharset()));
        in.flush();
    }

    /**
     * Waits for the next output line (not a status line) that starts with {@code prefix}; other lines before it
     * are skipped, but an {@code ERROR} line fails the wait.
     *
     * @param prefix the line's start
     * @param timeout the longest wait
     * @return the line
     * @throws IllegalStateException if the child exits, answers ERROR or does not answer in time; the message
     *     points at its log
     * @throws InterruptedException if interrupted
     */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
                if (line.startsWith("ERROR") || line.contains(": error: ")) {
                    throw new IllegalStateException(name + ": " + line + " (log: " + log + ")");
                }
                continue;
            }
            if (!process.isAlive() && lines.isEmpty()) {
                Thread.sleep(100); // the reader may still be taking the last lines
                if (lines.isEmpty()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + " before "
                        + prefix + " (log: " + log + ")");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not print " + prefix + " within " + timeout + " (log: "
                    + log + ")");
            }
        }
    }

    /**
     * Kills the child with {@code kill -9} and waits until it is gone.
     *
     * @return its exit status (137 for SIGKILL), -1 if it was never started
     * @throws InterruptedException if interrupted
     */
    int kill() throws InterruptedException {
        if (process == null) {
            return -1;
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not go away within 30 s of kill -9");
        }
        status = "killed";
        return process.exitValue();
    }

    /** Asks the child to stop, waits up to 15 s, then kills it. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            send("stop");
            process.getOutputStream().close();
        } catch (IOException e) {
            process.destroyForcibly(); // its input is gone: it cannot be asked
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
