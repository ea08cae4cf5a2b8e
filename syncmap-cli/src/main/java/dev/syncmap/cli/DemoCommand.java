package dev.syncmap.cli;

import dev.syncmap.Change;
import dev.syncmap.RaceDetectingMap;
import dev.syncmap.ConcurrentMapMisuseException;
import dev.syncmap.CopyOnWriteMap;
import dev.syncmap.LockedMap;
import dev.syncmap.ReadDirtyMap;
import dev.syncmap.Snapshot;
import dev.syncmap.StripedMap;
import dev.syncmap.VersionedMap;
import dev.syncmap.Watch;
import dev.syncmap.WatchListener;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code syncmap demo}: a runnable tour of every syncmap map. Each section runs a few threads against one map
 * and prints what it shows: exact counts under contention, a mapping function run once by racing threads,
 * a reload that readers never see half of, snapshots and the change feed, and a plain {@code HashMap}'s race
 * caught red-handed. It takes a few seconds; every claim it prints is checked as it runs, and a failed check
 * makes the command exit with status 1.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        subcommands = {RedisDemoCommand.class, ReplicateDemoCommand.class},
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
            readDirtyMap();
            copyOnWriteMap();
            versionedMap();
            raceDetectingMap();
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
        section("LockedMap", "one read-write lock around a hash table: the simple, exact baseline");
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

    private void readDirtyMap() throws InterruptedException {
        section("ReadDirtyMap", "Go's sync.Map: lock-free reads of a stable key set, writes to a dirty map");
        ReadDirtyMap<Integer, Integer> map = new ReadDirtyMap<>();
        int keys = 1_000;
        for (int k = 0; k < keys; k++) {
            map.put(k, k);
        }
        AtomicLong hits = new AtomicLong();
        AtomicInteger wrong = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            int next = keys;
            while (!stop.get()) {
                map.put(next, next); // new keys land in the dirty map...
                map.remove(next - 50 < keys ? next : next - 50);
                next++;
            }
        }, "demo-writer");
        writer.start();
        runThreads(THREADS - 1, t -> {
            for (int i = 0; i < 300_000; i++) {
                int k = i % keys;
                Integer v = map.get(k); // ...while the stable keys are read without a lock
                if (v == null || v != k) {
                    wrong.incrementAndGet();
                } else {
                    hits.incrementAndGet();
                }
            }
        });
        stop.set(true);
        writer.join();
        line("%d readers × 300,000 gets of a stable key set while a writer adds and removes other keys → "
                + "%,d correct, %d wrong", THREADS - 1, hits.get(), wrong.get());
        check(wrong.get() == 0, "every read saw its key's value");
        line("size() %,d (the stable keys plus the writer's live ones)", map.size());
    }

    private void copyOnWriteMap() throws InterruptedException {
        section("CopyOnWriteMap", "an immutable map swapped atomically: reload() replaces everything in one step");
        CopyOnWriteMap<String, String> config = new CopyOnWriteMap<>(settings(0));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        AtomicInteger torn = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < THREADS - 1; t++) {
            Thread r = new Thread(() -> {
                while (!stop.get()) {
                    // Every key of one generation carries the same version; a mix would be a torn read.
                    Snapshot<String, String> s = config.snapshot();
                    long versions = s.values().stream().distinct().count();
                    if (versions != 1 || s.size() != 20) {
                        torn.incrementAndGet();
                    }
                    reads.incrementAndGet();
                }
            }, "demo-reader-" + t);
            r.start();
            readers.add(r);
        }
        int reloads = 2_000;
        for (int generation = 1; generation <= reloads; generation++) {
            config.reload(settings(generation));
        }
        stop.set(true);
        for (Thread r : readers) {
            r.join();
        }
        line("%,d reloads of a 20-key config while %d readers took %,d snapshots → %d torn", reloads,
                THREADS - 1, reads.get(), torn.get());
        check(torn.get() == 0, "no reader ever saw half of a reload");
        line("now at %s", config.get("version"));
    }

    private void versionedMap() throws InterruptedException {
        section("VersionedMap", "revisions, O(1) snapshots and a watchable change feed");
        VersionedMap<String, Integer> stock = new VersionedMap<>();
        List<Change<String, Integer>> watched = new ArrayList<>();
        CountDownLatch sawAll = new CountDownLatch(1);
        AtomicReference<Long> lastRevision = new AtomicReference<>(0L);
        WatchListener<String, Integer> listener = changes -> {
            synchronized (watched) {
                watched.addAll(changes);
            }
            lastRevision.set(changes.get(changes.size() - 1).revision());
            if (lastRevision.get() >= 5) {
                sawAll.countDown();
            }
        };
        try (Watch watch = stock.watch(0, listener)) {
            stock.put("apples", 10);                                      // revision 1
            stock.put("pears", 4);                                        // revision 2
            Snapshot<String, Integer> before = stock.snapshot();
            stock.merge("apples", -3, Integer::sum);                      // revision 3
            stock.putAll(Map.of("plums", 7, "figs", 2));                  // revision 4, one batch
            stock.remove("pears");                                        // revision 5
            stock.remove("kiwis");                                        // nothing changed: no revision
            line("revision %d after 5 changing calls and one remove of an absent key", stock.revision());
            check(stock.revision() == 5, "one revision per successful mutation, none for a no-op");
            line("snapshot at revision %d still shows %s; the map shows %s", before.revision(), sorted(before),
                    sorted(stock));
            check(before.revision() == 2 && before.get("apples") == 10 && before.size() == 2,
                    "a snapshot never changes");
            String feed = stock.changesSince(before.revision()).stream()
                    .map(c -> "r" + c.revision() + " " + c.key() + " " + c.oldValue() + "→" + c.newValue())
                    .collect(Collectors.joining(", "));
            line("changesSince(%d): %s", before.revision(), feed);
            boolean delivered = sawAll.await(5, TimeUnit.SECONDS);
            List<Change<String, Integer>> seen;
            synchronized (watched) {
                seen = List.copyOf(watched);
            }
            line("watch(0) delivered %d changes asynchronously, in order, up to revision %d%s", seen.size(),
                    lastRevision.get(), watch.isOpen() ? "" : " (watch closed)");
            check(delivered && seen.size() == 6, "the watcher saw every change (the batch as one revision)");
            Map<String, Integer> replay = new HashMap<>();
            for (Change<String, Integer> c : seen) {
                if (c.isRemoval()) {
                    replay.remove(c.key());
                } else {
                    replay.put(c.key(), c.newValue());
                }
            }
            line("replaying the feed onto an empty map gives %s", sorted(replay));
            check(replay.equals(stock.snapshot()), "the feed replays to the current content");
        }
    }

    private void raceDetectingMap() throws InterruptedException {
        section("RaceDetectingMap", "turns a racing plain HashMap into an immediate error naming both threads");
        Map<Integer, Integer> unsafe = RaceDetectingMap.of(new HashMap<>());
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

    private static Map<String, String> settings(int generation) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < 19; i++) {
            m.put("setting-" + i, "v" + generation);
        }
        m.put("version", "v" + generation);
        return m;
    }

    private static String sorted(Map<String, Integer> m) {
        return new java.util.TreeMap<>(m).toString();
    }

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
