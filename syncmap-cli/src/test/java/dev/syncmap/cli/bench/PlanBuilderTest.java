package dev.syncmap.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.bench.Mix;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanBuilderTest {

    private static final List<String> AVAILABLE = List.of("ConcurrentHashMap", "SynchronizedMap", "StripedMap",
            "VersionedMap");

    @Test
    void defaultMatrixIsTheGridPlusAKeySweep() {
        Plan p = new PlanBuilder(AVAILABLE).build();
        // 3 mixes x 3 thread counts at 100k, plus 1k and 1M at 97:3 and 2 threads
        assertEquals(11, p.scenarios().size());
        assertEquals(11 * AVAILABLE.size(), p.configurations().size());
        assertTrue(p.scenarios().contains(new Scenario(new Mix(97, 3), 1_000_000, Dist.UNIFORM, 2)));
        // each contender at 1 load thread and at the machine's core count
        int threadCounts = Runtime.getRuntime().availableProcessors() > 1 ? 2 : 1;
        assertEquals(threadCounts * AVAILABLE.size(), p.latencyRuns().size());
        assertEquals(1, p.latencyRuns().get(0).threads());
        assertEquals(AVAILABLE.size(), p.footprintRuns().size());
        assertEquals(100_000, p.footprintRuns().get(0).keys());
        assertEquals(Plan.Needs.NONE, p.needs());
    }

    @Test
    void quickMatrixIsSmallerAndShorter() {
        Plan full = new PlanBuilder(AVAILABLE).build();
        Plan quick = new PlanBuilder(AVAILABLE).quick(true).build();
        assertEquals(5, quick.scenarios().size());
        assertTrue(quick.estimateMillis() * 2 < full.estimateMillis());
    }

    @Test
    void defaultMatrixForNineContendersFitsItsTimeBudget() {
        List<String> nine = List.of("ConcurrentHashMap", "SynchronizedMap", "NonBlockingHashMap", "TrieMap",
                "LockedMap", "StripedMap", "ReadDirtyMap", "CopyOnWriteMap", "VersionedMap");
        long full = new PlanBuilder(nine).build().estimateMillis();
        long quick = new PlanBuilder(nine).quick(true).build().estimateMillis();
        // latency at 1 thread and at the core count: one more run per contender on a multi-core machine
        assertTrue(full > 260_000 && full < 370_000, "default estimate " + full); // about 5 to 6 minutes
        assertTrue(quick > 100_000 && quick < 165_000, "quick estimate " + quick); // about 2 to 2.5 minutes
    }

    @Test
    void commandLineOverridesWorkloadWhichOverridesDefaults() {
        Workload w = new Workload("w", List.of(new Mix(90, 10)), List.of(1_000), List.of(8), List.of(Dist.ZIPF),
                List.of("StripedMap"), new Plan.Needs(true, false));
        Plan p = new PlanBuilder(AVAILABLE).workload(w).threads(List.of(2)).needSnapshots(false).needFeed(true)
                .build();
        assertEquals(List.of(new Scenario(new Mix(90, 10), 1_000, Dist.ZIPF, 2)), p.scenarios());
        assertEquals(List.of("ConcurrentHashMap", "StripedMap"), p.maps()); // the baseline is added
        assertEquals(new Plan.Needs(false, true), p.needs());
    }

    @Test
    void userAxesDisableTheKeySweep() {
        Plan p = new PlanBuilder(AVAILABLE).mixes(List.of(new Mix(97, 3))).build();
        assertEquals(3, p.scenarios().size());
        assertTrue(p.scenarios().stream().allMatch(s -> s.keys() == 100_000));
    }

    @Test
    void mapNamesAreCaseInsensitiveAndDeduplicated() {
        Plan p = new PlanBuilder(AVAILABLE).maps(List.of("stripedmap", "StripedMap", "concurrenthashmap")).build();
        assertEquals(List.of("StripedMap", "ConcurrentHashMap"), p.maps());
    }

    @Test
    void unknownMapIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PlanBuilder(AVAILABLE).maps(List.of("StripedMap", "FastMap")).build());
        assertTrue(e.getMessage().startsWith("unknown map 'FastMap'"), e.getMessage());
    }

    @Test
    void extrasCanBeTurnedOff() {
        Plan p = new PlanBuilder(AVAILABLE).latency(false).footprint(false).gc(false).build();
        assertTrue(p.latencyRuns().isEmpty());
        assertTrue(p.footprintRuns().isEmpty());
        assertFalse(p.settings().gc());
    }

    @Test
    void outOfRangeSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PlanBuilder(AVAILABLE).confidence(1.5).build());
        assertThrows(IllegalArgumentException.class, () -> new PlanBuilder(AVAILABLE).forks(-1).build());
        assertThrows(IllegalArgumentException.class, () -> new PlanBuilder(AVAILABLE).iterations(0).build());
    }
}
