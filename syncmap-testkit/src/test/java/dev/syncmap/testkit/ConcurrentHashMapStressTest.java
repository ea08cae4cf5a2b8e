package dev.syncmap.testkit;

import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The control: the JDK's map must pass every stress oracle. */
class ConcurrentHashMapStressTest {

    private final MapStress stress = MapStress.forMap("ConcurrentHashMap", ConcurrentHashMap::new);

    @Test
    void counters() {
        stress.counters().assertPassed();
    }

    @Test
    void putIfAbsentRace() {
        stress.putIfAbsentRace().assertPassed();
    }

    @Test
    void viewsUnderWrites() {
        stress.viewsUnderWrites().assertPassed();
    }
}
