package dev.syncmap.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One daemon thread that runs the kit's calls on a map, each awaited with a bounded wait, so that a map that hangs
 * (a leaked lock, a deadlock) fails the check instead of the build.
 *
 * <p>A thread parked in {@code Lock.lock()} on a leaked lock cannot be interrupted out of it, so a hung lane is
 * abandoned, not joined: it is a daemon thread, {@link #close()} only asks it to stop, and the JVM exits without
 * it. The kit never reuses a lane after a hang.
 */
final class Lane implements AutoCloseable {

    /** What a call did: returned {@code value}, or threw {@code thrown}. */
    record Result(Object value, Throwable thrown) {}

    /** A call that did not finish within its wait. */
    static final class Hang extends Exception {
        private static final long serialVersionUID = 1L;

        /** The operation running when the wait expired. */
        final String operation;
        /** How long the caller waited, and whether the lane's thread was parked all along the last part of it. */
        final String waited;

        Hang(String operation, String waited) {
            super(operation, null, false, false);
            this.operation = operation;
            this.waited = waited;
        }
    }

    /** How often a waiting caller looks at the lane's thread. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long the lane's thread may stay parked (waiting on a lock or condition) before it counts as hung. */
    private static final long PARKED_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final ExecutorService executor;
    private final Thread thread;
    /** The step the lane is running, for the hang report; written by the lane, read by the waiting thread. */
    private volatile String current = "";

    Lane(String name) {
        Thread[] made = new Thread[1];
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            made[0] = t;
            return t;
        });
        try {
            executor.submit(() -> { }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting lane " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("lane " + name + " failed to start", e);
        }
        thread = made[0];
    }

    Thread thread() {
        return thread;
    }

    private boolean isParked() {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.BLOCKED;
    }

    /** The step running, or that ran last. */
    String current() {
        return current;
    }

    /** Names the step about to run; called on the lane's own thread. */
    void step(String operation) {
        current = operation;
    }

    /**
     * Runs {@code call} on the lane and waits at most {@code timeout}.
     *
     * @param operation what the call does, reported if it hangs (steps may refine it)
     * @return the value or the throwable, never null
     * @throws Hang if it did not finish in time (the lane is then unusable)
     */
    Result call(String operation, Duration timeout, Callable<?> call) throws Hang {
        current = operation;
        Future<Result> f = executor.submit(() -> {
            try {
                return new Result(call.call(), null);
            } catch (Throwable t) { // everything the map throws is evidence: handed back, never dropped
                return new Result(null, t);
            }
        });
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            long parkedSince = 0;
            while (true) {
                try {
                    return f.get(POLL_NANOS, TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    long now = System.nanoTime();
                    long waitedMillis = (now - deadline + timeout.toNanos()) / 1_000_000;
                    // A thread parked for PARKED_NANOS without a break, on a map of a few keys, waits for a lock
                    // nobody will release: report it now rather than at the deadline (a busy thread never is).
                    parkedSince = isParked() ? (parkedSince == 0 ? now : parkedSince) : 0;
                    if (now - deadline > 0 || (parkedSince != 0 && now - parkedSince > Math.min(PARKED_NANOS,
                            timeout.toNanos()))) {
                        throw new Hang(current, waitedMillis + " ms" + (parkedSince != 0
                                ? " (its thread parked for the last " + (now - parkedSince) / 1_000_000 + " ms)" : ""));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + current, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("lane task failed outside the call: " + current, e.getCause());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
