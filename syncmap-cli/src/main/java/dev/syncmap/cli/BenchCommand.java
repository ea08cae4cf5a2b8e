package dev.syncmap.cli;

import dev.syncmap.bench.Contender;
import dev.syncmap.bench.Mix;
import dev.syncmap.cli.bench.Dist;
import dev.syncmap.cli.bench.Plan;
import dev.syncmap.cli.bench.PlanBuilder;
import dev.syncmap.cli.bench.Workload;
import dev.syncmap.cli.bench.WorkloadReader;
import dev.syncmap.cli.report.Recommender;
import dev.syncmap.cli.report.ResultsDocument;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.util.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code syncmap bench}: measures every contender on a matrix of workloads with JMH and says which map fits.
 * See {@code docs/bench.md}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Measure which map fits your workload, and recommend one.",
            "",
            "Throughput per contender (JMH), allocation per operation, open-loop latency percentiles and "
                    + "memory per entry; a recommendation that never names a winner from a difference inside the "
                    + "error. Writes results.json, report.html and a JMH log to --out.",
            "",
            "Default matrix (about 5 min on 2 cores): mixes 100:0, 97:3, 50:50 at 100k keys and 1, 2, 4 "
                    + "threads, plus 1k and 1M keys at 97:3 and 2 threads. --quick (about 2 min): 97:3 and 50:50, "
                    + "1 and 2 threads, plus 1k keys. Ctrl-C keeps a partial report of what finished.",
            ""})
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--mix", split = ",", paramLabel = "R:W", converter = Converters.MixConverter.class,
            description = "Read:write mix in percent, e.g. 97:3 (repeatable or comma-separated).")
    private List<Mix> mixes;

    @Option(names = "--keys", split = ",", paramLabel = "N", converter = Converters.KeysConverter.class,
            description = "Key count(s): 1000, 100k, 1m.")
    private List<Integer> keys;

    @Option(names = "--threads", split = ",", paramLabel = "N", converter = Converters.ThreadsConverter.class,
            description = "Benchmark thread count(s), 1 or more; more than the cores is measured and labelled.")
    private List<Integer> threads;

    @Option(names = "--dist", split = ",", paramLabel = "D", converter = Converters.DistConverter.class,
            description = "Key distribution(s): uniform or zipf (scrambled Zipfian).")
    private List<Dist> dists;

    @Option(names = "--maps", split = ",", paramLabel = "MAP",
            description = "Contenders to measure (default all; see --list-maps). ConcurrentHashMap is always "
                    + "added as the baseline.")
    private List<String> maps;

    @Option(names = "--quick", description = "A smaller matrix with shorter iterations (about 2 minutes).")
    private boolean quick;

    @Option(names = "--workload", paramLabel = "FILE",
            description = "YAML or JSON file describing your workload (docs/workload.md); options given on the "
                    + "command line override it.")
    private Path workload;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-out",
            description = "Where results.json, report.html and bench.log go (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = "--json", description = "Print results.json to standard output instead of the table.")
    private boolean json;

    @Option(names = "--need-snapshots", description = "You need point-in-time snapshots: also recommend the best "
            + "map that offers them.")
    private Boolean needSnapshots;

    @Option(names = "--need-feed", description = "You need a change feed: also recommend the best map that "
            + "offers one.")
    private Boolean needFeed;

    @Option(names = "--gc", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Allocation per operation from JMH's GC profiler (default on: it only reads counters).")
    private boolean gc;

    @Option(names = "--latency", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Open-loop latency percentiles per contender (default on).")
    private boolean latency;

    @Option(names = "--footprint", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Memory per entry with JOL (default on).")
    private boolean footprint;

    @Option(names = "--confidence", paramLabel = "P", defaultValue = "0.95",
            description = "Confidence level of errors and of the winner rule (default ${DEFAULT-VALUE}).")
    private double confidence;

    @Option(names = "--warmup-iterations", paramLabel = "N", description = "JMH warm-up iterations (default 1).")
    private Integer warmupIterations;

    @Option(names = "--warmup-time", paramLabel = "T", converter = Converters.DurationConverter.class,
            description = "Warm-up iteration length, e.g. 300ms (default 300ms; --quick 200ms).")
    private Duration warmupTime;

    @Option(names = "--iterations", paramLabel = "N",
            description = "JMH measurement iterations (default 3; at least 3 are needed for an error).")
    private Integer iterations;

    @Option(names = "--iteration-time", paramLabel = "T", converter = Converters.DurationConverter.class,
            description = "Measurement iteration length (default 300ms; --quick 200ms).")
    private Duration iterationTime;

    @Option(names = "--forks", paramLabel = "N", defaultValue = "1",
            description = "JVM forks per configuration (default 1; 0 runs in this JVM, for debugging only).")
    private int forks;

    @Option(names = "--latency-rate", paramLabel = "OPS",
            description = "Open-loop arrival rate, operations per second (default 50000).")
    private Double latencyRate;

    @Option(names = "--latency-duration", paramLabel = "T", converter = Converters.DurationConverter.class,
            description = "Length of each latency run (default 1s; --quick 0.8s).")
    private Duration latencyDuration;

    @Option(names = "--dry-run", description = "Print the plan and its estimated time, then exit.")
    private boolean dryRun;

    @Option(names = "--list-maps", description = "List the contenders and what each offers, then exit.")
    private boolean listMaps;

    @Override
    public Integer call() throws Exception {
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        List<String> available = Arrays.stream(Contender.values()).map(Contender::name).toList();
        if (listMaps) {
            for (Contender contender : Contender.values()) {
                stdout.printf("%-20s snapshots: %-3s  change feed: %s%n", contender,
                        contender.offersSnapshots() ? "yes" : "no",
                        contender.offersChangeFeed() ? "yes" : "no");
            }
            return 0;
        }
        Plan plan = plan(available);
        stderr.println(describe(plan));
        if (dryRun) {
            return 0;
        }
        Recommender recommender = new Recommender(confidence, name -> Contender.named(name).offersSnapshots(),
                name -> Contender.named(name).offersChangeFeed(), available);
        BenchSession session = new BenchSession(plan, out, environment(), options(plan), recommender, stdout,
                stderr, json);
        return session.run();
    }

    /**
     * Builds the plan from the options and the workload file.
     *
     * @throws CommandLine.ParameterException for every kind of bad input, so that it exits with status 2
     */
    private Plan plan(List<String> available) {
        try {
            Workload w = workload == null ? null : WorkloadReader.read(workload);
            return new PlanBuilder(available)
                    .mixes(mixes).keys(keys).threads(threads).dists(dists).maps(maps).workload(w).quick(quick)
                    .needSnapshots(needSnapshots).needFeed(needFeed)
                    .warmupIterations(warmupIterations).warmupTime(warmupTime)
                    .iterations(iterations).iterationTime(iterationTime).forks(forks)
                    .gc(gc).confidence(confidence).latency(latency).latencyRate(latencyRate)
                    .latencyDuration(latencyDuration).footprint(footprint)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The plan in a few lines, with its size and estimated time. */
    static String describe(Plan plan) {
        int scenarios = plan.scenarios().size();
        StringBuilder sb = new StringBuilder();
        sb.append("Plan: ").append(plan.configurations().size()).append(" configurations (")
                .append(plan.maps().size()).append(plan.maps().size() == 1 ? " map × " : " maps × ")
                .append(scenarios).append(scenarios == 1 ? " scenario)" : " scenarios)");
        if (!plan.latencyRuns().isEmpty()) {
            sb.append(" + ").append(plan.latencyRuns().size())
                    .append(plan.latencyRuns().size() == 1 ? " latency run" : " latency runs");
        }
        if (!plan.footprintRuns().isEmpty()) {
            sb.append(" + footprint of ").append(plan.footprintRuns().size())
                    .append(plan.footprintRuns().size() == 1 ? " map" : " maps");
        }
        var s = plan.settings();
        sb.append("; estimated ").append(PlanBuilder.formatDuration(plan.estimateMillis())).append('.')
                .append(System.lineSeparator())
                .append("  maps: ").append(String.join(", ", plan.maps())).append(System.lineSeparator())
                .append("  each: ").append(s.warmupIterations()).append(" × ").append(s.warmupTime().toMillis())
                .append(" ms warm-up + ").append(s.iterations()).append(" × ").append(s.iterationTime().toMillis())
                .append(" ms measurement, ").append(s.forks()).append(s.forks() == 1 ? " fork" : " forks")
                .append(s.gc() ? ", -prof gc" : "");
        return sb.toString();
    }

    private ResultsDocument.Environment environment() {
        Runtime rt = Runtime.getRuntime();
        return new ResultsDocument.Environment(
                System.getProperty("java.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"),
                System.getProperty("java.vm.vendor"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("os.arch"),
                rt.availableProcessors(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                SyncmapCommand.Version.version(),
                Version.getPlainVersion(),
                String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    }

    private ResultsDocument.Options options(Plan plan) {
        var s = plan.settings();
        List<String> ms = plan.scenarios().stream().map(x -> x.mix().toString()).distinct().toList();
        List<Integer> ks = plan.scenarios().stream().map(x -> x.keys()).distinct().sorted().toList();
        List<Integer> ts = plan.scenarios().stream().map(x -> x.threads()).distinct().sorted().toList();
        List<String> ds = plan.scenarios().stream().map(x -> x.dist().toString()).distinct().toList();
        String workloadName = null;
        if (workload != null) {
            workloadName = WorkloadReader.read(workload).name();
        }
        return new ResultsDocument.Options(ms, ks, ts, ds, plan.maps(), quick,
                workload == null ? null : workload.toString(), workloadName,
                plan.needs().snapshots(), plan.needs().changeFeed(), s.confidence(), s.warmupIterations(),
                s.warmupTime().toMillis(), s.iterations(), s.iterationTime().toMillis(), s.forks(), s.gc(),
                s.latency(), s.footprint(),
                s.latency() ? s.latencyRate() : null,
                s.latency() ? s.latencyDuration().toMillis() : null,
                s.latency() ? s.latencyThreads() : null);
    }
}
