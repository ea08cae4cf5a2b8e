package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FootprintTest {

    @ParameterizedTest
    @EnumSource(Contender.class)
    void everyContenderCostsAtLeastItsBoxesAndNotAbsurdlyMore(Contender name) {
        double boxes = Footprint.boxBytesPerEntry(name, 2000);
        double perEntry = Footprint.bytesPerEntry(name, 2000);
        assertTrue(boxes >= 32 && boxes <= 48, name + " boxes " + boxes); // two Integers, 16-24 bytes each
        assertTrue(perEntry > boxes && perEntry < boxes + 400, name + " " + perEntry);
    }

    @Test
    void hashMapBasedMapsMatchTheHandCount() {
        // HashMap.Node (32 bytes with compressed references) + two boxes (32) + a table slot (4 bytes, table
        // sized to a power of two above n / 0.75): 2000 entries → 4096 slots → ~8 bytes of table per entry
        double perEntry = Footprint.bytesPerEntry(Contender.SynchronizedMap, 2000);
        assertEquals(32 + 32 + 4 * 4096 / 2000.0, perEntry, 2.0);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Footprint.bytesPerEntry(Contender.ConcurrentHashMap, 0));
    }
}
