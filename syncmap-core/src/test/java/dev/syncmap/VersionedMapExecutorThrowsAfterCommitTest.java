package dev.syncmap;

import static dev.syncmap.Faults.bounded;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, failure 7: an executor that threw anything but {@link java.util.concurrent.RejectedExecutionException}
 * when handed a watch's dispatch made {@code put()} throw after it had committed, left the dispatch flag set, and
 * no watch on that map was woken again. Now a committed write never throws because of the executor, the flag is
 * reset, and the watches that could not be dispatched are closed with the executor's exception as their failure
 * (as with a rejection): a watch whose executor fails cannot promise delivery, so it says so.
 */
class VersionedMapExecutorThrowsAfterCommitTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    /** An executor that throws {@link #failure} while it is set, else runs tasks on the pool. */
    private final class FlakyExecutor implements Executor {
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();

        @Override
        public void execute(Runnable task) {
            RuntimeException f = failure.get();
            if (f != null) {
                throw f;
            }
            pool.execute(task);
        }
    }

    @Test
    void executorThrowingMadePutThrowAfterCommitAndNoWatchWasWokenAgain() {
        FlakyExecutor executor = new FlakyExecutor();
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().executor(executor)
            .progressInterval(Duration.ZERO).build();
        Watch first = m.watch(0, changes -> { });
        IllegalStateException down = new IllegalStateException("executor down");
        executor.failure.set(down);

        assertDoesNotThrow(() -> m.put(1, 1), "a committed write must not throw because of the executor");
        assertEquals(1, m.revision());
        assertFalse(first.isOpen(), "the watch that could not be dispatched is closed");
        assertSame(down, first.failure(), "with the executor's exception as its failure");

        executor.failure.set(null);
        List<Long> seen = new CopyOnWriteArrayList<>();
        Watch second = m.watch(m.revision(), changes -> changes.forEach(c -> seen.add(c.revision())));
        m.put(2, 2);
        bounded("a later commit to wake a new watch", () -> {
            while (seen.isEmpty()) {
                Thread.sleep(1);
            }
            return null;
        });
        assertEquals(List.of(2L), seen);
        second.close();
    }

    @Test
    void executorThrowingAnErrorAtRegistrationClosesTheWatchAndTheSubscription() throws Exception {
        FlakyExecutor executor = new FlakyExecutor();
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().executor(executor)
            .progressInterval(Duration.ZERO).build();
        m.put(1, 1);
        UnsupportedOperationException down = new UnsupportedOperationException("no threads today");
        executor.failure.set(down);
        Watch w = assertDoesNotThrow(() -> m.watch(0, changes -> { }));
        assertFalse(w.isOpen());
        assertSame(down, w.failure());

        CompletableFuture<Throwable> error = Faults.errorOf(m.publisher(0));
        assertSame(down, bounded("onError", () -> error.get()));
        assertEquals(0, m.watcherCount());
    }
}
