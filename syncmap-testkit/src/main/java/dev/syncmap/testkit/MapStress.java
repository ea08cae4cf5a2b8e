package dev.syncmap.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Multi-threaded stress checks of a {@link ConcurrentMap} with exact oracles: each check hammers fresh maps from
 * a factory for a bounded time and operation count, then compares what the map holds with what the threads did.
 *
 * <ul>
 *   <li>{@link #counters()}: threads increment counters on a few hot keys with {@code merge}, {@code compute},
 *       {@code computeIfPresent} and {@code computeIfAbsent}, and take them away with {@code remove(k, v)}. The
 *       final sum of the map must equal the threads' net increments exactly (no lost or doubled update), and
 *       every call must run its function at most once (exactly once for {@code compute}).</li>
 *   <li>{@link #putIfAbsentRace()}: all threads race, key by key in lock-step, to {@code putIfAbsent} and
 *       {@code computeIfAbsent} the same fresh keys. Exactly one {@code putIfAbsent} per key wins, every loser
 *       is told the winner's value, and each {@code computeIfAbsent} key runs its function exactly once.</li>
 *   <li>{@link #viewsUnderWrites()}: readers iterate {@code keySet}, {@code values} and {@code entrySet} (and
 *       remove through iterators, stream, copy, hash) while writers put, remove, compute and clear. No view may
 *       throw (no {@link java.util.ConcurrentModificationException}), yield a null or foreign key or value, or
 *       report a size outside the key range (unless {@link #sizeIsAnEstimate()}).</li>
 * </ul>
 *
 * <pre>{@code
 * MapStress.forMap("LockedMap", LockedMap::new).assertAllPass();
 * }</pre>
 *
 * <p>Bounds: each check runs for {@link #duration(Duration)} (system property {@value #MILLIS_PROPERTY}, default
 * {@value #DEFAULT_MILLIS} ms) or until each thread has done {@link #maxOperationsPerThread(long)} operations,
 * whichever comes first, with {@link #threads(int)} threads (system property {@value #THREADS_PROPERTY},
 * default the larger of 4 and the processor count, so threads are preempted inside operations even on two
 * cores). A thread that does not finish within {@value #STUCK_SECONDS} s after the time limit is reported as
 * stuck (deadlock or livelock) and interrupted. Each outcome is recorded through {@link VerificationLog}.
 *
 * <p>Thread-safety: configure from one thread; each check runs its own threads and returns after they ended.
 */
public final class MapStress {

    /** System property: milliseconds each check runs. */
    public static final String MILLIS_PROPERTY = "mapstress.millis";
    /** System property: threads each check uses. */
    public static final String THREADS_PROPERTY = "mapstress.threads";
    /** Default of {@value #MILLIS_PROPERTY}. */
    public static final int DEFAULT_MILLIS = 300;

    private static final long STUCK_SECONDS = 20;
    private static final int COUNTER_KEYS = 8;
    private static final int RACE_KEYS_PER_ROUND = 256;
    private static final int RACE_KEYS_PER_STEP = 16;
    private static final int VIEW_KEYS = 512;
    /** A returned {@code null} in the race arrays, which otherwise hold thread ids. */
    private static final long NONE = Long.MIN_VALUE;

    private final String name;
    private final Supplier<? extends ConcurrentMap<Integer, Long>> factory;
    private int threads;
    private Duration duration;
    private long maxOperationsPerThread = 5_000_000;
    private boolean sizeBounded = true;

    private MapStress(String name, Supplier<? extends ConcurrentMap<Integer, Long>> factory) {
        this.name = Objects.requireNonNull(name, "name");
        this.factory = Objects.requireNonNull(factory, "factory");
        this.threads = Math.max(2, Integer.getInteger(THREADS_PROPERTY,
                Math.max(4, Runtime.getRuntime().availableProcessors())));
        this.duration = Duration.ofMillis(Math.max(1, Integer.getInteger(MILLIS_PROPERTY, DEFAULT_MILLIS)));
    }

    /**
     * Starts stress checks of the maps a factory makes.
     *
     * @param name the name reports carry
     * @param factory makes a new, empty map on every call
     * @return the checks, with default bounds
     */
    public static MapStress forMap(String name, Supplier<? extends ConcurrentMap<Integer, Long>> factory) {
        return new MapStress(name, factory);
    }

    /**
     * Sets the thread count.
     *
     * @param count at least 2
     * @return this
     * @throws IllegalArgumentException if {@code count < 2}
     */
    public MapStress threads(int count) {
        if (count < 2) {
            throw new IllegalArgumentException("threads must be at least 2: " + count);
        }
        this.threads = count;
        return this;
    }

    /**
     * Sets how long each check runs.
     *
     * @param limit a positive duration
     * @return this
     * @throws IllegalArgumentException if not positive
     */
    public MapStress duration(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("duration must be positive: " + limit);
        }
        this.duration = limit;
        return this;
    }

    /**
     * Caps the operations each thread performs in one check.
     *
     * @param max at least 1
     * @return this
     * @throws IllegalArgumentException if {@code max < 1}
     */
    public MapStress maxOperationsPerThread(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxOperationsPerThread must be at least 1: " + max);
        }
        this.maxOperationsPerThread = max;
        return this;
    }

    /**
     * Stops {@link #viewsUnderWrites()} from requiring {@code 0 <= size() <= key range} while writers run, for a
     * map that documents {@code size()} as an estimate under concurrent updates. {@link ConcurrentHashMap} is
     * one: its {@code clear()} unlinks entries first and subtracts them from the count only at the end, so puts
     * racing with it can push {@code size()} above the number of keys that can exist (the kit saw 711 with 512
     * keys). A map whose size is exact, or a sum of exact per-part counts, keeps the check.
     *
     * @return this
     */
    public MapStress sizeIsAnEstimate() {
        this.sizeBounded = false;
        return this;
    }

    /**
     * Runs every check.
     *
     * @return the outcomes, in the order {@link #counters()}, {@link #putIfAbsentRace()},
     *     {@link #viewsUnderWrites()}
     */
    public List<StressOutcome> all() {
        return List.of(counters(), putIfAbsentRace(), viewsUnderWrites());
    }

    /**
     * Runs every check and fails if any oracle failed.
     *
     * @throws AssertionError describing every failed check
     */
    public void assertAllPass() {
        StringBuilder failures = new StringBuilder();
        for (StressOutcome outcome : all()) {
            if (!outcome.passed()) {
                failures.append(outcome.describe()).append(System.lineSeparator());
            }
        }
        if (failures.length() > 0) {
            throw new AssertionError(failures.toString().strip());
        }
    }

    /* ---------------- Counters: exact sums, functions run at most once ---------------- */

    /**
     * Hot-key counters: the map's final sum must equal the threads' net increments, and no call may run its
     * function more than once.
     *
     * @return the outcome
     */
    public StressOutcome counters() {
        ConcurrentMap<Integer, Long> map = newMap();
        Violations violations = new Violations();
        long[] netIncrements = new long[threads];
        long[] operations = new long[threads];
        long started = System.nanoTime();
        long deadline = started + duration.toNanos();
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(() -> {
                CounterThread counter = new CounterThread(map, violations);
                operations[id] = counter.run(deadline, maxOperationsPerThread);
                netIncrements[id] = counter.netIncrements;
            });
        }
        runWorkers("counters", workers, deadline, violations);
        long expected = 0;
        long ops = 0;
        for (int t = 0; t < threads; t++) {
            expected += netIncrements[t];
            ops += operations[t];
        }
        long actual = 0;
        int entries = 0;
        for (Map.Entry<Integer, Long> entry : map.entrySet()) {
            entries++;
            Long value = entry.getValue();
            if (entry.getKey() == null || entry.getKey() < 0 || entry.getKey() >= COUNTER_KEYS
                    || value == null || value < 1) {
                violations.add("foreign mapping after the run", entry.getKey() + "=" + value);
            } else {
                actual += value;
            }
        }
        if (actual != expected) {
            violations.add("lost or doubled updates", "the threads made " + expected
                    + " net increments but the map sums to " + actual + " (off by " + (actual - expected) + ")");
        }
        if (map.size() != entries) {
            violations.add("size() disagrees with iteration after the run",
                    "size() = " + map.size() + ", entries iterated = " + entries);
        }
        return finish("counters", ops, started, violations);
    }

    /** One counter thread's loop and tallies; used by one thread only. */
    private static final class CounterThread {
        private final ConcurrentMap<Integer, Long> map;
        private final Violations violations;
        /** Invocations of this thread's functions during the current call. */
        private final AtomicInteger calls = new AtomicInteger();
        private final BiFunction<Long, Long, Long> add = (old, given) -> {
            calls.incrementAndGet();
            return old + given;
        };
        private final BiFunction<Integer, Long, Long> increment = (key, old) -> {
            calls.incrementAndGet();
            return old == null ? 1L : old + 1;
        };
        private final Function<Integer, Long> one = key -> {
            calls.incrementAndGet();
            return 1L;
        };
        long netIncrements;

        CounterThread(ConcurrentMap<Integer, Long> map, Violations violations) {
            this.map = map;
            this.violations = violations;
        }

        long run(long deadline, long maxOperations) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long ops = 0;
            while (ops < maxOperations && ((ops & 63) != 0 || System.nanoTime() - deadline < 0)) {
                ops++;
                Integer key = random.nextInt(COUNTER_KEYS);
                int op = random.nextInt(16);
                calls.set(0);
                if (op < 5) {
                    Long result = map.merge(key, 1L, add);
                    netIncrements++;
                    expectAtMostOnce("merge", key);
                    expectCount("merge", key, result);
                } else if (op < 10) {
                    Long result = map.compute(key, increment);
                    netIncrements++;
                    if (calls.get() != 1) {
                        violations.add("compute did not run its function exactly once",
                                "compute(" + key + ") ran it " + calls.get() + " times");
                    }
                    expectCount("compute", key, result);
                } else if (op < 13) {
                    Long result = map.computeIfPresent(key, increment);
                    expectAtMostOnce("computeIfPresent", key);
                    if (result != null) {
                        netIncrements++;
                    }
                    if (calls.get() <= 1 && (result != null) != (calls.get() == 1)) {
                        violations.add("computeIfPresent result disagrees with its function's run",
                                "computeIfPresent(" + key + ") returned " + result + " after " + calls.get() + " runs");
                    }
                } else if (op < 15) {
                    Long result = map.computeIfAbsent(key, one);
                    expectAtMostOnce("computeIfAbsent", key);
                    if (calls.get() == 1) {
                        netIncrements++;
                        if (!Long.valueOf(1L).equals(result)) {
                            violations.add("computeIfAbsent ran its function but did not return its value",
                                    "computeIfAbsent(" + key + ") returned " + result);
                        }
                    }
                    expectCount("computeIfAbsent", key, result);
                } else {
                    Long value = map.get(key);
                    if (value != null && map.remove(key, value)) {
                        netIncrements -= value;
                    }
                }
            }
            return ops;
        }

        private void expectAtMostOnce(String operation, Integer key) {
            if (calls.get() > 1) {
                violations.add(operation + " ran its function more than once in one call",
                        operation + "(" + key + ") ran it " + calls.get() + " times");
            }
        }

        private void expectCount(String operation, Integer key, Long result) {
            if (result == null || result < 1) {
                violations.add(operation + " returned an impossible counter", operation + "(" + key + ") = " + result);
            }
        }
    }

    /* ---------------- putIfAbsent / computeIfAbsent race: one winner per key ---------------- */

    /**
     * Lock-step race on fresh keys: exactly one {@code putIfAbsent} winner per key, losers see the winner's value,
     * one {@code computeIfAbsent} function run per key.
     *
     * @return the outcome
     */
    public StressOutcome putIfAbsentRace() {
        Violations violations = new Violations();
        long started = System.nanoTime();
        long deadline = started + duration.toNanos();
        RaceRounds rounds = new RaceRounds(violations, deadline);
        CyclicBarrier step = new CyclicBarrier(threads, rounds::advance);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(() -> {
                while (true) {
                    try {
                        step.await(STUCK_SECONDS, TimeUnit.SECONDS);
                    } catch (BrokenBarrierException e) {
                        return; // another worker failed and reported why
                    } catch (TimeoutException e) {
                        violations.add("race step timed out", "a thread did not reach the next step within "
                                + STUCK_SECONDS + " s: deadlock or livelock in the map?");
                        return;
                    }
                    RaceRound round = rounds.current;
                    if (round == null) {
                        return;
                    }
                    round.step(id, rounds.firstKey);
                }
            });
        }
        runWorkers("putIfAbsentRace", workers, deadline, violations);
        return finish("putIfAbsentRace", rounds.operations, started, violations);
    }

    /**
     * The rounds of the race; advanced only by the barrier action, which runs while every worker waits, so the
     * barrier orders its writes before the workers' reads and its reads after their writes.
     */
    private final class RaceRounds {
        private final Violations violations;
        private final long deadline;
        private final long maxRounds = Math.max(1, maxOperationsPerThread / RACE_KEYS_PER_ROUND);
        RaceRound current;
        int firstKey;
        long operations;
        private long roundsDone;

        RaceRounds(Violations violations, long deadline) {
            this.violations = violations;
            this.deadline = deadline;
        }

        void advance() {
            if (current != null) {
                operations += (long) threads * RACE_KEYS_PER_STEP;
                firstKey += RACE_KEYS_PER_STEP;
                if (firstKey < RACE_KEYS_PER_ROUND) {
                    return;
                }
                current.verify(violations);
                roundsDone++;
                current = null;
            }
            if (roundsDone < maxRounds && System.nanoTime() - deadline < 0) {
                current = new RaceRound(newMap(), threads);
                firstKey = 0;
            }
        }
    }

    /** One fresh map raced over by all threads; even keys by putIfAbsent, odd keys by computeIfAbsent. */
    private static final class RaceRound {
        private final ConcurrentMap<Integer, Long> map;
        private final long[][] returned;
        private final AtomicIntegerArray functionRuns = new AtomicIntegerArray(RACE_KEYS_PER_ROUND);

        RaceRound(ConcurrentMap<Integer, Long> map, int threads) {
            this.map = map;
            this.returned = new long[threads][RACE_KEYS_PER_ROUND];
        }

        void step(int thread, int firstKey) {
            long id = thread;
            for (int key = firstKey; key < firstKey + RACE_KEYS_PER_STEP; key++) {
                Long result;
                if ((key & 1) == 0) {
                    result = map.putIfAbsent(key, id);
                } else {
                    int k = key;
                    result = map.computeIfAbsent(key, unused -> {
                        functionRuns.incrementAndGet(k);
                        return id;
                    });
                }
                returned[thread][key] = result == null ? NONE : result;
            }
        }

        void verify(Violations violations) {
            for (int key = 0; key < RACE_KEYS_PER_ROUND; key++) {
                Long value = map.get(key);
                if (value == null) {
                    violations.add("raced key missing", "key " + key + " has no value after the race");
                    continue;
                }
                if ((key & 1) == 0) {
                    verifyPutIfAbsent(key, value, violations);
                } else {
                    verifyComputeIfAbsent(key, value, violations);
                }
            }
        }

        private void verifyPutIfAbsent(int key, long value, Violations violations) {
            int winners = 0;
            for (int t = 0; t < returned.length; t++) {
                long seen = returned[t][key];
                if (seen == NONE) {
                    winners++;
                    if (t != value) {
                        violations.add("putIfAbsent winner's value overwritten",
                                "thread " + t + " won key " + key + " but the map holds " + value);
                    }
                } else if (seen != value) {
                    violations.add("putIfAbsent loser told a value that is not the winner's",
                            "thread " + t + " was told " + seen + " for key " + key + ", the map holds " + value);
                }
            }
            if (winners != 1) {
                violations.add("putIfAbsent did not have exactly one winner",
                        "key " + key + " had " + winners + " winners among " + returned.length + " threads");
            }
        }

        private void verifyComputeIfAbsent(int key, long value, Violations violations) {
            int runs = functionRuns.get(key);
            if (runs != 1) {
                violations.add("computeIfAbsent ran its function other than once per key",
                        "key " + key + ": " + runs + " runs among " + returned.length + " racing threads");
            }
            for (int t = 0; t < returned.length; t++) {
                if (returned[t][key] != value) {
                    violations.add("computeIfAbsent returned a value the map does not hold",
                            "thread " + t + " got " + returned[t][key] + " for key " + key + ", the map holds " + value);
                }
            }
        }
    }

    /* ---------------- Views under writes: never throw, never invent ---------------- */

    /**
     * Readers iterate the views while writers mutate: no exception, no null or foreign element, sane size.
     *
     * @return the outcome
     */
    public StressOutcome viewsUnderWrites() {
        ConcurrentMap<Integer, Long> map = newMap();
        for (int key = 0; key < VIEW_KEYS; key += 2) {
            map.put(key, 1L);
        }
        Violations violations = new Violations();
        AtomicLong operations = new AtomicLong();
        long started = System.nanoTime();
        long deadline = started + duration.toNanos();
        int writers = Math.max(1, threads / 2);
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            boolean writer = t < writers;
            workers.add(() -> operations.addAndGet(writer
                    ? writeForViews(map, deadline, violations)
                    : readViews(map, deadline, violations)));
        }
        runWorkers("viewsUnderWrites", workers, deadline, violations);
        return finish("viewsUnderWrites", operations.get(), started, violations);
    }

    private long writeForViews(ConcurrentMap<Integer, Long> map, long deadline, Violations violations) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long ops = 0;
        while (ops < maxOperationsPerThread && ((ops & 63) != 0 || System.nanoTime() - deadline < 0)) {
            ops++;
            Integer key = random.nextInt(VIEW_KEYS);
            try {
                switch (random.nextInt(8)) {
                    case 0, 1, 2 -> map.put(key, 1L + random.nextInt(1000));
                    case 3, 4 -> map.remove(key);
                    case 5 -> map.compute(key, (k, old) -> old == null ? 1L : old + 1);
                    case 6 -> map.merge(key, 1L, Long::sum);
                    default -> {
                        if (random.nextInt(1024) == 0) {
                            map.clear();
                        } else {
                            map.putIfAbsent(key, 1L);
                        }
                    }
                }
            } catch (RuntimeException e) {
                violations.add("write threw while views were iterated", describe(e));
            }
        }
        return ops;
    }

    private long readViews(ConcurrentMap<Integer, Long> map, long deadline, Violations violations) {
        long ops = 0;
        for (int round = 0; ops < maxOperationsPerThread && System.nanoTime() - deadline < 0; round++) {
            String view = "";
            try {
                switch (round % 6) {
                    case 0 -> {
                        view = "entrySet iteration";
                        for (Map.Entry<Integer, Long> entry : map.entrySet()) {
                            checkElement(view, entry.getKey(), entry.getValue(), violations);
                            ops++;
                        }
                    }
                    case 1 -> {
                        view = "keySet iteration";
                        for (Integer key : map.keySet()) {
                            checkElement(view, key, 1L, violations);
                            ops++;
                        }
                    }
                    case 2 -> {
                        view = "values iteration";
                        for (Long value : map.values()) {
                            checkElement(view, 0, value, violations);
                            ops++;
                        }
                    }
                    case 3 -> {
                        view = "keySet iterator remove";
                        Iterator<Integer> keys = map.keySet().iterator();
                        while (keys.hasNext()) {
                            Integer key = keys.next();
                            checkElement(view, key, 1L, violations);
                            if (key % 7 == 0) {
                                keys.remove();
                            }
                            ops++;
                        }
                    }
                    case 4 -> {
                        view = "entrySet toArray and values stream";
                        for (Object element : map.entrySet().toArray()) {
                            @SuppressWarnings("unchecked")
                            Map.Entry<Integer, Long> entry = (Map.Entry<Integer, Long>) element;
                            checkElement(view, entry.getKey(), entry.getValue(), violations);
                        }
                        ops += map.values().stream().mapToLong(Long::longValue).count();
                    }
                    default -> {
                        view = "size, isEmpty, hashCode";
                        int size = map.size();
                        if (sizeBounded && (size < 0 || size > VIEW_KEYS)) {
                            violations.add("size() out of range", "size() = " + size + " with " + VIEW_KEYS + " keys");
                        }
                        map.isEmpty();
                        map.hashCode();
                        ops += 3;
                    }
                }
            } catch (RuntimeException e) {
                violations.add(view + " threw", describe(e));
            }
        }
        return ops;
    }

    private static void checkElement(String view, Integer key, Long value, Violations violations) {
        if (key == null || key < 0 || key >= VIEW_KEYS || value == null || value < 1) {
            violations.add(view + " yielded a null or foreign element", "key " + key + ", value " + value);
        }
    }

    /* ---------------- Harness ---------------- */

    /** A worker's body; what it throws is reported as a violation. */
    @FunctionalInterface
    private interface Worker {
        void run() throws Exception;
    }

    private ConcurrentMap<Integer, Long> newMap() {
        return Objects.requireNonNull(factory.get(), "factory returned null");
    }

    private void runWorkers(String check, List<Worker> workers, long deadline, Violations violations) {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            Worker worker = workers.get(i);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    worker.run();
                } catch (Throwable t) {
                    violations.add("worker thread died", Thread.currentThread().getName() + ": " + describe(t));
                }
            }, "mapstress-" + name + "-" + check + "-" + i);
            thread.setDaemon(true);
            running.add(thread);
            thread.start();
        }
        start.countDown();
        long stuckAt = deadline + TimeUnit.SECONDS.toNanos(STUCK_SECONDS);
        for (Thread thread : running) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(stuckAt - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                violations.add("interrupted", "the check was interrupted while waiting for its threads");
                break;
            }
        }
        for (Thread thread : running) {
            if (thread.isAlive()) {
                StackTraceElement[] stack = thread.getStackTrace();
                violations.add("thread stuck after the time limit (deadlock or livelock?)", thread.getName()
                        + (stack.length > 0 ? " at " + stack[0] : ""));
                thread.interrupt();
            }
        }
    }

    private StressOutcome finish(String check, long operations, long startedNanos, Violations violations) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        StressOutcome outcome = new StressOutcome(check, name, operations, millis, violations.summary());
        VerificationLog.record("stress-" + check, name, operations, (outcome.passed() ? "passed" : "FAILED with "
                + outcome.violations().size() + " kind(s) of violation") + ", " + threads + " threads, " + millis + " ms");
        return outcome;
    }

    private static String describe(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        return t + (stack.length > 0 ? " at " + stack[0] : "");
    }

    /**
     * Violations grouped by kind, counting every occurrence and keeping the first few examples of each, so a
     * badly broken map does not fill the heap with messages. Thread-safe.
     */
    private static final class Violations {
        private static final int EXAMPLES = 3;
        private final Map<String, Kind> kinds = new ConcurrentHashMap<>();

        void add(String kind, String example) {
            kinds.computeIfAbsent(kind, k -> new Kind()).add(example);
        }

        List<String> summary() {
            List<String> lines = new ArrayList<>();
            kinds.forEach((kind, tally) -> lines.add(tally.describe(kind)));
            lines.sort(null);
            return lines;
        }

        /** One kind's tally; its own lock guards the examples. */
        private static final class Kind {
            private final AtomicLong count = new AtomicLong();
            private final List<String> examples = new ArrayList<>();

            void add(String example) {
                count.incrementAndGet();
                synchronized (examples) {
                    if (examples.size() < EXAMPLES) {
                        examples.add(example);
                    }
                }
            }

            String describe(String kind) {
                synchronized (examples) {
                    return kind + ": " + count.get() + " time(s), e.g. " + String.join("; ", examples);
                }
            }
        }
    }
}
