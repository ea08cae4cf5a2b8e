package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class OpStreamTest {

    @Test
    void streamHasTheExactReadShareAndEvenlySplitWrites() {
        Integer[] boxed = Keys.boxed(1000);
        OpStream stream = OpStream.generate(Mix.parse("97:3").readFraction(), "zipf", boxed, 1 << 16, 5);
        int[] counts = new int[3];
        for (byte kind : stream.kinds()) {
            counts[kind]++;
        }
        assertEquals(Math.round((1 << 16) * 0.97), counts[OpStream.GET]);
        assertTrue(Math.abs(counts[OpStream.PUT] - counts[OpStream.REMOVE]) <= 1);
        for (Integer key : stream.keys()) {
            assertSame(boxed[key], key, "keys must be the shared pre-boxed instances");
        }
        // reads and writes are interleaved, not in two blocks
        int firstWrite = 0;
        while (stream.kinds()[firstWrite] == OpStream.GET) {
            firstWrite++;
        }
        assertTrue(firstWrite < 1000, "first write at " + firstWrite);
    }

    @Test
    void sizeStaysNearHalfTheKeysUnderThePutRemoveSplit() {
        Integer[] boxed = Keys.boxed(10_000);
        Map<Integer, Integer> map = new HashMap<>();
        int initial = OpStream.populate(map, boxed);
        assertEquals(initial, map.size());
        assertEquals(5_000, initial, 250);
        for (String dist : new String[] {"uniform", "zipf"}) {
            OpStream stream = OpStream.generate(0.0, dist, boxed, 1 << 18, 11);
            for (int i = 0; i < stream.kinds().length; i++) {
                Integer key = stream.keys()[i];
                if (stream.kinds()[i] == OpStream.PUT) {
                    map.put(key, key);
                } else {
                    map.remove(key);
                }
            }
            assertEquals(5_000, map.size(), 250, dist);
        }
    }
}
