package dev.syncmap.cli.report;

import java.util.List;

/**
 * The recommendation for the measured workload. Immutable; a part of {@code results.json}.
 *
 * @param confidence the confidence level of every interval compared
 * @param headline the overall answer in one or two sentences
 * @param scenarios one verdict per scenario, among all measured maps
 * @param requirements one entry per requirement the user stated (snapshots, change feed), else empty
 * @param tails one comparison of latency tails per open-loop load measured (empty in results written before
 *              tails were weighed, and when no latency was measured)
 */
public record Recommendation(double confidence, String headline, List<Verdict> scenarios,
                             List<RequirementAdvice> requirements, List<TailVerdict> tails) {

    /**
     * Copies the lists; a missing {@code tails} (an older results file) reads as empty.
     *
     * @throws NullPointerException if {@code scenarios} or {@code requirements} is null
     */
    public Recommendation {
        scenarios = List.copyOf(scenarios);
        requirements = List.copyOf(requirements);
        tails = tails == null ? List.of() : List.copyOf(tails);
    }

    /**
     * The best map among those that meet one requirement.
     *
     * @param requirement {@code "snapshots"} or {@code "changeFeed"}
     * @param candidates the measured maps that meet it
     * @param headline the answer in one or two sentences
     * @param scenarios one verdict per scenario among the candidates (empty when there are none)
     */
    public record RequirementAdvice(String requirement, List<String> candidates, String headline,
                                    List<Verdict> scenarios) {
        /**
         * Copies the lists.
         *
         * @throws NullPointerException if a list is null
         */
        public RequirementAdvice {
            candidates = List.copyOf(candidates);
            scenarios = List.copyOf(scenarios);
        }
    }
}
