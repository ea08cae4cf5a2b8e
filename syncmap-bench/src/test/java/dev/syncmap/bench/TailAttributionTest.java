package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TailAttribution} on hand-made requests and pauses: which slow request overlapped which pause. */
class TailAttributionTest {

    private static final long MS = 1_000_000;

    @Test
    void onlySlowRequestsAreAttributedAndOnlyThoseThatOverlapAPause() {
        List<GcPauses.Pause> pauses = List.of(new GcPauses.Pause(100 * MS, 110 * MS, "test"));
        // done, latency: fast inside the pause (not slow), slow across the pause, slow far from it, slow just
        // after the pause within the alignment margin, very slow across the pause
        long[] done = {105 * MS, 112 * MS, 300 * MS, 111 * MS + MS / 2, 150 * MS};
        long[] latency = {MS / 10, 15 * MS, 15 * MS, 5 * MS, 60 * MS}; // the 4th: 106.5 to 111.5 ms
        TailAttribution t = TailAttribution.of(done, latency, done.length, 5 * MS, 50 * MS, pauses, 0, 400 * MS);
        assertEquals(4, t.p99Slow());
        assertEquals(3, t.p99SlowInGc());
        assertEquals(1, t.p999Slow());
        assertEquals(1, t.p999SlowInGc());
        assertEquals(0.75, t.p99GcShare(), 1e-9);
        assertEquals(1, t.pauses());
        assertEquals(10 * MS, t.pauseNs());
    }

    @Test
    void pausesOutsideTheMeasuredWindowAreNotCounted() {
        List<GcPauses.Pause> pauses = List.of(new GcPauses.Pause(10 * MS, 20 * MS, "warm-up"),
            new GcPauses.Pause(500 * MS, 520 * MS, "measured"));
        long[] done = {30 * MS, 530 * MS};
        long[] latency = {25 * MS, 25 * MS};
        TailAttribution t = TailAttribution.of(done, latency, 2, MS, 10 * MS, pauses, 100 * MS, 600 * MS);
        assertEquals(1, t.pauses());
        assertEquals(20 * MS, t.pauseNs());
        assertEquals(2, t.p99Slow());
        assertEquals(1, t.p99SlowInGc(), "the warm-up's pause is outside the window");
    }

    @Test
    void noSlowRequestsMeansNoShare() {
        TailAttribution t = TailAttribution.of(new long[0], new long[0], 0, MS, MS, List.of(), 0, MS);
        assertEquals(0, t.p99GcShare());
        assertEquals(0, t.p999GcShare());
    }
}
