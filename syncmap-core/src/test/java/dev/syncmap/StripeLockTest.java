package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StripeLock}: mutual exclusion (an unguarded counter incremented under it stays exact) and no lost
 * wake-up (threads parked behind a holder all finish once it unlocks), each oracle shown alive by a broken
 * control: a lock that does not exclude loses increments, and one whose unlock wakes nobody leaves its waiters
 * parked.
 */
class StripeLockTest {

    private static final int THREADS = 4;
    private static final int ROUNDS = 200_000;

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** The operations the oracles need. */
    private interface Mutex {
        void lock();

        void unlock();
    }

    private static Mutex of(StripeLock l) {
        return new Mutex() {
            @Override
            public void lock() {
                l.lock();
            }

            @Override
            public void unlock() {
                l.unlock();
            }
        };
    }

    /** Control: takes a "lock" that excludes nobody. */
    private static final Mutex NOT_EXCLUSIVE = new Mutex() {
        @Override
        public void lock() { }

        @Override
        public void unlock() { }
    };

    /** Control: a queued lock whose unlock frees the state but never unparks a waiter. */
    private static final class NoWakeUp extends AbstractQueuedSynchronizer implements Mutex {
        private static final long serialVersionUID = 1L;

        @Override
        public void lock() {
            acquire(1);
        }

        @Override
        public void unlock() {
            setState(0); // and no release(): nobody is signalled
        }

        @Override
        protected boolean tryAcquire(int ignored) {
            return compareAndSetState(0, 1);
        }

        @Override
        protected boolean tryRelease(int ignored) {
            setState(0);
            return true;
        }

        /** Frees the waiters the broken unlock left parked, so that the test stops what it started. */
        void rescue() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (hasQueuedThreads() && System.nanoTime() < deadline) {
                release(1);
                Thread.sleep(1);
            }
        }
    }

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private long[] counter = new long[1];

    private long countUnder(Mutex m) throws Exception {
        counter = new long[1];
        List<Future<?>> fs = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        for (int t = 0; t < THREADS; t++) {
            fs.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < ROUNDS; i++) {
                    m.lock();
                    try {
                        long v = (long) SLOT.getOpaque(counter, 0); // opaque: not hoisted out of the loop
                        for (int w = 0; w < 8; w++) {
                            Thread.onSpinWait(); // widen the window between the read and the write
                        }
                        SLOT.setOpaque(counter, 0, v + 1); // a read-modify-write that only the lock makes atomic
                        if ((i & 1023) == 0) {
                            Thread.yield(); // be descheduled while holding it, now and then
                        }
                    } finally {
                        m.unlock();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get(60, TimeUnit.SECONDS);
        }
        return counter[0];
    }

    @Test
    void excludes() throws Exception {
        assertEquals((long) THREADS * ROUNDS, countUnder(of(new StripeLock())));
    }

    @Test
    void controlTheCounterCatchesALockThatDoesNotExclude() throws Exception {
        long counted = (long) THREADS * ROUNDS;
        for (int run = 0; run < 5 && counted == (long) THREADS * ROUNDS; run++) {
            counted = countUnder(NOT_EXCLUSIVE); // threads may happen not to overlap in one run on 2 cores
        }
        assertNotEquals((long) THREADS * ROUNDS, counted);
    }

    /** Holds {@code m}, parks {@link #THREADS} waiters behind it, unlocks, and waits for all of them. */
    private void waitersFinishAfterUnlock(Mutex m) throws Exception {
        m.lock();
        List<Thread> waiters = new ArrayList<>();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            fs.add(pool.submit(() -> {
                synchronized (waiters) {
                    waiters.add(Thread.currentThread());
                }
                m.lock();
                m.unlock();
                return null;
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (;;) {
            synchronized (waiters) {
                if (waiters.size() == THREADS && waiters.stream().allMatch(w -> w.getState() == Thread.State.WAITING)) {
                    break;
                }
            }
            assertTrue(System.nanoTime() < deadline, "waiters parked behind the holder");
            Thread.sleep(5);
        }
        m.unlock();
        for (Future<?> f : fs) {
            f.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyParkedWaiterWakesWhenTheHolderUnlocks() throws Exception {
        waitersFinishAfterUnlock(of(new StripeLock()));
    }

    @Test
    void controlTheWakeUpCheckCatchesAnUnlockThatWakesNobody() throws InterruptedException {
        NoWakeUp broken = new NoWakeUp();
        try {
            assertThrows(TimeoutException.class, () -> waitersFinishAfterUnlock(broken));
        } finally {
            broken.rescue();
        }
    }
}
