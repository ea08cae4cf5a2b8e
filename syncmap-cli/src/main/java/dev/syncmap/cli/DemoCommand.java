package dev.syncmap.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code syncmap demo}: a runnable tour of every syncmap map. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "A runnable tour of every syncmap map.")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("TODO demo (in progress)");
    }
}
