package dev.syncmap.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The watch executor the kit hands a {@code VersionedMap}: two daemon threads that it can make refuse or fail the
 * next task handed to it, and that record (never drop) whatever a task lets escape, for the oracle to judge.
 */
final class FaultyExecutor implements Executor, AutoCloseable {

    private final ExecutorService pool;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final List<Throwable> escaped = new ArrayList<>();
    private volatile Fault armed;

    FaultyExecutor(String name) {
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, name + "-delivery-" + n.incrementAndGet());
            t.setDaemon(true);
            // A map may hand a listener's exception to the thread's handler itself: recorded, like a task's.
            t.setUncaughtExceptionHandler((thread, e) -> record(e));
            threads.add(t);
            return t;
        });
    }

    /** Makes the next {@link #execute} throw {@code fault} instead of accepting the task. */
    void arm(Fault fault) {
        armed = fault;
    }

    void disarm() {
        armed = null;
    }

    boolean runsOn(Thread t) {
        return threads.contains(t);
    }

    /** What tasks threw (a listener's exception is rethrown onto the executor's thread, by contract). */
    synchronized List<Throwable> escaped() {
        return List.copyOf(escaped);
    }

    @Override
    public void execute(Runnable task) {
        Fault f = armed;
        if (f != null) {
            armed = null;
            f.fire();
        }
        pool.execute(() -> {
            try {
                task.run();
            } catch (Throwable t) { // recorded for the oracle, which fails on any it did not inject
                record(t);
            }
        });
    }

    private synchronized void record(Throwable t) {
        escaped.add(t);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
