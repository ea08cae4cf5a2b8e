package dev.syncmap.cli.report;

import static dev.syncmap.cli.report.Fixtures.m;
import static dev.syncmap.cli.report.Fixtures.scenario;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.cli.bench.LatencyMeasurement;
import dev.syncmap.cli.bench.Measurement;
import dev.syncmap.cli.bench.Plan;
import dev.syncmap.cli.bench.Scenario;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecommenderTest {

    private final Recommender recommender = Fixtures.recommender();
    private final Scenario s = scenario("97:3", 100_000, 2);

    private Verdict only(List<Measurement> ms) {
        Recommendation r = recommender.recommend(ms, Plan.Needs.NONE);
        assertEquals(1, r.scenarios().size());
        return r.scenarios().get(0);
    }

    @Test
    void clearWinNamesTheWinnerAndItsMarginWithError() {
        Verdict v = only(List.of(
                m("ConcurrentHashMap", s, 100, 5),
                m("StripedMap", s, 150, 6),
                m("TrieMap", s, 50, 2)));
        assertEquals(Verdict.WIN, v.outcome());
        assertEquals(List.of("StripedMap"), v.leaders());
        assertEquals("ConcurrentHashMap", v.runnerUp());
        assertEquals(1.5, v.ratio(), 1e-9);
        // 1.5 * sqrt((6/150)^2 + (5/100)^2)
        assertEquals(1.5 * Math.sqrt(0.04 * 0.04 + 0.05 * 0.05), v.ratioError(), 1e-9);
        assertTrue(v.text().startsWith("StripedMap wins: 1.50× ± 0.10 the throughput of ConcurrentHashMap"),
                v.text());
    }

    @Test
    void overlappingIntervalsAreATieNeverAWin() {
        // 110 ± 8 = [102, 118] and 100 ± 5 = [95, 105] overlap: 10 % faster, but inside the error.
        Verdict v = only(List.of(
                m("ConcurrentHashMap", s, 100, 5),
                m("StripedMap", s, 110, 8),
                m("TrieMap", s, 50, 2)));
        assertEquals(Verdict.TIE, v.outcome());
        assertEquals(List.of("StripedMap", "ConcurrentHashMap"), v.leaders());
        assertEquals("TrieMap", v.runnerUp());
        assertTrue(v.text().startsWith("Tie between StripedMap and ConcurrentHashMap"), v.text());
        assertFalse(v.text().contains("wins"), v.text());
    }

    @Test
    void intervalsThatJustTouchAreATie() {
        Verdict v = only(List.of(m("ConcurrentHashMap", s, 100, 5), m("StripedMap", s, 110, 5)));
        assertEquals(Verdict.TIE, v.outcome());
    }

    @Test
    void intervalsJustApartAreAWin() {
        Verdict v = only(List.of(m("ConcurrentHashMap", s, 100, 5), m("StripedMap", s, 110.01, 5)));
        assertEquals(Verdict.WIN, v.outcome());
    }

    @Test
    void everyContenderOverlappingTheLeaderJoinsTheTie() {
        Verdict v = only(List.of(
                m("ConcurrentHashMap", s, 100, 15),
                m("StripedMap", s, 110, 5),
                m("VersionedMap", s, 104, 3),
                m("TrieMap", s, 10, 1)));
        assertEquals(Verdict.TIE, v.outcome());
        assertEquals(List.of("StripedMap", "VersionedMap", "ConcurrentHashMap"), v.leaders());
        assertTrue(v.text().startsWith("Tie between StripedMap, VersionedMap and ConcurrentHashMap"), v.text());
    }

    @Test
    void unknownErrorNeverYieldsAWinner() {
        Verdict v = only(List.of(m("ConcurrentHashMap", s, 100, Double.NaN), m("StripedMap", s, 1000, Double.NaN)));
        assertEquals(Verdict.TIE, v.outcome());
        assertNull(v.ratioError());
        assertTrue(v.text().contains("error is unknown"), v.text());
    }

    @Test
    void snapshotRequirementPicksTheBestMapThatOffersThem() {
        // StripedMap is fastest overall but has no snapshots; VersionedMap clearly beats TrieMap.
        Recommendation r = recommender.recommend(List.of(
                m("ConcurrentHashMap", s, 100, 2),
                m("StripedMap", s, 150, 3),
                m("VersionedMap", s, 90, 2),
                m("TrieMap", s, 40, 2)), new Plan.Needs(true, false));
        assertEquals(List.of("StripedMap"), r.scenarios().get(0).leaders());
        assertEquals(1, r.requirements().size());
        Recommendation.RequirementAdvice a = r.requirements().get(0);
        assertEquals("snapshots", a.requirement());
        assertEquals(List.of("VersionedMap", "TrieMap"), a.candidates());
        Verdict v = a.scenarios().get(0);
        assertEquals(Verdict.WIN, v.outcome());
        assertEquals(List.of("VersionedMap"), v.leaders());
        assertEquals("StripedMap", v.fastest());
        assertEquals(0.6, v.ratioToFastest(), 1e-9);
        assertTrue(a.headline().startsWith("Needing snapshots: VersionedMap wins: 2.25× ± 0.12 the throughput of TrieMap; "
                + "VersionedMap runs at 0.60× ± 0.02 the throughput of the fastest map, StripedMap."),
                a.headline());
        assertTrue(a.headline().contains("0.60×"), a.headline());
    }

    @Test
    void snapshotRequirementAlsoReportsTies() {
        Recommendation r = recommender.recommend(List.of(
                m("ConcurrentHashMap", s, 100, 2),
                m("VersionedMap", s, 60, 5),
                m("TrieMap", s, 58, 5)), new Plan.Needs(true, false));
        Verdict v = r.requirements().get(0).scenarios().get(0);
        assertEquals(Verdict.TIE, v.outcome());
        assertEquals(List.of("VersionedMap", "TrieMap"), v.leaders());
    }

    @Test
    void requirementWithNoMeasuredCandidateSuggestsOne() {
        Recommendation r = recommender.recommend(List.of(
                m("ConcurrentHashMap", s, 100, 2), m("StripedMap", s, 150, 3)), new Plan.Needs(false, true));
        Recommendation.RequirementAdvice a = r.requirements().get(0);
        assertEquals("changeFeed", a.requirement());
        assertTrue(a.candidates().isEmpty());
        assertTrue(a.headline().contains("None of the measured maps offers a change feed; add VersionedMap"),
                a.headline());
    }

    @Test
    void headlineOverManyScenariosCountsWinsAndTies() {
        Scenario a = scenario("97:3", 100_000, 1);
        Scenario b = scenario("97:3", 100_000, 2);
        Scenario c = scenario("50:50", 100_000, 2);
        Recommendation r = recommender.recommend(List.of(
                m("ConcurrentHashMap", a, 100, 2), m("StripedMap", a, 150, 3),
                m("ConcurrentHashMap", b, 100, 2), m("StripedMap", b, 200, 3),
                m("ConcurrentHashMap", c, 100, 10), m("StripedMap", c, 105, 10)), Plan.Needs.NONE);
        assertEquals(3, r.scenarios().size());
        assertEquals("StripedMap leads most often: it wins 2 of 3 scenarios outright and ties for first in 1 more; "
                + "1 scenario is a tie.", r.headline());
    }

    @Test
    void headlineWhenOneMapWinsEverything() {
        Scenario a = scenario("97:3", 100_000, 1);
        Scenario b = scenario("50:50", 100_000, 1);
        Recommendation r = recommender.recommend(List.of(
                m("ConcurrentHashMap", a, 100, 2), m("StripedMap", a, 150, 3),
                m("ConcurrentHashMap", b, 100, 2), m("StripedMap", b, 300, 3)), Plan.Needs.NONE);
        assertEquals("StripedMap wins all 2 scenarios outright, by 1.50× to 3.00× over the runner-up.",
                r.headline());
    }

    @Test
    void headlineWhenEverythingIsATie() {
        Scenario a = scenario("97:3", 100_000, 1);
        Scenario b = scenario("50:50", 100_000, 1);
        Recommendation r = recommender.recommend(List.of(
                m("ConcurrentHashMap", a, 100, 20), m("StripedMap", a, 110, 20),
                m("ConcurrentHashMap", b, 100, 20), m("StripedMap", b, 90, 20)), Plan.Needs.NONE);
        assertTrue(r.headline().startsWith("No clear winner in any of the 2 scenarios"), r.headline());
    }

    @Test
    void noResultsMeansNoRecommendation() {
        Recommendation r = recommender.recommend(List.of(), new Plan.Needs(true, true));
        assertTrue(r.headline().startsWith("No results"), r.headline());
        assertTrue(r.scenarios().isEmpty());
    }

    private static LatencyMeasurement lat(String map, int threads, long p99Us, long dropped, Double gcShare) {
        long us = 1_000;
        return new LatencyMeasurement(map, 100_000, "uniform", threads, 50_000, 50_000, 50_000, dropped, us, 2 * us,
                p99Us * us, 2 * p99Us * us, 3 * p99Us * us, us, p99Us * us, 2 * p99Us * us, gcShare, gcShare, 1, us);
    }

    @Test
    void aThroughputWinnerWithALongTailIsNamedWithTheMapThatHasTheLowestP99() {
        Recommendation r = recommender.recommend(List.of(
                m("ConcurrentHashMap", s, 100, 5), m("StripedMap", s, 150, 6)),
            List.of(lat("ConcurrentHashMap", 1, 10, 0, 0.0), lat("StripedMap", 1, 11, 0, 0.0),
                lat("ConcurrentHashMap", 2, 20, 0, 0.0), lat("StripedMap", 2, 120, 0, 0.25),
                lat("CopyOnWriteMap", 2, 5, 900, 1.0)),
            Plan.Needs.NONE);
        assertEquals(2, r.tails().size());
        TailVerdict one = r.tails().get(0);
        assertEquals("ConcurrentHashMap", one.lowest());
        assertTrue(one.longTails().isEmpty(), "1.1x is no long tail: " + one.text());
        TailVerdict two = r.tails().get(1);
        assertEquals(2, two.threads());
        assertEquals("ConcurrentHashMap", two.lowest(), "a map that dropped requests is never the lowest");
        assertEquals(20_000, two.lowestP99Ns());
        assertEquals(List.of("StripedMap"), two.longTails());
        assertEquals(List.of("CopyOnWriteMap"), two.fellBehind());
        assertTrue(two.text().endsWith("; fell behind the load (dropped requests): CopyOnWriteMap."), two.text());
        assertTrue(two.text().contains("StripedMap 6×, 25 % of it in GC pauses"), two.text());
        assertTrue(r.headline().startsWith("StripedMap wins"), r.headline());
        assertTrue(r.headline().contains("But weigh the tails: its p99 is a long tail at 2 threads "
            + "(ConcurrentHashMap has the lowest p99 there)"), r.headline());
    }

    @Test
    void aWinnerWithoutALongTailGetsNoTailNoteAndRequirementsAreWeighedToo() {
        Recommendation r = recommender.recommend(List.of(
                m("ConcurrentHashMap", s, 150, 5), m("VersionedMap", s, 100, 6), m("TrieMap", s, 40, 2)),
            List.of(lat("ConcurrentHashMap", 2, 20, 0, 0.0), lat("VersionedMap", 2, 120, 0, 0.4),
                lat("TrieMap", 2, 21, 0, 0.0)),
            new Plan.Needs(true, false));
        assertFalse(r.headline().contains("weigh the tails"), r.headline());
        Recommendation.RequirementAdvice snapshots = r.requirements().get(0);
        assertTrue(snapshots.headline().contains("But weigh the tails: its p99 is a long tail at 2 threads "
            + "(ConcurrentHashMap has the lowest p99 there)"), snapshots.headline());
    }

    @Test
    void aWinnerThatFellBehindIsSaidToHaveFallenBehind() {
        Recommendation r = recommender.recommend(List.of(m("CopyOnWriteMap", s, 150, 5),
                m("ConcurrentHashMap", s, 100, 5)),
            List.of(lat("CopyOnWriteMap", 2, 900_000, 30_000, 1.0), lat("ConcurrentHashMap", 2, 20, 0, 0.0)),
            Plan.Needs.NONE);
        assertTrue(r.headline().contains("it fell behind the open-loop load at 2 threads (ConcurrentHashMap kept up "
            + "with the lowest p99)"), r.headline());
    }

    @Test
    void noLatencyMeansNoTails() {
        Recommendation r = recommender.recommend(List.of(m("ConcurrentHashMap", s, 100, 5)), Plan.Needs.NONE);
        assertTrue(r.tails().isEmpty());
        assertFalse(r.headline().contains("tails"), r.headline());
    }
}
