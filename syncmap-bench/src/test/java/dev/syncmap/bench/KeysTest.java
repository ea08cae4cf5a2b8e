package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class KeysTest {

    private static final int KEYS = 10_000;
    private static final int DRAWS = 1 << 20;

    @Test
    void streamsAreDeterministicPerSeedAndDifferAcrossSeeds() {
        for (String dist : new String[] {"uniform", "zipf"}) {
            int[] a = Keys.indices(dist, KEYS, 4096, 7);
            assertArrayEquals(a, Keys.indices(dist, KEYS, 4096, 7), dist);
            assertFalse(Arrays.equals(a, Keys.indices(dist, KEYS, 4096, 8)), dist);
            assertTrue(IntStream.of(a).allMatch(i -> i >= 0 && i < KEYS), dist);
        }
    }

    @Test
    void zipfIsSkewedAndUniformIsNot() {
        double zipfTop = shareOfTopOnePercent(Keys.zipf(KEYS, DRAWS, 1));
        double uniformTop = shareOfTopOnePercent(Keys.uniform(KEYS, DRAWS, 1));
        // theta 0.99 over 10,000 keys: the 100 hottest keys take H(100)/H(10000) ~ 53 % of the draws
        assertTrue(zipfTop > 0.45 && zipfTop < 0.62, "zipf top 1% share " + zipfTop);
        assertTrue(uniformTop < 0.02, "uniform top 1% share " + uniformTop);
    }

    @Test
    void hottestZipfKeyHasTheTheoreticalFrequencyAndIsTheScrambledRankZero() {
        int[] counts = histogram(Keys.zipf(KEYS, DRAWS, 3));
        int hottest = 0;
        for (int i = 1; i < KEYS; i++) {
            if (counts[i] > counts[hottest]) {
                hottest = i;
            }
        }
        assertEquals(Keys.zipfKeyOfRank(KEYS, 0), hottest);
        double expected = 1.0 / Keys.zeta(KEYS, Keys.ZIPF_THETA); // rank 0 is exact in Gray et al.'s method
        double observed = (double) counts[hottest] / DRAWS;
        assertEquals(expected, observed, expected * 0.05);
        // every thread (any stream seed) agrees on the hot key
        assertEquals(hottest, argMax(histogram(Keys.zipf(KEYS, DRAWS / 4, 99))));
    }

    @Test
    void scrambleIsAPermutationThatSpreadsTheHotKeys() {
        int[] permutation = Keys.scramble(KEYS, Keys.SCRAMBLE_SEED);
        int[] sorted = permutation.clone();
        Arrays.sort(sorted);
        assertArrayEquals(IntStream.range(0, KEYS).toArray(), sorted);
        long smallHotKeys = IntStream.range(0, 100).filter(rank -> Keys.zipfKeyOfRank(KEYS, rank) < 100).count();
        assertTrue(smallHotKeys < 10, "hot keys are not scrambled: " + smallHotKeys + " of 100 below 100");
    }

    @Test
    void boxedKeysAreEqualToTheirIndexAndDistinct() {
        Integer[] boxed = Keys.boxed(1000);
        for (int i = 0; i < boxed.length; i++) {
            assertEquals(i, boxed[i].intValue());
        }
        assertSame(boxed[500], boxed[500]);
    }

    @Test
    void tinyKeySpacesWork() {
        assertTrue(IntStream.of(Keys.zipf(1, 100, 1)).allMatch(i -> i == 0));
        assertTrue(IntStream.of(Keys.zipf(2, 1000, 1)).allMatch(i -> i == 0 || i == 1));
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        IllegalArgumentException dist = assertThrows(IllegalArgumentException.class,
                () -> Keys.indices("gaussian", 10, 10, 1));
        assertTrue(dist.getMessage().contains("gaussian") && dist.getMessage().contains("zipf"));
        assertThrows(IllegalArgumentException.class, () -> Keys.uniform(0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> Keys.zipf(10, -1, 1));
        assertEquals("zipf", Keys.normalizeDistribution(" Zipf "));
    }

    private static int[] histogram(int[] draws) {
        int[] counts = new int[KEYS];
        for (int draw : draws) {
            counts[draw]++;
        }
        return counts;
    }

    private static int argMax(int[] counts) {
        int best = 0;
        for (int i = 1; i < counts.length; i++) {
            if (counts[i] > counts[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double shareOfTopOnePercent(int[] draws) {
        int[] counts = histogram(draws);
        Arrays.sort(counts);
        long top = 0;
        for (int i = counts.length - KEYS / 100; i < counts.length; i++) {
            top += counts[i];
        }
        return (double) top / draws.length;
    }
}
