package dev.syncmap.cli.bench;

import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@code dev.syncmap.bench.MixBenchmark.ops} for one {@link Configuration} through JMH's
 * {@link Runner} API, one configuration per call, so that every finished configuration is kept even when a
 * later one fails or the user interrupts the run.
 *
 * <p>JMH forks a JVM per configuration with this JVM's {@code java.class.path}; the shaded CLI jar carries the
 * benchmark classes and JMH's generated {@code META-INF/BenchmarkList}, so forks find them. JMH's own report goes
 * to the log stream; progress is reported per finished iteration.
 *
 * <p>Not thread-safe: one configuration at a time (JMH itself refuses concurrent runs in one JVM).
 */
public final class JmhMixRunner {

    /** The fully qualified benchmark method this runner measures. */
    public static final String BENCHMARK = "dev.syncmap.bench.MixBenchmark.ops";
    /** The benchmark's short name, as recorded in results. */
    public static final String BENCHMARK_SHORT = "MixBenchmark.ops";
    /** The secondary result of {@code -prof gc} giving bytes allocated per operation. */
    static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private final PrintStream log;

    /**
     * Creates a runner.
     *
     * @param log where JMH's human-readable output goes (the run's log file)
     */
    public JmhMixRunner(PrintStream log) {
        this.log = log;
    }

    /**
     * Measures one configuration.
     *
     * @param c what to measure
     * @param s how to measure it
     * @param iterationDone called with the length in milliseconds of each finished (warm-up or measurement)
     *                      iteration, on the calling thread
     * @return the measurement
     * @throws RunnerException when JMH fails or the benchmark throws (the details are in the log)
     */
    public Measurement run(Configuration c, RunSettings s, LongConsumer iterationDone) throws RunnerException {
        Scenario sc = c.scenario();
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(BENCHMARK) + "$")
                .param("map", c.map())
                .param("mix", sc.mix().toString())
                .param("keys", Integer.toString(sc.keys()))
                .param("dist", sc.dist().toString())
                .threads(sc.threads())
                .forks(s.forks())
                .warmupIterations(s.warmupIterations())
                .warmupTime(TimeValue.milliseconds(s.warmupTime().toMillis()))
                .measurementIterations(s.iterations())
                .measurementTime(TimeValue.milliseconds(s.iterationTime().toMillis()))
                .mode(Mode.Throughput)
                .timeUnit(TimeUnit.SECONDS)
                .shouldFailOnError(true);
        if (s.gc()) {
            options.addProfiler(GCProfiler.class);
        }
        OutputFormat format = progressFormat(OutputFormatFactory.createFormatInstance(log, VerboseMode.NORMAL),
                iterationDone);
        Collection<RunResult> results = new Runner(options.build(), format).run();
        if (results.isEmpty()) {
            throw new RunnerException("JMH produced no result for " + c.label()
                    + " (is the benchmark on the class path?)");
        }
        RunResult r = results.iterator().next();
        Result<?> primary = r.getPrimaryResult();
        double error = primary.getStatistics().getMeanErrorAt(s.confidence());
        double alloc = allocBytesPerOp(r);
        return new Measurement(c, BENCHMARK_SHORT, primary.getScore(), error, primary.getScoreUnit(),
                primary.getStatistics().getN(), alloc);
    }

    /** The GC profiler's bytes per operation, or NaN when it did not run. */
    @SuppressWarnings("rawtypes") // JMH declares getSecondaryResults() as Map<String, Result>, Result raw
    private static double allocBytesPerOp(RunResult r) {
        for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
            if (e.getKey().endsWith(ALLOC_NORM)) {
                return e.getValue().getScore();
            }
        }
        return Double.NaN;
    }

    /**
     * JMH's text format (the log), reporting each finished iteration to {@code iterationDone}: every
     * {@link OutputFormat} call is passed on unchanged, except that {@code close()} only flushes (the log stream
     * belongs to the caller, who closes it).
     */
    private static OutputFormat progressFormat(OutputFormat log, LongConsumer iterationDone) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("close")) {
                log.flush();
                return null;
            }
            Object result;
            try {
                result = method.invoke(log, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (method.getName().equals("iterationResult")) {
                iterationDone.accept(((IterationParams) args[1]).getTime().convertTo(TimeUnit.MILLISECONDS));
            }
            return result;
        };
        return (OutputFormat) Proxy.newProxyInstance(OutputFormat.class.getClassLoader(),
                new Class<?>[] {OutputFormat.class}, handler);
    }
}
