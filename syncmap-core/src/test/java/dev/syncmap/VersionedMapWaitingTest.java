package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.internal.FaultHooks;
import dev.syncmap.internal.FaultHooks.Site;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: writers and cuts that find {@link VersionedMap}'s sequencer or a stripe held wait in the JDK's queue:
 * they park (their core is free for the holder) and wake when the holder releases, a poisoned map wakes every one
 * of them to throw, and nothing is lost or left waiting. A holder is simulated by a writer held inside its commit
 * section (the fault hook of its history append), as a descheduled writer would be.
 */
class VersionedMapWaitingTest {

    private static final int WRITERS = 6;
    private static final int CUTS = 4;

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        FaultHooks.clear();
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "test threads stopped");
    }

    /** Holds {@code holder}'s commit inside its section (second LOG_APPEND reach) until {@code go} opens. */
    private static CountDownLatch holdInsideSection(Thread[] holder, CountDownLatch go, Error thenThrow) {
        CountDownLatch inside = new CountDownLatch(1);
        AtomicInteger reaches = new AtomicInteger();
        FaultHooks.install(site -> {
            if (site == Site.LOG_APPEND && Thread.currentThread() == holder[0] && reaches.incrementAndGet() == 2) {
                inside.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                if (thenThrow != null) {
                    throw thenThrow;
                }
            }
        });
        return inside;
    }

    private static boolean allParked(List<Thread> threads) {
        for (Thread t : threads) {
            if (t.getState() != Thread.State.WAITING) {
                return false;
            }
        }
        return true;
    }

    private static void awaitParked(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!allParked(threads)) {
            if (System.nanoTime() > deadline) {
                StringBuilder states = new StringBuilder();
                threads.forEach(t -> states.append(t.getName()).append('=').append(t.getState()).append(' '));
                throw new AssertionError("waiters did not park behind the held sequencer: " + states);
            }
            Thread.sleep(5);
        }
    }

    /** Starts the holder, then writers of other keys and cuts that must queue behind it; returns their futures. */
    private List<Future<?>> queueBehindHolder(VersionedMap<Integer, Integer> m, Thread[] holder,
                                              CountDownLatch inside, List<Future<?>> holderDone,
                                              List<Thread> waiters) throws Exception {
        CountDownLatch started = new CountDownLatch(WRITERS + CUTS);
        holderDone.add(pool.submit(() -> {
            holder[0] = Thread.currentThread();
            m.put(-1, -1);
            return null;
        }));
        assertTrue(inside.await(10, TimeUnit.SECONDS), "the holder reached its commit section");
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            int key = i;
            futures.add(pool.submit(() -> {
                synchronized (waiters) {
                    waiters.add(Thread.currentThread());
                }
                started.countDown();
                m.put(key, key);
                return null;
            }));
        }
        for (int i = 0; i < CUTS; i++) {
            int kind = i;
            futures.add(pool.submit(() -> {
                synchronized (waiters) {
                    waiters.add(Thread.currentThread());
                }
                started.countDown();
                return kind % 2 == 0 ? m.snapshot().size() : m.size();
            }));
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        synchronized (waiters) {
            awaitParked(waiters);
        }
        return futures;
    }

    @Test
    void waitersParkBehindAHeldSectionAndAllProceedWhenItIsReleased() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        Thread[] holder = new Thread[1];
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch inside = holdInsideSection(holder, go, null);
        List<Future<?>> holderDone = new ArrayList<>();
        List<Thread> waiters = new ArrayList<>();
        List<Future<?>> futures = queueBehindHolder(m, holder, inside, holderDone, waiters);
        go.countDown();
        holderDone.get(0).get(10, TimeUnit.SECONDS);
        for (Future<?> f : futures) {
            f.get(10, TimeUnit.SECONDS); // a lost wake-up leaves one parked: TimeoutException
        }
        assertEquals(WRITERS + 1, m.revision(), "every queued write committed once");
        assertEquals(WRITERS + 1, m.size());
    }

    @Test
    void aPoisonedSectionWakesEveryParkedWaiterToThrow() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        Thread[] holder = new Thread[1];
        CountDownLatch go = new CountDownLatch(1);
        OutOfMemoryError oom = new OutOfMemoryError("injected inside the held section");
        CountDownLatch inside = holdInsideSection(holder, go, oom);
        List<Future<?>> holderDone = new ArrayList<>();
        List<Thread> waiters = new ArrayList<>();
        List<Future<?>> futures = queueBehindHolder(m, holder, inside, holderDone, waiters);
        go.countDown();
        try {
            holderDone.get(0).get(10, TimeUnit.SECONDS);
            throw new AssertionError("the holder's put should have thrown");
        } catch (java.util.concurrent.ExecutionException e) {
            assertEquals(oom, e.getCause());
        }
        for (Future<?> f : futures) {
            try {
                f.get(10, TimeUnit.SECONDS);
                throw new AssertionError("a waiter on a broken map returned");
            } catch (TimeoutException e) {
                throw new AssertionError("a parked waiter was not woken by the poisoning", e);
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof IllegalStateException, "want ISE, got " + e.getCause());
                assertEquals(oom, e.getCause().getCause());
            }
        }
    }
}
