package dev.syncmap.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code syncmap} command: {@code bench} measures which map fits a workload, {@code demo} tours every map
 * ({@code demo redis}: a replica in Redis; {@code demo replicate}: three node processes replicating through Kafka),
 * {@code replicate} runs a replication node (into sinks, or through a Kafka topic) from a configuration file.
 *
 * <p>Exit status: 0 success; 1 a run failed (some configuration or an I/O error); 2 bad input (an unknown
 * option or map, a mix that does not parse, a bad thread count, a missing or invalid workload file), reported
 * as one line on standard error.
 */
@Command(name = "syncmap", mixinStandardHelpOptions = true, versionProvider = SyncmapCommand.Version.class,
        description = "Shared in-memory maps you can snapshot, watch, copy and replicate.",
        subcommands = {BenchCommand.class, DemoCommand.class, ReportCommand.class, ReplicateCommand.class,
            CommandLine.HelpCommand.class})
public final class SyncmapCommand implements Runnable {

    /** Exit status for bad input. */
    public static final int EXIT_USAGE = 2;
    /** Exit status for a failed run. */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Prints the usage when no subcommand is given. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Runs the command and exits the JVM with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        // The platform encoding, named: what System.out and System.err encode with on JDK 17.
        Charset console = Charset.defaultCharset();
        System.exit(newCommandLine(new PrintWriter(new OutputStreamWriter(System.out, console), true),
                new PrintWriter(new OutputStreamWriter(System.err, console), true))
                .execute(args));
    }

    /**
     * Creates the configured command line: bad input becomes one line on {@code err} and exit status 2;
     * an unexpected error one line (the stack trace only with {@code SYNCMAP_DEBUG} set) and status 1.
     *
     * @param out standard output
     * @param err standard error
     * @return the command line, ready to {@code execute}
     */
    public static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SyncmapCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine.Model.CommandSpec s = ex.getCommandLine().getCommandSpec();
            ex.getCommandLine().getErr().println(s.qualifiedName() + ": " + oneLine(ex.getMessage()));
            ex.getCommandLine().getErr().flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: "
                    + oneLine(String.valueOf(ex.getMessage() == null ? ex : ex.getMessage())));
            if (System.getenv("SYNCMAP_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return EXIT_FAILURE;
        });
        return cl;
    }

    /**
     * Folds a message onto one line.
     *
     * @param message a message, possibly multi-line
     * @return the message with line breaks replaced by spaces
     */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The version from the jar manifest, or {@code dev} when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"syncmap " + version()};
        }

        static String version() {
            String v = SyncmapCommand.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }
    }
}
