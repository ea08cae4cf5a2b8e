package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, failure 4: a watch registering while a commit was being released could miss it for good (with
 * progress bookmarks off) or get it only at the next bookmark: the commit read "no watcher" while the watcher
 * read "no new revision". Each round here races one {@code put} against one {@code watch} from the revision
 * before it, then checks that the watch receives that put. Bounded to a few seconds; the count of undelivered
 * puts must be 0.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionedMapWatchLostWakeUpTest {

    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** A delivery not seen within this long is counted lost (no later commit or bookmark would bring it). */
    private static final long LOST_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void watchRegisteringWhileAPutIsReleasedNeverMissesIt() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().executor(pool)
            .progressInterval(Duration.ZERO).build();
        AtomicInteger phase = new AtomicInteger(); // odd: a round is on; the writer bumps it to even when done
        AtomicLong stop = new AtomicLong();
        Thread writer = new Thread(() -> {
            for (int round = 1; stop.get() == 0; round++) {
                int target = 2 * round - 1;
                while (phase.get() < target) {
                    if (stop.get() != 0) {
                        return;
                    }
                    Thread.yield(); // not a busy spin: the watch executor needs these cores
                }
                m.put(round & 63, round);
                phase.incrementAndGet();
            }
        }, "lost-wakeup-writer");
        writer.setDaemon(true);
        writer.start();

        int rounds = 0;
        int undelivered = 0;
        long deadline = System.nanoTime() + RUN_NANOS;
        try {
            while (System.nanoTime() < deadline) {
                long before = m.revision();
                AtomicLong delivered = new AtomicLong(before);
                phase.incrementAndGet(); // go: the writer puts revision before + 1 while we register
                Watch w = m.watch(before, changes -> delivered.set(changes.get(changes.size() - 1).revision()));
                while (phase.get() % 2 != 0) {
                    Thread.yield(); // not a busy spin: the watch executor needs these cores
                }
                long want = before + 1;
                long waitUntil = System.nanoTime() + LOST_AFTER_NANOS;
                while (delivered.get() < want && System.nanoTime() < waitUntil) {
                    Thread.yield(); // not a busy spin: the watch executor needs these cores
                }
                if (delivered.get() < want) {
                    undelivered++;
                }
                w.close();
                rounds++;
            }
        } finally {
            stop.set(1);
            writer.join(5_000);
        }
        System.out.printf("lost wake-up stress: %d rounds, %d undelivered%n", rounds, undelivered);
        assertTrue(rounds > 100, "too few rounds to mean anything: " + rounds);
        assertEquals(0, undelivered, "puts never delivered to a watch registered while they committed, of "
            + rounds);
    }
}
