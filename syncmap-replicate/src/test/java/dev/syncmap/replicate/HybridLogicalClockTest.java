package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class HybridLogicalClockTest {

    long wall = 1_000;
    final HybridLogicalClock clock = new HybridLogicalClock(() -> wall, Duration.ofMillis(100));

    @Test
    void stampsGrowEvenWhenTheWallClockStandsStillOrGoesBack() {
        long a = clock.now();
        long b = clock.now();
        wall -= 500; // NTP stepped the clock back
        long c = clock.now();
        assertTrue(a < b && b < c);
        assertEquals(1_000, HybridLogicalClock.physicalMillis(c));
        assertEquals(2, HybridLogicalClock.logical(c));
        wall = 2_000;
        assertEquals(HybridLogicalClock.stamp(2_000, 0), clock.now());
    }

    @Test
    void observingARemoteStampOrdersTheReceiveAfterIt() {
        long remote = HybridLogicalClock.stamp(1_050, 7);
        long recv = clock.observe(remote);
        assertTrue(recv > remote);
        assertTrue(clock.now() > recv);
        assertEquals(0, clock.stampsBeyondSkew());
    }

    @Test
    void stampsFromFurtherAheadThanTheBoundAreCountedNotRefused() {
        long remote = HybridLogicalClock.stamp(1_000 + 5_000, 0);
        long recv = clock.observe(remote);
        assertTrue(recv > remote);
        assertEquals(1, clock.stampsBeyondSkew());
        assertEquals(5_000, clock.largestSkewMillis());
    }

    @Test
    void theLogicalCounterCarriesIntoTheMillisecond() {
        long last = 0;
        for (int i = 0; i < 70_000; i++) {
            long s = clock.now();
            assertTrue(s > last);
            last = s;
        }
        assertEquals(1_001, HybridLogicalClock.physicalMillis(last));
    }

    @Test
    void partsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> HybridLogicalClock.stamp(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> HybridLogicalClock.stamp(0, 65_536));
        assertThrows(IllegalArgumentException.class, () -> new HybridLogicalClock(Duration.ofMillis(-1)));
    }
}
