package dev.syncmap.cli.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Who leads one scenario, and by how much. Immutable; a part of {@code results.json}.
 *
 * <p>The rule: the leader wins only when its confidence interval does not overlap the runner-up's. Otherwise
 * every contender whose interval overlaps the leader's is tied for first, and no winner is named.
 *
 * @param mix the scenario's mix
 * @param keys the scenario's key count
 * @param dist the scenario's key distribution
 * @param threads the scenario's thread count
 * @param outcome {@code "win"}, {@code "tie"} or {@code "only"} (a single candidate was measured)
 * @param leaders the winner, or everyone tied for first, fastest first
 * @param runnerUp the best contender outside the leaders (for a win: the second), or null
 * @param ratio the leader's throughput over the second-fastest's, or null with a single candidate
 * @param ratioError the ratio's propagated error, or null when unknown
 * @param fastest the fastest of all measured maps, when these candidates were restricted by a requirement
 *                and it is not among them; otherwise null
 * @param ratioToFastest the first leader's throughput over {@code fastest}'s, or null
 * @param ratioToFastestError its error, or null
 * @param text the verdict in one sentence
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Verdict(String mix, int keys, String dist, int threads, String outcome, List<String> leaders,
                      String runnerUp, Double ratio, Double ratioError, String fastest, Double ratioToFastest,
                      Double ratioToFastestError, String text) {

    /** A single leader whose interval is clear of the runner-up's. */
    public static final String WIN = "win";
    /** Several contenders whose intervals overlap the leader's. */
    public static final String TIE = "tie";
    /** Only one candidate was measured. */
    public static final String ONLY = "only";

    /**
     * Copies the leaders.
     *
     * @throws NullPointerException if leaders is null
     */
    public Verdict {
        leaders = List.copyOf(leaders);
    }
}
