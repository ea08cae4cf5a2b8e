package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.Reference;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

class OpenLoopLatencyTest {

    private static final long MS = 1_000_000;

    /**
     * A map whose get stalls once, for {@code stallNanos}, on the first call after the time set by {@link #armAt}:
     * a GC pause or a lock convoy, in miniature. Every request scheduled during the stall is late by up to the stall.
     */
    static final class StallingMap extends AbstractMap<Integer, Integer> {
        private final Map<Integer, Integer> delegate = new ConcurrentHashMap<>();
        private final AtomicBoolean stalled = new AtomicBoolean();
        private final Runnable stall;
        private volatile long stallAt = Long.MAX_VALUE;

        StallingMap(long stallNanos) {
            this(() -> sleepNanos(stallNanos));
        }

        /** A map whose one stall is {@code stall}: its own waiting, or a collection it forces. */
        StallingMap(Runnable stall) {
            this.stall = stall;
        }

        void armAt(long nanoTime) {
            stallAt = nanoTime;
        }

        @Override
        public Integer get(Object key) {
            if (System.nanoTime() >= stallAt && stalled.compareAndSet(false, true)) {
                stall.run();
            }
            return delegate.get(key);
        }

        @Override
        public Integer put(Integer key, Integer value) {
            return delegate.put(key, value);
        }

        @Override
        public Integer remove(Object key) {
            return delegate.remove(key);
        }

        @Override
        public Set<Entry<Integer, Integer>> entrySet() {
            return delegate.entrySet();
        }
    }

    /** A map that takes {@code nanos} for every operation: far slower than the schedule asks. */
    static final class SlowMap extends AbstractMap<Integer, Integer> {
        private final Map<Integer, Integer> delegate = new ConcurrentHashMap<>();
        private final long nanos;

        SlowMap(long nanos) {
            this.nanos = nanos;
        }

        @Override
        public Integer get(Object key) {
            sleepNanos(nanos);
            return delegate.get(key);
        }

        @Override
        public Integer put(Integer key, Integer value) {
            sleepNanos(nanos);
            return delegate.put(key, value);
        }

        @Override
        public Integer remove(Object key) {
            sleepNanos(nanos);
            return delegate.remove(key);
        }

        @Override
        public Set<Entry<Integer, Integer>> entrySet() {
            return delegate.entrySet();
        }
    }

    static void sleepNanos(long nanos) {
        long until = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    @Test
    void aStallShowsInTheTailForEveryRequestItDelayed() {
        // 2,000 requests/s for 2 s; a 300 ms stall 0.6 s in holds up ~600 of ~4,000 requests (15 %), with
        // latencies spread from 300 ms down to 0: the top 1 % (~40 requests) are all >= ~280 ms.
        long stallNanos = 300 * MS;
        StallingMap map = new StallingMap(stallNanos);
        OpenLoopLatency.Schedule schedule = OpenLoopLatency.prepare(map, 1000, "uniform", 2000, 1, true);
        map.armAt(System.nanoTime() + 600 * MS);
        OpenLoopLatency.LatencyResult result = schedule.execute(Duration.ofSeconds(2), Duration.ZERO);

        assertTrue(result.maxNs() >= stallNanos, result.toString());
        assertTrue(result.p99Ns() >= 250 * MS, "p99 must include the requests queued behind the stall: " + result);
        assertTrue(result.p999Ns() >= 250 * MS, result.toString());
        // the closed-loop view (from actual issue) sees a single slow call: its tail misses the stall
        assertTrue(result.serviceP99Ns() < 50 * MS, "service time p99 should not see the stall: " + result);
        // the map's own waiting, not the collector's
        assertTrue(result.tail().p99GcShare() < 0.5, "a map's stall attributed to the collector: " + result);
        assertEquals(4000, result.count(), 400);
        assertEquals(0, result.dropped());
    }

    @Test
    void aCollectorPauseInTheTailIsAttributedToTheCollector() {
        // a full collection over a large live set, forced 0.6 s into a 2 s schedule at 2,000 requests/s: the
        // requests queued behind it are the top of the tail, and they overlapped the pause
        Object[] live = new Object[4_000_000];
        for (int i = 0; i < live.length; i++) {
            live[i] = new long[] {i};
        }
        StallingMap map = new StallingMap(System::gc);
        OpenLoopLatency.Schedule schedule = OpenLoopLatency.prepare(map, 1000, "uniform", 2000, 1, true);
        map.armAt(System.nanoTime() + 600 * MS);
        OpenLoopLatency.LatencyResult result = schedule.execute(Duration.ofSeconds(2), Duration.ZERO);
        Reference.reachabilityFence(live);

        assertTrue(result.tail().pauses() >= 1, "the forced collection was not recorded: " + result);
        assertTrue(result.tail().p99GcShare() >= 0.5, "the collector's pause not found in the tail: " + result);
        assertTrue(result.tail().p99Slow() >= 40 * 0.9, result.toString());
    }

    @Test
    void overloadIsBoundedInTimeAndReportedAsDroppedAndALowAchievedRate() {
        // every operation takes 1 ms, the schedule asks for 10,000/s: capacity is ~1,000/s
        SlowMap map = new SlowMap(TimeUnit.MILLISECONDS.toNanos(1));
        OpenLoopLatency.Schedule schedule = OpenLoopLatency.prepare(map, 100, "zipf", 10_000, 1, false);
        long started = System.nanoTime();
        OpenLoopLatency.LatencyResult result = schedule.execute(Duration.ofMillis(500), Duration.ZERO);
        long tookMs = (System.nanoTime() - started) / MS;

        assertTrue(tookMs < 1500, "a 0.5 s schedule must end by its 0.5 s drain deadline; took " + tookMs + " ms");
        assertTrue(result.dropped() > 2000, result.toString());
        assertTrue(result.achievedOpsPerSecond() < 2000, result.toString());
        assertTrue(result.p50Ns() > 100 * MS, "the queue, not the 1 ms service time, dominates: " + result);
        assertTrue(result.serviceP50Ns() < 20 * MS, result.toString());
    }

    @Test
    void aFastMapKeepsTheScheduleAndItsMedianIsSmall() {
        OpenLoopLatency.LatencyResult result = OpenLoopLatency.run(Contender.ConcurrentHashMap, 1000, "zipf", 2000, 2,
                Duration.ofSeconds(1));
        assertEquals(2000, result.achievedOpsPerSecond(), 300, result.toString());
        assertEquals(0, result.dropped());
        assertTrue(result.p50Ns() < 20 * MS, result.toString());
        assertTrue(result.p50Ns() <= result.p90Ns() && result.p90Ns() <= result.p99Ns()
                && result.p99Ns() <= result.p999Ns() && result.p999Ns() <= result.maxNs(), result.toString());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> OpenLoopLatency.run(Contender.ConcurrentHashMap, 10, "zipf", 0, 1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> OpenLoopLatency.run(Contender.ConcurrentHashMap, 10, "zipf", 100, 0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> OpenLoopLatency.run(Contender.ConcurrentHashMap, 10, "zipf", 100, 1, Duration.ZERO));
    }
}
