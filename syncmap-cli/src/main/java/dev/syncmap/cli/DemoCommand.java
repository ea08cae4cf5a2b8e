package dev.syncmap.cli;

import dev.syncmap.CheckedMap;
import dev.syncmap.ConcurrentMapMisuseException;
import dev.syncmap.LockedMap;
import dev.syncmap.Snapshot;
import dev.syncmap.StripedMap;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code syncmap demo}: a runnable tour of the syncmap maps. Each section runs a few threads against one map
 * and prints what it shows: exact counts under contention, a mapping function run once by racing threads, a
 * self-modifying function refused, and a plain {@code HashMap}'s race caught red-handed. (The sections for
 * {@code ReadDirtyMap}, {@code CopyOnWriteMap} and {@code VersionedMap} return when those maps are merged.) It takes a few seconds; every claim it prints is checked as it runs, and a failed check
 * makes the command exit with status 1.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "A runnable tour of every syncmap map: what each is for, shown by running it.")
public final class DemoCommand implements Runnable {

    private static final int THREADS = 4;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private PrintWriter out;
    private int failedChecks;

    @Override
    public void run() {
        out = spec.commandLine().getOut();
        try {
            lockedMap();
            stripedMap();
            checkedMap();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("demo interrupted", e);
        }
        out.println();
        out.println(failedChecks == 0 ? "All checks held." : failedChecks + " check(s) FAILED.");
        out.flush();
        if (failedChecks > 0) {
            throw new IllegalStateException(failedChecks + " demo check(s) failed");
        }
    }

    /* ---------------- The maps ---------------- */

    private void lockedMap() throws InterruptedException {
        section("LockedMap", "one read-write lock around a HashMap: the simple, exact baseline");
        LockedMap<String, Integer> counts = new LockedMap<>();
        int perThread = 25_000;
        runThreads(THREADS, t -> {
            for (int i = 0; i < perThread; i++) {
                counts.merge("word-" + (i % 10), 1, Integer::sum);
            }
        });
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        line("%d threads × %,d merge(word, 1, sum) on 10 keys → total %,d", THREADS, perThread, total);
        check(total == THREADS * perThread, "no increment lost");
        Snapshot<String, Integer> copy = counts.snapshot();
        counts.clear();
        line("snapshot() taken before clear() still holds %d keys; the map now holds %d", copy.size(),
                counts.size());
        check(copy.size() == 10 && counts.isEmpty(), "the snapshot is an independent exact copy");
    }

    private void stripedMap() throws InterruptedException {
        section("StripedMap", "independent lock stripes: writers on different keys do not wait for each other");
        StripedMap<Integer, String> map = new StripedMap<>();
        line("%d stripes (default: a power of two ≥ 4 × %d cores)", map.stripeCount(),
                Runtime.getRuntime().availableProcessors());
        AtomicInteger calls = new AtomicInteger();
        int rounds = 200;
        for (int round = 0; round < rounds; round++) {
            int key = round;
            runThreads(THREADS, t -> map.computeIfAbsent(key, k -> {
                calls.incrementAndGet();
                return "value-" + k;
            }));
        }
        line("%d rounds of %d threads racing computeIfAbsent on one new key → mapping function ran %d times",
                rounds, THREADS, calls.get());
        check(calls.get() == rounds, "the function ran exactly once per key");
        try {
            map.computeIfAbsent(-1, k -> map.put(-2, "sneaky"));
            line("a mapping function that writes to its own map was allowed");
            check(false, "a self-modifying function is refused");
        } catch (IllegalStateException e) {
            line("a mapping function that writes to its own map → IllegalStateException: %s", e.getMessage());
            check(!map.containsKey(-1) && !map.containsKey(-2), "the refused call left the map unchanged");
        }
    }

    private void checkedMap() throws InterruptedException {
        section("CheckedMap", "turns a racing plain HashMap into an immediate error naming both threads");
        Map<Integer, Integer> unsafe = CheckedMap.of(new HashMap<>());
        AtomicReference<ConcurrentMapMisuseException> caught = new AtomicReference<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long start = System.nanoTime();
        runThreads(2, t -> {
            for (int i = 0; caught.get() == null && System.nanoTime() < deadline; i++) {
                try {
                    unsafe.put(i % 1_000, i); // two threads writing with no lock: a bug
                } catch (ConcurrentMapMisuseException e) {
                    caught.compareAndSet(null, e);
                }
            }
        });
        ConcurrentMapMisuseException e = caught.get();
        if (e != null) {
            line("caught after %.1f ms: %s", (System.nanoTime() - start) / 1e6,
                    e.getMessage().lines().findFirst().orElse(""));
        } else {
            line("no race observed within 5 s");
        }
        check(e != null, "two unsynchronized writers are caught");
    }

    /* ---------------- Helpers ---------------- */

    /** A task run by each of several threads. */
    @FunctionalInterface
    private interface ThreadTask {
        void run(int thread) throws Exception;
    }

    /** Runs the task on {@code n} threads released together, and waits for all; rethrows the first failure. */
    private static void runThreads(int n, ThreadTask task) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(n);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    task.run(id);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "demo-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a demo thread failed: " + failure.get(), failure.get());
        }
    }

    private void section(String name, String what) {
        out.println();
        out.println(name + " — " + what);
    }

    private void line(String format, Object... args) {
        out.println("  " + String.format(java.util.Locale.ROOT, format, args));
    }

    private void check(boolean holds, String claim) {
        out.println("  " + (holds ? "✓ " : "✗ FAILED: ") + claim);
        if (!holds) {
            failedChecks++;
        }
    }
}
