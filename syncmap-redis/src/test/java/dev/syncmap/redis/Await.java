package dev.syncmap.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits for the tests. */
final class Await {

    private Await() {}

    static void until(Duration limit, BooleanSupplier cond, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out after " + limit + " waiting for " + what.get());
            Thread.sleep(10);
        }
    }
}
