package dev.syncmap.cli.report;

import dev.syncmap.bench.Mix;
import dev.syncmap.cli.bench.Configuration;
import dev.syncmap.cli.bench.Dist;
import dev.syncmap.cli.bench.FootprintMeasurement;
import dev.syncmap.cli.bench.LatencyMeasurement;
import dev.syncmap.cli.bench.Measurement;
import dev.syncmap.cli.bench.Plan;
import dev.syncmap.cli.bench.PlanBuilder;
import dev.syncmap.cli.bench.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Synthetic plans, measurements and documents for report tests. */
final class Fixtures {

    static final List<String> MAPS = List.of("ConcurrentHashMap", "StripedMap", "CopyOnWriteMap", "VersionedMap",
            "TrieMap");
    static final Set<String> WITH_SNAPSHOTS = Set.of("VersionedMap", "TrieMap");
    static final Set<String> WITH_FEED = Set.of("VersionedMap");

    private Fixtures() {
    }

    static Scenario scenario(String mix, int keys, int threads) {
        return new Scenario(Mix.parse(mix), keys, Dist.UNIFORM, threads);
    }

    static Measurement m(String map, Scenario s, double score, double error) {
        return new Measurement(new Configuration(map, s), "MixBenchmark.ops", score, error, "ops/s", 3, 24.0);
    }

    static Recommender recommender() {
        return new Recommender(0.95, WITH_SNAPSHOTS::contains, WITH_FEED::contains, MAPS);
    }

    /** A plan over two mixes x threads 1, 2, 4 at 100k keys, plus 1k and 1M keys at 97:3, 2 threads. */
    static Plan plan(Plan.Needs needs) {
        Plan p = new PlanBuilder(MAPS).needSnapshots(needs.snapshots()).needFeed(needs.changeFeed())
                .mixes(List.of(new Mix(97, 3), new Mix(50, 50))).threads(List.of(1, 2, 4)).build();
        List<Configuration> configurations = new ArrayList<>(p.configurations());
        for (int keys : new int[] {1_000, 1_000_000}) {
            for (String map : MAPS) {
                configurations.add(new Configuration(map, scenario("97:3", keys, 2)));
            }
        }
        return new Plan(p.maps(), configurations, p.latencyRuns(), p.footprintRuns(), p.settings(), p.needs());
    }

    static ResultsDocument.Environment environment() {
        return new ResultsDocument.Environment("17.0.15", "OpenJDK 64-Bit Server VM 17.0.15", "Debian",
                "Linux 6.1", "amd64", 2, "2025-01-01T00:00:00Z", "0.1.0-SNAPSHOT", "1.37", "bench --quick");
    }

    static ResultsDocument.Options options(Plan plan) {
        var s = plan.settings();
        return new ResultsDocument.Options(List.of("97:3", "50:50"), List.of(1_000, 100_000, 1_000_000),
                List.of(1, 2, 4), List.of("uniform"), plan.maps(), false, null, null, plan.needs().snapshots(),
                plan.needs().changeFeed(), 0.95, s.warmupIterations(), s.warmupTime().toMillis(), s.iterations(),
                s.iterationTime().toMillis(), s.forks(), true, true, true, 50_000.0, 1500L, 2);
    }

    /** A recorder filled with plausible numbers for every configuration of {@link #plan}. */
    static RunRecorder filledRecorder(Plan.Needs needs) {
        Plan plan = plan(needs);
        RunRecorder r = new RunRecorder(plan, environment(), options(plan), recommender());
        for (var c : plan.configurations()) {
            Scenario s = c.scenario();
            double base = 10e6 * Math.min(s.threads(), 2) / (s.mix().writes() > 10 ? 3 : 1);
            double factor = switch (c.map()) {
                case "StripedMap" -> 1.4;
                case "CopyOnWriteMap" -> s.mix().writes() > 10 ? 0.001 : 0.05;
                case "VersionedMap" -> 1.1;
                case "TrieMap" -> 0.5;
                default -> 1.0;
            };
            r.add(m(c.map(), s, base * factor, base * factor * 0.04));
        }
        long us = 1_000;
        for (String map : plan.maps()) {
            for (int threads : new int[] {1, 2}) {
                r.add(new LatencyMeasurement(map, 100_000, "uniform", threads, 50_000, 49_800, 74_700, 0, 2 * us,
                        5 * us, 30 * us * threads, 200 * us, 2_000 * us, us, 10 * us, 50 * us, 0.25, 0.5, 3,
                        12_000 * us));
            }
            r.add(new FootprintMeasurement(map, 100_000, 60 + map.length()));
        }
        return r;
    }
}
