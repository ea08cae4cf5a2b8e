package dev.syncmap.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Records how much verification each tool of the kit ran: contract cases, Lincheck scenarios, stress
 * operations. Every record goes to the {@code dev.syncmap.testkit} {@link System.Logger} at {@code INFO}; when
 * the system property {@value #COUNTS_FILE_PROPERTY} names a file, it is also written to it as one
 * tab-separated line {@code tool  subject  count  detail}, so a build can sum what it verified per map. The first
 * record of a JVM replaces the file's content and later ones append, so with Surefire's default single reused
 * fork the file holds exactly the latest test run.
 *
 * <p>Thread-safety: safe to call from several threads; file appends are serialized on the class.
 */
public final class VerificationLog {

    /** System property naming the tab-separated file that counts are appended to; unset: log only. */
    public static final String COUNTS_FILE_PROPERTY = "syncmap.testkit.countsFile";

    private static final System.Logger LOGGER = System.getLogger("dev.syncmap.testkit");

    /** Whether this JVM has written the counts file yet; guarded by the class lock. */
    private static boolean started;

    private VerificationLog() {}

    /**
     * Records one count.
     *
     * @param tool the verification tool, e.g. {@code contract}, {@code lincheck-model-checking}
     * @param subject the map or test class verified
     * @param count how many cases, scenarios or operations ran
     * @param detail a short human-readable explanation of the count
     * @throws UncheckedIOException if the counts file cannot be written
     */
    public static void record(String tool, String subject, long count, String detail) {
        LOGGER.log(System.Logger.Level.INFO, "[syncmap-testkit] {0} {1}: {2} ({3})", tool, subject, count, detail);
        String file = System.getProperty(COUNTS_FILE_PROPERTY);
        if (file == null || file.isBlank()) {
            return;
        }
        String line = String.join("\t", tool, subject, Long.toString(count), detail) + System.lineSeparator();
        synchronized (VerificationLog.class) {
            try {
                Path path = Path.of(file);
                Path parent = path.getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(path, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        started ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
                started = true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + file, e);
            }
        }
    }
}
