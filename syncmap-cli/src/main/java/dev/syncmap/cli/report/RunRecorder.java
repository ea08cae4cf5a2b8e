package dev.syncmap.cli.report;

import dev.syncmap.cli.bench.Failure;
import dev.syncmap.cli.bench.FootprintMeasurement;
import dev.syncmap.cli.bench.LatencyMeasurement;
import dev.syncmap.cli.bench.Measurement;
import dev.syncmap.cli.bench.Plan;
import dev.syncmap.cli.bench.PlanBuilder;
import dev.syncmap.cli.bench.Scenario;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Collects what a run has measured so far and turns it into a {@link ResultsDocument} at any moment: at the end
 * of a run, or from a shutdown hook when the user interrupts it (then marked partial).
 *
 * <p>Thread-safe: the run's thread adds results while the shutdown hook may read them; every method
 * synchronizes on this recorder, so a document never shows half of an added result.
 */
public final class RunRecorder {

    private final Plan plan;
    private final ResultsDocument.Environment environment;
    private final ResultsDocument.Options options;
    private final Recommender recommender;
    private final long startNanos = System.nanoTime();
    private final List<Measurement> measurements = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final List<LatencyMeasurement> latency = new ArrayList<>();
    private final List<FootprintMeasurement> footprint = new ArrayList<>();

    /**
     * Creates a recorder for one run.
     *
     * @param plan what the run will measure
     * @param environment the machine and JVM
     * @param options what was asked for
     * @param recommender derives the recommendation
     */
    public RunRecorder(Plan plan, ResultsDocument.Environment environment, ResultsDocument.Options options,
                       Recommender recommender) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.options = Objects.requireNonNull(options, "options");
        this.recommender = Objects.requireNonNull(recommender, "recommender");
    }

    /** @param m a finished configuration's result */
    public synchronized void add(Measurement m) {
        measurements.add(Objects.requireNonNull(m, "m"));
    }

    /** @param f a configuration or probe that produced no result */
    public synchronized void add(Failure f) {
        failures.add(Objects.requireNonNull(f, "f"));
    }

    /** @param l a latency result */
    public synchronized void add(LatencyMeasurement l) {
        latency.add(Objects.requireNonNull(l, "l"));
    }

    /** @param f a footprint result */
    public synchronized void add(FootprintMeasurement f) {
        footprint.add(Objects.requireNonNull(f, "f"));
    }

    /** Returns a copy of the throughput results so far. */
    public synchronized List<Measurement> measurements() {
        return List.copyOf(measurements);
    }

    /** Returns the plan being run. */
    public Plan plan() {
        return plan;
    }

    /**
     * Builds the document from everything recorded so far.
     *
     * @param partial whether the run stopped before the plan finished
     * @return the document, with ratios to the baseline and the recommendation computed
     */
    public synchronized ResultsDocument document(boolean partial) {
        Map<Scenario, Measurement> baseline = new HashMap<>();
        for (Measurement m : measurements) {
            if (m.map().equals(PlanBuilder.BASELINE)) {
                baseline.put(m.scenario(), m);
            }
        }
        List<Measurement> ordered = new ArrayList<>(measurements);
        ordered.sort(Comparator.comparing(Measurement::scenario, Scenario.ORDER)
                .thenComparing(Comparator.comparingDouble(Measurement::score).reversed()));
        List<ResultsDocument.Result> results = new ArrayList<>();
        for (Measurement m : ordered) {
            Measurement b = baseline.get(m.scenario());
            // The baseline's ratio to itself is exactly 1: its error cancels.
            Ratio r = b == null ? null : b == m ? new Ratio(1.0, 0.0)
                    : Ratio.of(m.score(), m.error(), b.score(), b.error());
            Scenario s = m.scenario();
            results.add(new ResultsDocument.Result(m.benchmark(), m.map(), s.mix().toString(), s.keys(),
                    s.dist().toString(), s.threads(), m.score(), orNull(m.error()), m.unit(), m.iterations(),
                    r == null ? null : r.value(), r == null ? null : orNull(r.error()),
                    orNull(m.allocBytesPerOp())));
        }
        List<ResultsDocument.FailureEntry> failed = failures.stream()
                .map(f -> new ResultsDocument.FailureEntry(f.what(), f.map(), f.message())).toList();
        int failedConfigurations = (int) failures.stream().filter(f -> f.scenario() != null).count();
        ResultsDocument.Progress progress = new ResultsDocument.Progress(plan.configurations().size(),
                measurements.size(), failedConfigurations, (System.nanoTime() - startNanos) / 1e9);
        return new ResultsDocument(ResultsDocument.SCHEMA, partial, progress, environment, options, results, failed,
                latency, footprint, recommender.recommend(measurements, latency, plan.needs()));
    }

    private static Double orNull(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }
}
