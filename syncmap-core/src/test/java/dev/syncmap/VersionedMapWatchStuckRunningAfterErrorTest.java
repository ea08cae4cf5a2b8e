package dev.syncmap;

import static dev.syncmap.Faults.bounded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.syncmap.internal.FaultHooks;
import dev.syncmap.internal.FaultHooks.Site;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, failure 5: a throwable in a watch's delivery other than one from the listener (an
 * {@link OutOfMemoryError} reading the change log) left the watch RUNNING forever: {@code isOpen()} true,
 * {@code failure()} null, and nothing delivered again. Every throwable in delivery must close the watch with
 * {@code failure()} reporting it, and a Flow subscriber must get {@code onError}.
 */
class VersionedMapWatchStuckRunningAfterErrorTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        FaultHooks.clear();
        pool.shutdownNow();
    }

    private VersionedMap<Integer, Integer> map() {
        return VersionedMap.<Integer, Integer>builder().executor(pool).progressInterval(Duration.ZERO).build();
    }

    @Test
    void watchStayedRunningForeverAfterAnErrorReadingTheLog() {
        VersionedMap<Integer, Integer> m = map();
        Watch w = m.watch(0, changes -> { });
        OutOfMemoryError oom = new OutOfMemoryError("injected while reading the log");
        Faults.throwAt(Site.FEED_READ, 1, oom, null);
        m.put(1, 1);
        bounded("the watch to close after the error", () -> {
            while (w.isOpen()) {
                Thread.sleep(1);
            }
            return null;
        });
        assertSame(oom, w.failure(), "failure() reports the error");
        assertEquals(0, m.watcherCount(), "the failed watch is unregistered");
    }

    @Test
    void subscriptionStayedRunningForeverAfterAnErrorReadingTheLog() throws Exception {
        VersionedMap<Integer, Integer> m = map();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        m.publisher(0).subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Change<Integer, Integer> item) {
                error.completeExceptionally(new AssertionError("delivered despite the error: " + item));
            }

            @Override
            public void onError(Throwable t) {
                error.complete(t);
                throw new IllegalStateException("a throwing onError is guarded");
            }

            @Override
            public void onComplete() { }
        });
        StackOverflowError soe = new StackOverflowError("injected while reading the log");
        Faults.throwAt(Site.FEED_READ, 1, soe, null);
        m.put(1, 1);
        assertSame(soe, bounded("onError", () -> error.get()));
        bounded("the subscription to be unregistered", () -> {
            while (m.watcherCount() != 0) {
                Thread.sleep(1);
            }
            return null;
        });
    }

    @Test
    void aListenerThrowingAnErrorClosesItsWatchWithIt() {
        VersionedMap<Integer, Integer> m = map();
        StackOverflowError soe = new StackOverflowError("listener");
        Watch w = m.watch(0, changes -> {
            throw soe;
        });
        m.put(1, 1);
        bounded("the watch to close", () -> {
            while (w.isOpen()) {
                Thread.sleep(1);
            }
            return null;
        });
        assertSame(soe, w.failure());
        assertFalse(w.isOpen());
    }
}
