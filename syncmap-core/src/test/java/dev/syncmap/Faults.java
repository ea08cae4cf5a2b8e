package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.syncmap.internal.FaultHooks;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.function.ThrowingSupplier;

/** Test helpers for injecting Errors through {@link FaultHooks} and for bounded waits from other threads. */
final class Faults {

    private Faults() {}

    /** The bound on any call made after an injected failure: a hang fails the test instead of the build. */
    static final Duration BOUND = Duration.ofSeconds(10);

    /**
     * Installs an injector that throws {@code error} at the {@code nth} (1-based) reach of {@code site} on the
     * calling thread and nowhere else; returns the reach counter.
     */
    static AtomicInteger throwAt(FaultHooks.Site site, int nth, Error error) {
        Thread target = Thread.currentThread();
        return throwAt(site, nth, error, target);
    }

    /** As {@link #throwAt(FaultHooks.Site, int, Error)}, counting reaches on {@code target} (any thread if null). */
    static AtomicInteger throwAt(FaultHooks.Site site, int nth, Error error, Thread target) {
        AtomicInteger reached = new AtomicInteger();
        FaultHooks.install(s -> {
            if (s == site && (target == null || Thread.currentThread() == target)
                && reached.incrementAndGet() == nth) {
                throw error;
            }
        });
        return reached;
    }

    /** Runs {@code call} on another thread, failing if it takes longer than {@link #BOUND}. */
    static <T> T bounded(String what, ThrowingSupplier<T> call) {
        return assertTimeoutPreemptively(BOUND, call, () -> what + " hung (did not return within " + BOUND + ")");
    }

    /** Subscribes to {@code publisher} with unbounded demand; the future completes with what onError receives. */
    static <T> CompletableFuture<Throwable> errorOf(Flow.Publisher<T> publisher) {
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<T>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(T item) { }

            @Override
            public void onError(Throwable t) {
                error.complete(t);
            }

            @Override
            public void onComplete() { }
        });
        return error;
    }
}
