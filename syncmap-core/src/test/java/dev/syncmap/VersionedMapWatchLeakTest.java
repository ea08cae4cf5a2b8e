package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A million subscribe/cancel cycles must leave the retained heap flat. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class VersionedMapWatchLeakTest {

    private static final int CYCLES = 1_000_000;
    private static final long MAX_GROWTH_BYTES = 5L << 20;

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, mem.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    @Test
    void aMillionSubscribeCancelCyclesLeaveTheHeapFlat() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder()
            .progressInterval(Duration.ofMillis(100)).build();
        for (int i = 0; i < 100; i++) {
            m.put(i, i);
        }
        AtomicLong delivered = new AtomicLong();
        WatchListener<Integer, Integer> listener = new WatchListener<>() {
            @Override
            public void onChanges(List<Change<Integer, Integer>> changes) {
                delivered.addAndGet(changes.size());
            }
        };
        // warm up: load classes, start the pool and the timer, let the JIT settle
        churn(m, listener, 20_000);
        VersionedMapFeedTest.await("warm-up drain", 60, () -> m.watcherCount() == 0);
        Thread.sleep(300);
        long before = usedHeapAfterGc();

        long t0 = System.nanoTime();
        churn(m, listener, CYCLES);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(0, m.watcherCount(), "open watches after cancelling all");
        Thread.sleep(500); // queued deliveries of cancelled watches drain
        long after = usedHeapAfterGc();

        long growth = after - before;
        System.out.printf("watch leak test: %d cycles in %d ms, heap %d -> %d bytes (growth %d), %d changes delivered%n",
            CYCLES, elapsedMs, before, after, growth, delivered.get());
        assertTrue(growth < MAX_GROWTH_BYTES, "retained heap grew by " + growth + " bytes over " + CYCLES + " cycles");
        // the map still works and still delivers
        VersionedSnapshot<Integer, Integer> s = m.snapshot();
        Watch w = m.watch(s.revision(), listener);
        long d0 = delivered.get();
        m.put(1, -1);
        VersionedMapFeedTest.await("delivery after churn", 30, () -> delivered.get() > d0);
        w.close();
    }

    /** Subscribes and cancels {@code n} watches: half start at the head, half one revision back (so a delivery
     * is queued when they are cancelled), with a write every 1000 cycles. */
    private static void churn(VersionedMap<Integer, Integer> m, WatchListener<Integer, Integer> listener, int n) {
        for (int i = 0; i < n; i++) {
            long r = m.revision();
            Watch w = m.watch((i & 1) == 0 ? r : Math.max(0, r - 1), listener);
            w.close();
            if (i % 1000 == 0) {
                m.put(i % 100, i);
            }
        }
    }
}
