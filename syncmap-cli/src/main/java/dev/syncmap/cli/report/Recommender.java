package dev.syncmap.cli.report;

import dev.syncmap.cli.bench.KeyCount;
import dev.syncmap.cli.bench.LatencyMeasurement;
import dev.syncmap.cli.bench.Measurement;
import dev.syncmap.cli.bench.Plan;
import dev.syncmap.cli.bench.Scenario;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Derives the recommendation from measured throughputs, weighed with the measured latency tails.
 *
 * <p>The one rule it never breaks: a winner is named only when its confidence interval (mean ± error at the
 * run's confidence level) lies wholly above the runner-up's. When the intervals overlap, the difference is
 * inside the error and the verdict is a tie between every contender whose interval overlaps the leader's. An
 * unknown error (too few iterations) overlaps everything.
 *
 * <p>Tails: for each open-loop load measured, the map with the lowest p99 among those that kept up is named, and
 * a map whose p99 is at least {@link #LONG_TAIL} times that has a long tail. When the map a headline names has a
 * long tail at some thread count, or fell behind the load, the headline says so and names the map with the lowest
 * p99 there: throughput alone would hide what a service owner feels.
 *
 * <p>Stateless after construction and thread-safe.
 */
public final class Recommender {

    /** A p99 at least this many times the lowest is a long tail (single runs: a margin above run-to-run noise). */
    public static final double LONG_TAIL = 5.0;

    private final double confidence;
    private final Predicate<String> offersSnapshots;
    private final Predicate<String> offersChangeFeed;
    private final List<String> allWithSnapshots;
    private final List<String> allWithChangeFeed;

    /**
     * Creates a recommender.
     *
     * @param confidence the confidence level the errors were computed at (for the text)
     * @param offersSnapshots which maps offer point-in-time snapshots
     * @param offersChangeFeed which maps offer a change feed
     * @param available every contender on the class path, to suggest one when none measured meets a need
     */
    public Recommender(double confidence, Predicate<String> offersSnapshots, Predicate<String> offersChangeFeed,
                       List<String> available) {
        this.confidence = confidence;
        this.offersSnapshots = offersSnapshots;
        this.offersChangeFeed = offersChangeFeed;
        this.allWithSnapshots = available.stream().filter(offersSnapshots).toList();
        this.allWithChangeFeed = available.stream().filter(offersChangeFeed).toList();
    }

    /**
     * Recommends a map for the measured workload.
     *
     * @param measurements the throughput results (any number of scenarios)
     * @param needs what the user requires besides speed
     * @return the recommendation
     */
    public Recommendation recommend(List<Measurement> measurements, Plan.Needs needs) {
        return recommend(measurements, List.of(), needs);
    }

    /**
     * Recommends a map for the measured workload, weighing the latency tails measured beside the throughput.
     *
     * @param measurements the throughput results (any number of scenarios)
     * @param latency the open-loop latency results (any number of loads; may be empty)
     * @param needs what the user requires besides speed
     * @return the recommendation
     */
    public Recommendation recommend(List<Measurement> measurements, List<LatencyMeasurement> latency,
                                    Plan.Needs needs) {
        List<TailVerdict> tails = tails(latency);
        Map<Scenario, List<Measurement>> byScenario = new TreeMap<>(Scenario.ORDER);
        for (Measurement m : measurements) {
            byScenario.computeIfAbsent(m.scenario(), s -> new ArrayList<>()).add(m);
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<Scenario, List<Measurement>> e : byScenario.entrySet()) {
            verdicts.add(verdict(e.getKey(), e.getValue(), null, ""));
        }
        String headline = measurements.isEmpty()
                ? "No results: nothing finished, so there is nothing to recommend."
                : headline(verdicts, "") + tailNote(named(verdicts), tails);

        List<Recommendation.RequirementAdvice> advice = new ArrayList<>();
        if (needs.snapshots()) {
            advice.add(requirement("snapshots", "snapshots", offersSnapshots, allWithSnapshots, byScenario, tails));
        }
        if (needs.changeFeed()) {
            advice.add(requirement("changeFeed", "a change feed", offersChangeFeed, allWithChangeFeed, byScenario,
                tails));
        }
        return new Recommendation(confidence, headline, verdicts, advice, tails);
    }

    private Recommendation.RequirementAdvice requirement(String key, String what, Predicate<String> offers,
                                                         List<String> allOffering,
                                                         Map<Scenario, List<Measurement>> byScenario,
                                                         List<TailVerdict> tails) {
        Set<String> candidates = new LinkedHashSet<>();
        for (List<Measurement> ms : byScenario.values()) {
            for (Measurement m : ms) {
                if (offers.test(m.map())) {
                    candidates.add(m.map());
                }
            }
        }
        if (candidates.isEmpty()) {
            String suggestion = allOffering.isEmpty()
                    ? "no map on the class path offers it"
                    : "add " + String.join(" or ", allOffering) + " to --maps";
            return new Recommendation.RequirementAdvice(key, List.of(),
                    "None of the measured maps offers " + what + "; " + suggestion + ".", List.of());
        }
        List<Verdict> verdicts = new ArrayList<>();
        for (Map.Entry<Scenario, List<Measurement>> e : byScenario.entrySet()) {
            List<Measurement> offering = e.getValue().stream().filter(m -> offers.test(m.map())).toList();
            if (!offering.isEmpty()) {
                verdicts.add(verdict(e.getKey(), offering, fastest(e.getValue()), ""));
            }
        }
        String head = "Needing " + what + ": " + headline(verdicts, "among maps with " + what + " ");
        return new Recommendation.RequirementAdvice(key, List.copyOf(candidates),
                head + costVersusFastest(verdicts) + tailNote(named(verdicts), tails), verdicts);
    }

    /** The verdict for one scenario among the given candidates. */
    private Verdict verdict(Scenario s, List<Measurement> candidates, Measurement fastestOverall, String prefix) {
        List<Measurement> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(Measurement::score).reversed());
        Measurement top = sorted.get(0);

        String fastest = null;
        Ratio toFastest = null;
        String costText = "";
        if (fastestOverall != null && !fastestOverall.map().equals(top.map())) {
            fastest = fastestOverall.map();
            toFastest = Ratio.of(top.score(), top.error(), fastestOverall.score(), fastestOverall.error());
            costText = "; " + top.map() + " runs at " + Format.ratio(toFastest) + " the throughput of the fastest map, "
                    + fastest;
        }

        if (sorted.size() == 1) {
            return new Verdict(s.mix().toString(), s.keys(), s.dist().toString(), s.threads(), Verdict.ONLY,
                    List.of(top.map()), null, null, null, fastest, value(toFastest), error(toFastest),
                    prefix + top.map() + " is the only candidate measured (" + Format.si(top.score()) + " "
                            + top.unit() + ")" + costText + ".");
        }
        List<String> leaders = new ArrayList<>();
        leaders.add(top.map());
        Measurement runnerUp = null;
        for (Measurement m : sorted.subList(1, sorted.size())) {
            if (m.high() >= top.low()) {
                leaders.add(m.map());
            } else if (runnerUp == null) {
                runnerUp = m;
            }
        }
        Measurement second = sorted.get(1);
        Ratio margin = Ratio.of(top.score(), top.error(), second.score(), second.error());
        String text;
        String outcome;
        if (leaders.size() == 1) {
            outcome = Verdict.WIN;
            text = prefix + top.map() + " wins: " + Format.ratio(margin) + " the throughput of " + second.map()
                    + costText + ".";
        } else {
            outcome = Verdict.TIE;
            boolean unknownError = sorted.stream().anyMatch(m -> Double.isNaN(m.error()));
            text = prefix + "tie between " + joinAnd(leaders) + ": "
                    + (unknownError
                    ? "the error is unknown (fewer than 3 measurement iterations), so no winner can be named"
                    : "their " + Format.percent(confidence) + " confidence intervals overlap (" + top.map() + " at "
                      + Format.ratio(margin) + " of " + second.map() + " is inside the error)")
                    + costText + ".";
            text = Character.toUpperCase(text.charAt(0)) + text.substring(1);
        }
        return new Verdict(s.mix().toString(), s.keys(), s.dist().toString(), s.threads(), outcome,
                leaders, runnerUp == null ? null : runnerUp.map(), value(margin), error(margin), fastest,
                value(toFastest), error(toFastest), text);
    }

    /** The headline over several scenario verdicts. */
    private static String headline(List<Verdict> verdicts, String among) {
        int n = verdicts.size();
        if (n == 1) {
            return verdicts.get(0).text();
        }
        double minMargin = Double.POSITIVE_INFINITY;
        double maxMargin = 0;
        for (Verdict v : verdicts) {
            if (v.outcome().equals(Verdict.WIN)) {
                minMargin = Math.min(minMargin, v.ratio());
                maxMargin = Math.max(maxMargin, v.ratio());
            }
        }
        List<Map.Entry<String, int[]>> ranked = ranked(verdicts);
        String best = ranked.get(0).getKey();
        int[] t = ranked.get(0).getValue();
        if (t[2] == n) {
            return best + " is the only map measured " + among.strip() + ".";
        }
        if (t[0] == n) {
            return best + " wins all " + n + " scenarios " + among + "outright, by "
                    + String.format(Locale.ROOT, "%.2f× to %.2f×", minMargin, maxMargin) + " over the runner-up.";
        }
        if (t[0] == 0) {
            return "No clear winner " + among + "in any of the " + n
                    + " scenarios: the leaders are always within error of each other; most often tied for first: "
                    + best + " (" + t[1] + " of " + n + ").";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(best).append(" leads ").append(among).append("most often: it wins ").append(t[0]).append(" of ")
                .append(n).append(" scenarios outright");
        if (t[1] > 0) {
            sb.append(" and ties for first in ").append(t[1]).append(" more");
        }
        List<String> others = new ArrayList<>();
        for (Map.Entry<String, int[]> e : ranked.subList(1, ranked.size())) {
            if (e.getValue()[0] > 0) {
                others.add(e.getKey() + " (" + e.getValue()[0] + ")");
            }
        }
        if (!others.isEmpty()) {
            sb.append("; other outright winners: ").append(String.join(", ", others));
        }
        int ties = (int) verdicts.stream().filter(v -> v.outcome().equals(Verdict.TIE)).count();
        if (ties > 0) {
            sb.append("; ").append(ties).append(ties == 1 ? " scenario is a tie" : " scenarios are ties");
        }
        return sb.append('.').toString();
    }

    /** For requirement advice: how much throughput the requirement costs, as a range over scenarios. */
    private static String costVersusFastest(List<Verdict> verdicts) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        int n = 0;
        for (Verdict v : verdicts) {
            if (v.ratioToFastest() != null) {
                min = Math.min(min, v.ratioToFastest());
                max = Math.max(max, v.ratioToFastest());
                n++;
            }
        }
        if (n == 0 || verdicts.size() == 1) {
            return "";
        }
        return String.format(Locale.ROOT, " Where a faster map without it exists (%d of %d scenarios), the best "
                + "candidate runs at %.2f× to %.2f× its throughput.", n, verdicts.size(), min, max);
    }

    /** One tail comparison per open-loop load (key count, distribution, threads, rate), in the order measured. */
    private static List<TailVerdict> tails(List<LatencyMeasurement> latency) {
        Map<String, List<LatencyMeasurement>> byLoad = new LinkedHashMap<>();
        for (LatencyMeasurement l : latency) {
            String load = l.keys() + "/" + l.dist() + "/" + l.threads() + "/" + l.targetOpsPerSecond();
            byLoad.computeIfAbsent(load, k -> new ArrayList<>()).add(l);
        }
        List<TailVerdict> out = new ArrayList<>();
        for (List<LatencyMeasurement> group : byLoad.values()) {
            out.add(tailVerdict(group));
        }
        return out;
    }

    private static TailVerdict tailVerdict(List<LatencyMeasurement> group) {
        LatencyMeasurement any = group.get(0);
        String load = any.threads() + (any.threads() == 1 ? " thread" : " threads") + ", "
                + Format.si(any.targetOpsPerSecond()) + " ops/s, " + KeyCount.format(any.keys()) + " keys";
        List<LatencyMeasurement> keptUp = new ArrayList<>();
        List<String> behind = new ArrayList<>();
        for (LatencyMeasurement l : group) {
            if (l.dropped() > 0) {
                behind.add(l.map());
            } else {
                keptUp.add(l);
            }
        }
        StringBuilder text = new StringBuilder("At ").append(load).append(": ");
        if (keptUp.isEmpty()) {
            text.append("no map kept up with the load");
            return new TailVerdict(any.keys(), any.dist(), any.threads(), any.targetOpsPerSecond(), null, 0,
                    List.of(), behind, text.append('.').toString());
        }
        keptUp.sort(Comparator.comparingLong(LatencyMeasurement::p99Ns));
        LatencyMeasurement best = keptUp.get(0);
        text.append("lowest p99 ").append(best.map()).append(" (").append(Format.nanos(best.p99Ns())).append(')');
        List<String> longTails = new ArrayList<>();
        List<String> described = new ArrayList<>();
        for (LatencyMeasurement l : keptUp.subList(1, keptUp.size())) {
            double ratio = (double) l.p99Ns() / Math.max(1, best.p99Ns());
            if (ratio >= LONG_TAIL) {
                longTails.add(l.map());
                String gc = l.p99GcShare() == null ? ""
                        : ", " + Math.round(l.p99GcShare() * 100) + " % of it in GC pauses";
                described.add(l.map() + " " + String.format(Locale.ROOT, "%.0f×", ratio) + gc);
            }
        }
        if (!described.isEmpty()) {
            text.append("; long tails (p99 ≥ ").append(String.format(Locale.ROOT, "%.0f×", LONG_TAIL))
                    .append(" the lowest): ").append(String.join(", ", described));
        }
        if (!behind.isEmpty()) {
            text.append("; fell behind the load (dropped requests): ").append(joinAnd(behind));
        }
        return new TailVerdict(any.keys(), any.dist(), any.threads(), any.targetOpsPerSecond(), best.map(),
                best.p99Ns(), longTails, behind, text.append('.').toString());
    }

    /**
     * The maps that lead some verdict, each with its count of {wins, ties, only-candidate verdicts}, most outright
     * wins first, then ties, then only-candidate verdicts, then by name: the order a headline names them in.
     */
    private static List<Map.Entry<String, int[]>> ranked(List<Verdict> verdicts) {
        Map<String, int[]> tally = new LinkedHashMap<>();
        for (Verdict v : verdicts) {
            switch (v.outcome()) {
                case Verdict.WIN -> tally.computeIfAbsent(v.leaders().get(0), k -> new int[3])[0]++;
                case Verdict.TIE -> {
                    for (String m : v.leaders()) {
                        tally.computeIfAbsent(m, k -> new int[3])[1]++;
                    }
                }
                default -> tally.computeIfAbsent(v.leaders().get(0), k -> new int[3])[2]++;
            }
        }
        List<Map.Entry<String, int[]>> ranked = new ArrayList<>(tally.entrySet());
        ranked.sort(Comparator.<Map.Entry<String, int[]>>comparingInt(e -> -e.getValue()[0])
                .thenComparingInt(e -> -e.getValue()[1])
                .thenComparingInt(e -> -e.getValue()[2])
                .thenComparing(Map.Entry::getKey));
        return ranked;
    }

    /** The map a set of verdicts names first (see {@link #ranked}), or null when there are none. */
    private static String named(List<Verdict> verdicts) {
        List<Map.Entry<String, int[]>> ranked = ranked(verdicts);
        return ranked.isEmpty() ? null : ranked.get(0).getKey();
    }

    /** A sentence to add when {@code map} has a long tail or fell behind under some measured load; else "". */
    private static String tailNote(String map, List<TailVerdict> tails) {
        if (map == null) {
            return "";
        }
        List<String> where = new ArrayList<>();
        for (TailVerdict t : tails) {
            String at = t.threads() + (t.threads() == 1 ? " thread" : " threads");
            if (t.fellBehind().contains(map)) {
                where.add("it fell behind the open-loop load at " + at
                        + (t.lowest() == null ? "" : " (" + t.lowest() + " kept up with the lowest p99)"));
            } else if (t.longTails().contains(map)) {
                where.add("its p99 is a long tail at " + at + " (" + t.lowest() + " has the lowest p99 there)");
            }
        }
        if (where.isEmpty()) {
            return "";
        }
        return " But weigh the tails: " + String.join("; ", where) + " (single latency runs; see the latency table).";
    }

    private static Measurement fastest(List<Measurement> ms) {
        return ms.stream().max(Comparator.comparingDouble(Measurement::score)).orElseThrow();
    }

    private static String joinAnd(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        if (names.size() == 2) {
            return names.get(0) + " and " + names.get(1);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    private static Double value(Ratio r) {
        return r == null ? null : r.value();
    }

    private static Double error(Ratio r) {
        return r == null || Double.isNaN(r.error()) ? null : r.error();
    }

    /** Returns the scenario's label for a verdict: {@code "97:3 · 100k keys · uniform · 2 threads"}. */
    static String label(Verdict v) {
        return v.mix() + " · " + KeyCount.format(v.keys()) + " keys · " + v.dist() + " · " + v.threads()
                + (v.threads() == 1 ? " thread" : " threads");
    }
}
