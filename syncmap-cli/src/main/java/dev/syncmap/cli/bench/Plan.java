package dev.syncmap.cli.bench;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything one {@code syncmap bench} run will measure, in order, with its time estimate. Immutable.
 *
 * @param maps the contenders, in the order they are run
 * @param configurations the JMH runs, one per contender and scenario
 * @param latencyRuns the open-loop latency runs (empty when latency is off)
 * @param footprintRuns the memory-per-entry measurements (empty when footprint is off)
 * @param settings how each is measured
 * @param needs what the user's workload requires of a map
 */
public record Plan(List<String> maps, List<Configuration> configurations, List<LatencyRun> latencyRuns,
                   List<FootprintRun> footprintRuns, RunSettings settings, Needs needs) {

    /** Estimated start-up cost of one forked JVM, including JMH's own set-up. */
    static final long FORK_OVERHEAD_MS = 1_000;
    /** Estimated cost of an in-process run's set-up. */
    static final long IN_PROCESS_OVERHEAD_MS = 150;

    /**
     * One open-loop latency measurement.
     *
     * @param map the contender
     * @param keys the key count
     * @param dist the key distribution
     * @param threads the load threads
     * @param targetOpsPerSecond the Poisson arrival rate of all threads together
     * @param duration how long it runs
     */
    public record LatencyRun(String map, int keys, Dist dist, int threads, double targetOpsPerSecond,
                             Duration duration) {
    }

    /**
     * One memory-per-entry measurement.
     *
     * @param map the contender
     * @param keys the number of entries in the measured map
     */
    public record FootprintRun(String map, int keys) {
    }

    /**
     * What the user needs of a map besides speed.
     *
     * @param snapshots whether point-in-time snapshots are required
     * @param changeFeed whether a change feed is required
     */
    public record Needs(boolean snapshots, boolean changeFeed) {
        /** Nothing beyond the map contract. */
        public static final Needs NONE = new Needs(false, false);
    }

    /**
     * Copies the lists.
     *
     * @throws NullPointerException if any argument is null
     */
    public Plan {
        maps = List.copyOf(maps);
        configurations = List.copyOf(configurations);
        latencyRuns = List.copyOf(latencyRuns);
        footprintRuns = List.copyOf(footprintRuns);
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(needs, "needs");
    }

    /**
     * Returns the estimated wall-clock time of one configuration: forked JVM start, filling the map, warm-up and
     * measurement.
     *
     * @param c the configuration
     * @return the estimate in milliseconds
     */
    public long estimateMillis(Configuration c) {
        long overhead = settings.forks() == 0 ? IN_PROCESS_OVERHEAD_MS : FORK_OVERHEAD_MS;
        long fill = c.scenario().keys() / 1_000; // about 1 µs per key to build key arrays and fill the map
        long perFork = overhead + fill
                + settings.warmupIterations() * settings.warmupTime().toMillis()
                + settings.iterations() * settings.iterationTime().toMillis();
        return Math.max(1, settings.forks()) * perFork;
    }

    /**
     * Returns the estimated wall-clock time of one latency run.
     *
     * @param r the run
     * @return the estimate in milliseconds
     */
    public long estimateMillis(LatencyRun r) {
        return FORK_OVERHEAD_MS + r.keys() / 1_000 + r.duration().toMillis();
    }

    /**
     * Returns the estimated wall-clock time of all footprint measurements: they share one child JVM (JOL's
     * object-graph walk does not depend on JIT state), and JOL walks every object of each map.
     *
     * @return the estimate in milliseconds, 0 when there are none
     */
    public long estimateFootprintMillis() {
        if (footprintRuns.isEmpty()) {
            return 0;
        }
        long total = FORK_OVERHEAD_MS;
        for (FootprintRun r : footprintRuns) {
            total += r.keys() / 33; // JOL walks the map twice (and an empty one): about 3 s at 100k entries
        }
        return total;
    }

    /** Returns the estimated wall-clock time of the whole plan, in milliseconds. */
    public long estimateMillis() {
        long total = 0;
        for (Configuration c : configurations) {
            total += estimateMillis(c);
        }
        for (LatencyRun r : latencyRuns) {
            total += estimateMillis(r);
        }
        return total + estimateFootprintMillis();
    }

    /** Returns the distinct scenarios, in run order. */
    public List<Scenario> scenarios() {
        return configurations.stream().map(Configuration::scenario).distinct().toList();
    }
}
