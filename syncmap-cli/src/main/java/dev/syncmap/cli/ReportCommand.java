package dev.syncmap.cli;

import dev.syncmap.cli.report.HtmlReport;
import dev.syncmap.cli.report.ResultsDocument;
import dev.syncmap.cli.report.ResultsJson;
import dev.syncmap.cli.report.TerminalTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code syncmap report}: renders the table and {@code report.html} again from a saved {@code results.json}. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Render the table and report.html again from a saved results.json.")
public final class ReportCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESULTS", description = "A results.json written by syncmap bench.")
    private Path results;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Where to write the HTML report (default: report.html beside RESULTS).")
    private Path html;

    @Override
    public Integer call() throws IOException {
        ResultsDocument doc;
        try {
            doc = ResultsJson.read(results);
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "results file '" + results + "' not found");
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "results file '" + results
                    + "' cannot be read: " + SyncmapCommand.oneLine(e.getMessage()));
        }
        Path target = html != null ? html : results.toAbsolutePath().resolveSibling("report.html");
        Files.writeString(target, HtmlReport.render(doc), StandardCharsets.UTF_8);
        TerminalTable.print(doc, System.out);
        System.out.println();
        System.out.println("Wrote " + target);
        return 0;
    }
}
