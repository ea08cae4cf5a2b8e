package dev.syncmap.testkit;

import dev.syncmap.Snapshottable;
import dev.syncmap.VersionedMap;
import dev.syncmap.internal.FaultHooks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.TestAbortedException;

/**
 * Fault injection for any {@link ConcurrentMap}: keys whose {@code hashCode}/{@code equals} throw, mapping
 * functions that throw or write back into the map, {@code putAll} sources that fail midway or repeat a key,
 * {@code Error}s injected inside the map's critical sections, and, for a {@link VersionedMap}, watch listeners,
 * reactive subscribers and executors that fail. After every injected failure an oracle checks the map from other
 * threads, with bounded waits: no lock is held, the content is exactly that of a reference model, the views, the
 * snapshot and the feed agree with it, and every watch still delivers or has reported its failure.
 *
 * <p>A map joins the verified set with one test factory, as with {@link MapContract}:
 * <pre>{@code
 * class LockedMapFaultTest {
 *     @TestFactory
 *     Stream<DynamicNode> faults() {
 *         return FaultInjection.suite("LockedMap", LockedMap::new);
 *     }
 * }
 * }</pre>
 *
 * <h2>The checks</h2>
 * Each check is one dynamic test; each runs many rounds, every round on a fresh map preloaded with six keys
 * (two of which, and one absent key, share one hash code, hence one bin, stripe and lock).
 * <ul>
 *   <li><b>{@code hashCode()} throws on call N</b>, <b>{@code equals()} throws on call N</b>, and <b>{@code equals()}
 *       throws against a colliding key</b>: for each of {@code get}, {@code containsKey}, {@code put},
 *       {@code putIfAbsent}, both {@code remove}s, both {@code replace}s, {@code compute} (also returning null),
 *       {@code computeIfAbsent}, {@code computeIfPresent} (also returning null), {@code merge} and {@code putAll};
 *       N runs from 1 until the operation makes fewer than N such calls, so every call site is hit once. The
 *       thrown kinds rotate through a {@link RuntimeException}, {@link StackOverflowError},
 *       {@link OutOfMemoryError} and an {@link Error} of the kit's own.</li>
 *   <li><b>the mapping function throws</b> (the same four kinds) in {@code compute}, {@code computeIfAbsent},
 *       {@code computeIfPresent}, {@code merge} and {@code replaceAll} (on its first, second or third call);</li>
 *   <li><b>the mapping function writes to the map</b>: the write (or the call) must be refused with the
 *       declared exception ({@link IllegalStateException} by default), and nothing may deadlock;</li>
 *   <li><b>{@code putAll} from a source whose iterator throws</b> at each entry, and from sources that yield one
 *       key twice (an {@link IdentityHashMap} with equal but distinct keys; a source repeating one instance);</li>
 *   <li><b>an {@code Error} at each {@code FaultHooks} site</b> (table growth, node allocation, log append, copy
 *       build, feed read), thrown once on the thread of the call that reaches it, during a workload of a few
 *       hundred writes, misses, batches and snapshots; a map that never reaches the site reports the check as
 *       not reached (aborted, with a message), never as passed;</li>
 *   <li>for a {@link VersionedMap}: <b>a watch listener throws</b>, <b>a {@code Flow} subscriber throws</b>, and
 *       <b>the executor throws</b> a {@link RuntimeException}, a
 *       {@link java.util.concurrent.RejectedExecutionException} or an {@code Error} when handed a dispatch.</li>
 * </ul>
 *
 * <h2>The oracle</h2>
 * Run from the kit's oracle thread after every faulting call (and once before it), each step under a bounded wait
 * ({@value #DEFAULT_TIMEOUT_MILLIS} ms by default, {@code -D}{@value #TIMEOUT_PROPERTY}): a step that does not
 * finish fails the check with "operation X did not complete within N ms after fault F: a lock was probably
 * leaked".
 * <ol>
 *   <li>The content, read key by key with {@code get}, equals the model, a {@link java.util.HashMap} that applied
 *       exactly the calls that succeeded. A single-key call that threw must not have taken effect; a batch
 *       ({@code putAll}, {@code replaceAll}) that threw must not have either, unless the map
 *       {@linkplain Builder#batchesMayApplyPart() declares} its batches are not failure-atomic (then each key
 *       it writes may hold its old or its new value). An {@code Error} injected through {@code FaultHooks} may
 *       leave the call's effect entire or absent, never partial. A call that did not throw must return what the
 *       model's call returns.</li>
 *   <li>{@code size()}, iteration of {@code entrySet()}, {@code keySet()}, {@code values()} (no key twice), and
 *       {@code snapshot()} with its {@code size()} (for a {@link Snapshottable} map) agree with the model.</li>
 *   <li>A {@code put}, a {@code compute} and a {@code remove} of every key, then its value put back, all
 *       complete and return what the model says: no lock is held, in the faulting key's bin or any other;
 *       then step 2 again, and the content once more.</li>
 *   <li>For a {@link VersionedMap}: the feed from revision 0 has no gap, no revision out of order, no key twice
 *       in a revision, and old values that match the feed before them; replayed onto an empty map it gives the
 *       content. Every watch and subscriber received a gap-free, duplicate-free prefix of the feed and either
 *       delivers a new write within the wait or is closed with its failure reported ({@code failure()} non-null;
 *       a watch whose listener threw has exactly that throwable as its failure). Nothing escapes onto the
 *       executor's threads but the kit's own injected throwables.</li>
 * </ol>
 * A map may declare itself broken after an {@code Error} injected through {@code FaultHooks} inside a critical
 * section: the oracle accepts an {@link IllegalStateException} with a message from any later call, promptly
 * (within the wait), as the end of that round. After any other fault it is a failure.
 *
 * <h2>Budget</h2>
 * The default run takes well under a second per map when nothing hangs (each hang costs one wait, and a check
 * stops at its first failure). {@code -D}{@value #ROUNDS_PROPERTY}{@code =N} runs every check N times with
 * N-1 growing preloads (more keys, other table layouts); the {@code thorough} Maven profile sets it.
 *
 * <p>Thread-safety: the builder is not thread-safe; checks run one at a time.
 */
public final class FaultInjection {

    /*
     * Implementation notes
     * ====================
     *
     * Threads. Every check owns two "lanes" (Lane: one daemon thread each) and, for a VersionedMap, an executor of
     * two daemon threads (FaultyExecutor). The faulting call runs on the actor lane, the oracle on the oracle
     * lane, and the test's thread only waits (Future.get with a timeout) and keeps the model. So nothing a map does
     * can hang the build: a call stuck on a leaked lock stays parked in its daemon thread (lock() cannot be
     * interrupted; the lane is abandoned, never joined) and the check fails with the step it was stuck on. All of a
     * check's threads are shut down in a finally when it ends.
     *
     * Faults fire at most once (Fault.fire is a CAS) and only on the thread chosen for them: a key trap
     * (KeyTrap) counts calls on the actor thread only, a FaultHooks injector throws only on the actor thread (on
     * the delivery threads for FEED_READ), a ScriptedSource throws only on the actor. So the oracle, on its own
     * thread, always sees well-behaved keys, and the model, updated on the test's thread, never throws.
     *
     * The model is a HashMap to which every call that succeeded is applied with the same arguments and a no-op
     * hook in place of the fault (MapOp applies one operation to either). After a call that threw, the kit reads
     * the map key by key and accepts the content if the declared Effect allows it (none, none-or-all, per key),
     * then adopts it as the model, so later checks are exact.
     *
     * A hang or an oracle violation ends the check (the first one is the useful one); a TestAbortedException
     * means nothing could be injected (a hook site the map does not reach, a map that never calls equals).
     *
     * FaultHooks is global to the JVM: the kit installs one injector per round and clears it in a finally; its
     * thread filter keeps other maps' threads (another test's watch deliveries) from ever seeing the fault.
     */

    /** System property: how many times each check runs (default 1; each extra round preloads more keys). */
    public static final String ROUNDS_PROPERTY = "faultkit.rounds";
    /** System property: the bounded wait for each oracle step, in milliseconds. */
    public static final String TIMEOUT_PROPERTY = "faultkit.timeoutMillis";
    /** The default bounded wait, in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 1000;

    /** Call sites scanned per operation at most (call N throws, N = 1, 2, ...). */
    private static final int MAX_NTH = 8;
    /** Iterations of the hook workload; each writes, misses, and now and then removes, batches and snapshots. */
    private static final int WORKLOAD = 200;
    /** The value every faulting write writes. */
    private static final int V = 3;
    private static final Runnable NO_HOOK = () -> { };

    private FaultInjection() {}

    /**
     * Builds every check for the maps a factory makes, with the defaults: batches failure-atomic, a write from a
     * mapping function refused with {@link IllegalStateException}.
     *
     * @param name the name the checks and reports carry, e.g. the class's simple name
     * @param factory makes a new, empty map on every call
     * @return the checks' root node, for a {@code @TestFactory} to return
     */
    public static Stream<DynamicNode> suite(String name, Supplier<? extends ConcurrentMap<FaultKey, Integer>> factory) {
        return forMap(name, factory).dynamicTests();
    }

    /**
     * Starts the checks of a concurrent map. A {@link VersionedMap} made this way gets the feed checks; to fail
     * its executor too, use {@link #forVersionedMap}.
     *
     * @param name the name the checks and reports carry
     * @param factory makes a new, empty map on every call
     * @return a builder
     */
    public static Builder forMap(String name, Supplier<? extends ConcurrentMap<FaultKey, Integer>> factory) {
        Objects.requireNonNull(factory, "factory");
        return new Builder(name, executor -> factory.get(), false);
    }

    /**
     * Starts the checks of a {@link VersionedMap}, built around the kit's executor so that the executor's
     * failures can be injected and what escapes onto its threads observed.
     *
     * @param name the name the checks and reports carry
     * @param factory makes a new, empty map that runs its watches on the given executor
     * @return a builder
     */
    public static Builder forVersionedMap(String name,
            Function<Executor, ? extends VersionedMap<FaultKey, Integer>> factory) {
        Objects.requireNonNull(factory, "factory");
        return new Builder(name, factory::apply, true);
    }

    /**
     * Starts the checks of a map that is not thread-safe (e.g. a race detector around a {@code HashMap}). The kit
     * still calls it from several threads, but never two at once: each call happens-before the next. Declare what
     * the wrapped map does when a function writes to it ({@link Builder#recursiveUpdateThrows}); a
     * {@code HashMap}'s batches are not failure-atomic ({@link Builder#batchesMayApplyPart}).
     *
     * @param name the name the checks and reports carry
     * @param factory makes a new, empty map on every call
     * @return a builder
     */
    public static Builder forNonConcurrentMap(String name, Supplier<? extends Map<FaultKey, Integer>> factory) {
        Objects.requireNonNull(factory, "factory");
        return new Builder(name, executor -> factory.get(), false);
    }

    /** Declares what a map promises when user code fails, then builds or runs its checks. */
    public static final class Builder {
        private final String name;
        private final Function<Executor, ? extends Map<FaultKey, Integer>> factory;
        private final boolean kitExecutor;
        private boolean batchesMayApplyPart;
        private Class<? extends RuntimeException> recursionThrows = IllegalStateException.class;
        private boolean faultHooks = true;
        private Duration timeout = Duration.ofMillis(Long.getLong(TIMEOUT_PROPERTY, DEFAULT_TIMEOUT_MILLIS));
        private int rounds = Integer.getInteger(ROUNDS_PROPERTY, 1);

        private Builder(String name, Function<Executor, ? extends Map<FaultKey, Integer>> factory, boolean kitExecutor) {
            this.name = Objects.requireNonNull(name, "name");
            this.factory = factory;
            this.kitExecutor = kitExecutor;
        }

        /**
         * Declares that {@code putAll} and {@code replaceAll} are not failure-atomic: when one throws midway, each
         * key it writes may hold its old or its new value (keys it does not write must be untouched). Without this,
         * a batch that throws must leave the map unchanged.
         *
         * @return this builder
         */
        public Builder batchesMayApplyPart() {
            batchesMayApplyPart = true;
            return this;
        }

        /**
         * Declares the exception with which the map refuses a write made from inside one of its own mapping
         * functions (the write itself, or the call running the function, throws it). Default
         * {@link IllegalStateException}.
         *
         * @param type the exception type
         * @return this builder
         */
        public Builder recursiveUpdateThrows(Class<? extends RuntimeException> type) {
            recursionThrows = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * Declares that the map does not detect writes from its own mapping functions (they are forbidden, not
         * checked, as in {@code ConcurrentHashMap}): the recursion checks are left out.
         *
         * @return this builder
         */
        public Builder recursiveUpdatesUnchecked() {
            recursionThrows = null;
            return this;
        }

        /**
         * Leaves out the {@code FaultHooks} checks (for maps that have no such sites; they are left out
         * automatically for maps outside {@code dev.syncmap}).
         *
         * @return this builder
         */
        public Builder withoutFaultHooks() {
            faultHooks = false;
            return this;
        }

        /**
         * Sets the bounded wait for each call the kit makes (default {@value #DEFAULT_TIMEOUT_MILLIS} ms, or
         * {@code -D}{@value #TIMEOUT_PROPERTY}). A hang costs one wait.
         *
         * @param wait a positive duration
         * @return this builder
         */
        public Builder timeout(Duration wait) {
            if (wait.isNegative() || wait.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + wait);
            }
            timeout = wait;
            return this;
        }

        /**
         * Sets how many times each check runs (default 1, or {@code -D}{@value #ROUNDS_PROPERTY}).
         *
         * @param count at least 1
         * @return this builder
         */
        public Builder rounds(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("rounds must be at least 1, got " + count);
            }
            rounds = count;
            return this;
        }

        /**
         * The names of the checks this map gets, in order.
         *
         * @return the names, e.g. {@code "hashCode() throws on call N / compute"}
         */
        public List<String> checkNames() {
            return checks(subject()).stream().map(Check::name).collect(Collectors.toList());
        }

        /**
         * Runs one check now, on this thread (its calls on the map run on the kit's threads).
         *
         * @param checkName one of {@link #checkNames()}
         * @return what it found
         * @throws IllegalArgumentException if there is no such check
         */
        public FaultOutcome run(String checkName) {
            Subject s = subject();
            return checks(s).stream().filter(c -> c.name().equals(checkName)).findFirst()
                    .map(c -> c.run(s))
                    .orElseThrow(() -> new IllegalArgumentException(name + " has no fault check " + checkName));
        }

        /**
         * Runs every check now.
         *
         * @return one outcome per check, in order
         */
        public List<FaultOutcome> run() {
            Subject s = subject();
            return checks(s).stream().map(c -> c.run(s)).collect(Collectors.toList());
        }

        /**
         * Builds the checks as JUnit 5 dynamic tests: one container per kind of fault, one test per check. A check
         * whose fault cannot be injected into this map is aborted with the reason, not passed.
         *
         * @return a stream of one container, named after the map and the number of checks
         */
        public Stream<DynamicNode> dynamicTests() {
            Subject s = subject();
            List<Check> all = checks(s);
            VerificationLog.record("faults", name, all.size(), "fault-injection checks, " + s.rounds() + " round(s)");
            Map<String, List<DynamicNode>> byFamily = new LinkedHashMap<>();
            for (Check c : all) {
                byFamily.computeIfAbsent(c.family(), f -> new ArrayList<>())
                        .add(DynamicTest.dynamicTest(c.label(), () -> c.run(s).assertPassed()));
            }
            List<DynamicNode> families = byFamily.entrySet().stream()
                    .map(e -> (DynamicNode) DynamicContainer.dynamicContainer(e.getKey(), e.getValue().stream()))
                    .collect(Collectors.toList());
            return Stream.of(DynamicContainer.dynamicContainer(
                    name + " fault injection (" + all.size() + " checks)", families.stream()));
        }

        private Subject subject() {
            Map<FaultKey, Integer> probe;
            try (FaultyExecutor unused = new FaultyExecutor(name + "-probe")) {
                probe = Objects.requireNonNull(factory.apply(unused), "the map factory returned null");
            }
            boolean ours = probe.getClass().getPackageName().equals("dev.syncmap");
            return new Subject(name, factory, probe instanceof VersionedMap<?, ?>, kitExecutor, batchesMayApplyPart,
                    recursionThrows, faultHooks && ours, timeout, rounds);
        }
    }

    /* ---------------- What a check runs on ---------------- */

    /**
     * The map under test and what it declared.
     *
     * @param name the map's name in reports
     * @param factory makes a fresh map around the given watch executor
     * @param versioned whether the maps are {@link VersionedMap}s (feed and watch checks)
     * @param kitExecutor whether they run their watches on the kit's executor (executor and feed-read checks)
     * @param batchesMayApplyPart whether a batch that throws may leave part of its writes
     * @param recursionThrows the exception a write from a mapping function gets, or null: not checked
     * @param faultHooks whether to inject at FaultHooks sites
     * @param timeout the bounded wait for each call
     * @param rounds how many times each check runs
     */
    record Subject(String name, Function<Executor, ? extends Map<FaultKey, Integer>> factory, boolean versioned,
            boolean kitExecutor, boolean batchesMayApplyPart, Class<? extends RuntimeException> recursionThrows,
            boolean faultHooks, Duration timeout, int rounds) {

        Map<FaultKey, Integer> create(Executor executor) {
            return factory.apply(executor);
        }

        /** How a call of {@code op} that threw may leave the map. */
        FaultRound.Effect effectOf(MapOp op) {
            return op.batch && batchesMayApplyPart ? FaultRound.Effect.PER_KEY : FaultRound.Effect.NONE;
        }

        /** How a call that threw an Error injected in a critical section may leave the map. */
        FaultRound.Effect effectOfError(boolean batch) {
            return batch && batchesMayApplyPart ? FaultRound.Effect.PER_KEY : FaultRound.Effect.NONE_OR_ALL;
        }
    }

    /** The threads of one check: the actor lane, the oracle lane, the watch executor; closed when it ends. */
    static final class CheckEnv implements AutoCloseable {
        final Lane actor;
        final Lane oracle;
        final FaultyExecutor executor;
        private final List<String> notes = new ArrayList<>();
        /** Every fault injected in this check: the only throwables allowed to escape onto the executor. */
        final List<Fault> injected = new ArrayList<>();
        /** Faults fired so far; also rotates the kinds thrown. */
        int fired;

        CheckEnv(String name) {
            actor = new Lane(name + "-faultkit-actor");
            oracle = new Lane(name + "-faultkit-oracle");
            executor = new FaultyExecutor(name + "-faultkit");
        }

        /** The next kind of throwable user code throws: the four kinds in turn. */
        Fault.Kind nextKind() {
            return Fault.Kind.USER_CODE[fired % Fault.Kind.USER_CODE.length];
        }

        /** After a hang: the lanes' threads are stuck; they are shut down and the check ends by its failure. */
        void abandonLanes() {
            actor.close();
            oracle.close();
        }

        void note(String text) {
            if (notes.size() < 3) {
                notes.add(text);
            }
        }

        String notes() {
            return String.join("; ", notes);
        }

        @Override
        public void close() {
            actor.close();
            oracle.close();
            executor.close();
        }
    }

    /** One check: a dynamic test. */
    private record Check(String family, String label, Consumer<CheckEnv> body) {
        String name() {
            return family + " / " + label;
        }

        FaultOutcome run(Subject s) {
            long start = System.nanoTime();
            try (CheckEnv env = new CheckEnv(s.name())) {
                body.accept(env);
                return outcome(s, FaultOutcome.Status.PASSED, env.notes(), start, null);
            } catch (TestAbortedException e) {
                return outcome(s, FaultOutcome.Status.NOT_REACHED, e.getMessage(), start, null);
            } catch (AssertionError e) {
                return outcome(s, FaultOutcome.Status.FAILED, e.getMessage(), start, e.getCause());
            }
        }

        private FaultOutcome outcome(Subject s, FaultOutcome.Status status, String message, long start, Throwable cause) {
            return new FaultOutcome(name(), s.name(), status, message, (System.nanoTime() - start) / 1_000_000, cause);
        }
    }

    /* ---------------- The catalogue ---------------- */

    private static final MapOp[] KEY_OPS = {
        MapOp.GET, MapOp.CONTAINS_KEY, MapOp.PUT, MapOp.PUT_IF_ABSENT, MapOp.REMOVE, MapOp.REMOVE_IF_VALUE,
        MapOp.REPLACE, MapOp.REPLACE_IF_VALUE, MapOp.COMPUTE, MapOp.COMPUTE_TO_NULL, MapOp.COMPUTE_IF_ABSENT,
        MapOp.COMPUTE_IF_PRESENT, MapOp.COMPUTE_IF_PRESENT_TO_NULL, MapOp.MERGE, MapOp.PUT_ALL
    };

    private static List<Check> checks(Subject s) {
        List<Check> all = new ArrayList<>();
        for (MapOp op : KEY_OPS) {
            all.add(keyCheck(s, KeyTrap.Method.HASH_CODE, false, op));
        }
        for (MapOp op : KEY_OPS) {
            all.add(keyCheck(s, KeyTrap.Method.EQUALS, false, op));
        }
        for (MapOp op : KEY_OPS) {
            all.add(keyCheck(s, KeyTrap.Method.EQUALS, true, op));
        }
        for (MapOp op : KEY_OPS) {
            all.add(new Check("a stored key's hashCode() throws on call N", op.label,
                    env -> keyThrows(s, env, KeyTrap.Method.HASH_CODE, Trapped.STORED, op)));
        }
        for (MapOp op : MapOp.WITH_FUNCTION) {
            all.add(new Check("mapping function throws", op.label, env -> functionThrows(s, env, op)));
        }
        if (s.recursionThrows() != null) {
            for (MapOp op : MapOp.WITH_FUNCTION) {
                all.add(new Check("mapping function writes to the map", op.label, env -> functionRecurses(s, env, op)));
            }
        }
        all.add(new Check("putAll source", "iterator throws midway", env -> sourceThrows(s, env)));
        all.add(new Check("putAll source", "IdentityHashMap with equal keys twice",
                env -> duplicateSource(s, env, true)));
        all.add(new Check("putAll source", "entrySet yielding one key instance twice",
                env -> duplicateSource(s, env, false)));
        if (s.faultHooks()) {
            for (FaultHooks.Site site : FaultHooks.Site.values()) {
                if (site != FaultHooks.Site.FEED_READ || s.versioned()) {
                    all.add(new Check("Error at a FaultHooks site", site.name(), env -> hookSite(s, env, site)));
                }
            }
        }
        if (s.versioned()) {
            all.add(new Check("VersionedMap feed", "watch listener throws", env -> followerThrows(s, env, true)));
            all.add(new Check("VersionedMap feed", "Flow subscriber throws", env -> followerThrows(s, env, false)));
            for (Fault.Kind kind : new Fault.Kind[] {Fault.Kind.RUNTIME_EXCEPTION, Fault.Kind.REJECTED,
                    Fault.Kind.CUSTOM_ERROR}) {
                all.add(new Check("VersionedMap feed", "executor throws " + kind + " on dispatch",
                        env -> executorThrows(s, env, kind)));
            }
        }
        return all;
    }

    private static Check keyCheck(Subject s, KeyTrap.Method method, boolean against, MapOp op) {
        String family = method.label + (against ? " throws against a colliding key" : " throws on call N");
        return new Check(family, op.label, env -> keyThrows(s, env, method, against ? Trapped.PAIR : Trapped.ARGUMENT,
                op));
    }

    /** Which keys a key check arms. */
    private enum Trapped {
        /** The key passed to the call (and its stored twin): any call of the method counts. */
        ARGUMENT,
        /** The key passed and a stored key of its bin: only equals between the two counts. */
        PAIR,
        /** Keys already stored (one colliding with the argument, one not), not the argument. */
        STORED
    }

    /**
     * A key's hashCode or equals throws on its Nth call during {@code op}, N = 1, 2, ..., against a map fresh from
     * its first check and against one amended since.
     */
    private static void keyThrows(Subject s, CheckEnv env, KeyTrap.Method method, Trapped trapped, MapOp op) {
        // Present and absent keys of the colliding bin; unless a pair is armed, present and absent spread keys too,
        // and the key an amended round writes last (so in an amended map it is in the write-side structure only).
        int[] targets = trapped == Trapped.PAIR ? new int[] {1, 2} : new int[] {1, 2, 5, 8, FaultRound.AMEND};
        for (int r = 0; r < s.rounds(); r++) {
            for (int target : targets) {
                for (boolean amend : new boolean[] {false, true}) {
                    keyThrows(s, env, method, trapped, op, r, target, amend);
                }
            }
        }
        if (env.fired == 0) {
            throw new TestAbortedException(s.name() + "'s " + op + " never called " + method.label + " on the "
                    + trapped.name().toLowerCase(java.util.Locale.ROOT) + " keys: nothing to inject");
        }
    }

    /** One target key in one map state: call N throws, for N = 1, 2, ... until op makes fewer than N calls. */
    private static void keyThrows(Subject s, CheckEnv env, KeyTrap.Method method, Trapped trapped, MapOp op, int r,
            int target, boolean amend) {
        for (int n = 1; n <= MAX_NTH; n++) {
            FaultRound round = new FaultRound(s, env, r, amend);
            FaultKey canonical = round.key(target);
            FaultKey arg = canonical.copy();
            FaultKey other = trapped == Trapped.ARGUMENT ? canonical : round.key(0);
            FaultKey bystander = trapped == Trapped.STORED ? round.key(4) : other;
            FaultKey first = trapped == Trapped.STORED ? other : arg;
            boolean against = trapped == Trapped.PAIR;
            Fault fault = new Fault(env.nextKind(), (trapped == Trapped.STORED ? "stored " + other + " and "
                    + bystander : arg.toString()) + "." + method.label + " on call " + n
                    + (against ? " against " + other : "") + (amend ? ", map amended" : ""), false);
            KeyTrap trap = new KeyTrap(method, n, against ? target : -1, against ? other.id() : -1, fault,
                    env.actor.thread());
            Map<FaultKey, Integer> source = MapOp.source(round.key(9), arg, round.key(10), V);
            String call = op + "(" + arg + ")";
            first.arm(trap);
            other.arm(trap);
            bystander.arm(trap);
            Lane.Result result;
            try {
                result = round.act(call, () -> op.apply(round.map, arg, V, source, NO_HOOK));
            } finally {
                first.disarm();
                other.disarm();
                bystander.disarm();
            }
            round.judge(call, result, fault, s.effectOf(op), false,
                    m -> op.apply(m, canonical, V, source, NO_HOOK));
            if (!fault.fired()) {
                break; // op makes fewer than n such calls: every call site has had its turn
            }
            env.fired++;
        }
    }

    /** {@code op}'s mapping function throws on its Nth call (N = 1 for single keys, 1 to 3 for replaceAll). */
    private static void functionThrows(Subject s, CheckEnv env, MapOp op) {
        int[] targets = op.batch ? new int[] {1} : new int[] {1, 2, 5};
        for (int r = 0; r < s.rounds(); r++) {
            for (int target : targets) {
                for (int n = 1; n <= (op.batch ? 3 : 1); n++) {
                    FaultRound round = new FaultRound(s, env, r);
                    FaultKey k = round.key(target);
                    Fault fault = new Fault(env.nextKind(), op + "'s function on its call " + n, false);
                    Thread actor = env.actor.thread();
                    int[] calls = {0};
                    int nth = n;
                    Runnable hook = () -> {
                        if (Thread.currentThread() == actor && ++calls[0] == nth) {
                            fault.fire();
                        }
                    };
                    String call = op + "(" + k + ")";
                    Lane.Result result = round.act(call, () -> op.apply(round.map, k, V, null, hook));
                    round.judge(call, result, fault, s.effectOf(op), false, m -> op.apply(m, k, V, null, NO_HOOK));
                    if (fault.fired()) {
                        env.fired++;
                    }
                }
            }
        }
    }

    /** {@code op}'s mapping function puts a key of the same bin (or its own key) into the map. */
    private static void functionRecurses(Subject s, CheckEnv env, MapOp op) {
        for (int r = 0; r < s.rounds(); r++) {
            for (int target : new int[] {1, 2}) {
                for (boolean sameKey : new boolean[] {true, false}) {
                    FaultRound round = new FaultRound(s, env, r);
                    FaultKey k = round.key(target);
                    FaultKey inner = sameKey ? k : round.key(target == 1 ? 2 : 0);
                    Thread actor = env.actor.thread();
                    AtomicReference<Object> innerOutcome = new AtomicReference<>();
                    Runnable hook = () -> {
                        if (Thread.currentThread() == actor && innerOutcome.get() == null) {
                            try {
                                round.map.put(inner, 1);
                                innerOutcome.set(Boolean.TRUE);
                            } catch (RuntimeException | Error e) {
                                innerOutcome.set(e);
                                throw e;
                            }
                        }
                    };
                    String call = op + "(" + k + ") whose function puts " + inner;
                    Lane.Result result = round.act(call, () -> op.apply(round.map, k, V, null, hook));
                    Object io = innerOutcome.get();
                    if (io == null) { // the function was not called (computeIfPresent of an absent key)
                        round.verify(call, result, null, m -> op.apply(m, k, V, null, NO_HOOK));
                        continue;
                    }
                    boolean innerApplied = Boolean.TRUE.equals(io);
                    Throwable refusal = innerApplied ? result.thrown() : (Throwable) io;
                    if (!s.recursionThrows().isInstance(refusal)) {
                        throw round.fail(call + ": the inner put " + (innerApplied ? "succeeded" : "threw " + io)
                                + " and the call " + (result.thrown() == null ? "returned normally"
                                : "threw " + result.thrown()) + "; a write from a mapping function must be refused"
                                + " with " + s.recursionThrows().getSimpleName(), result.thrown());
                    }
                    if (!innerApplied && result.thrown() == null) {
                        throw round.fail(call + " returned normally although its function's put threw " + io
                                + ": the map swallowed it");
                    }
                    if (innerApplied) {
                        round.applied(m -> m.put(inner, 1));
                    }
                    round.verify(call, result, s.effectOf(op), m -> op.apply(m, k, V, null, NO_HOOK));
                    env.fired++;
                }
            }
        }
    }

    /** putAll from a source whose iterator throws at entry i, for every i. */
    private static void sourceThrows(Subject s, CheckEnv env) {
        for (int r = 0; r < s.rounds(); r++) {
            for (int at = 0; at < 4; at++) {
                FaultRound round = new FaultRound(s, env, r);
                List<Map.Entry<FaultKey, Integer>> entries = List.of(Map.entry(round.key(9), V),
                        Map.entry(round.key(1), V), Map.entry(round.key(10), V), Map.entry(round.key(2), V));
                Fault fault = new Fault(env.nextKind(), "the putAll source's iterator at entry " + at, false);
                ScriptedSource source = new ScriptedSource(entries, at, fault, env.actor.thread());
                String call = "putAll(a source throwing at entry " + at + ")";
                Lane.Result result = round.act(call, () -> {
                    round.map.putAll(source);
                    return null;
                });
                round.judge(call, result, fault, s.effectOf(MapOp.PUT_ALL), false, source::applyTo);
                env.fired++;
            }
        }
    }

    /** putAll from a source that yields one key twice: equal instances, or the same instance. */
    private static void duplicateSource(Subject s, CheckEnv env, boolean identityMap) {
        for (int r = 0; r < s.rounds(); r++) {
            FaultRound round = new FaultRound(s, env, r);
            Map<FaultKey, Integer> source;
            if (identityMap) {
                source = new IdentityHashMap<>();
                for (int id : new int[] {1, 2, 9}) {
                    source.put(round.key(id).copy(), V);
                    source.put(round.key(id).copy(), V);
                }
            } else {
                List<Map.Entry<FaultKey, Integer>> entries = new ArrayList<>();
                for (int id : new int[] {1, 2, 9}) {
                    entries.add(Map.entry(round.key(id), V));
                    entries.add(Map.entry(round.key(id), V));
                }
                source = new ScriptedSource(entries, -1, null, env.actor.thread());
            }
            String call = "putAll(a source yielding k1, k2 and k9 twice each)";
            Lane.Result result = round.act(call, () -> {
                round.map.putAll(source);
                return null;
            });
            round.verify(call, result, null, m -> {
                m.putAll(source);
                return null;
            });
        }
    }

    /** A write-heavy workload with an Error armed at {@code site}, thrown the first time the site is reached. */
    private static void hookSite(Subject s, CheckEnv env, FaultHooks.Site site) {
        if (!FaultHooks.ENABLED) {
            throw new TestAbortedException("FaultHooks are off in this JVM: run it with -Dsyncmap.faultHooks=true");
        }
        boolean async = site == FaultHooks.Site.FEED_READ;
        if (async && !s.kitExecutor()) {
            throw new TestAbortedException("declare the map with FaultInjection.forVersionedMap to inject at " + site);
        }
        int steps = 0;
        for (int r = 0; r < s.rounds(); r++) {
            for (Fault.Kind kind : new Fault.Kind[] {Fault.Kind.OUT_OF_MEMORY, Fault.Kind.CUSTOM_ERROR}) {
                FaultRound round = new FaultRound(s, env, r);
                Fault fault = new Fault(kind, "FaultHooks." + site, true);
                Thread actor = env.actor.thread();
                List<Step> workload = workload(round);
                Step firing = null;
                Lane.Result firingResult = new Lane.Result(null, null);
                FaultHooks.install(at -> {
                    Thread t = Thread.currentThread();
                    if (at == site && (async ? env.executor.runsOn(t) : t == actor)) {
                        fault.fire();
                    }
                });
                try {
                    for (Step step : workload) {
                        Lane.Result result = round.act(step.label, () -> step.call.apply(round.map));
                        steps++;
                        if (fault.fired()) {
                            firing = step;
                            firingResult = result;
                            break;
                        }
                        round.succeeded(step.label, result, step.call);
                    }
                    if (async) {
                        round.awaitUntil(fault::fired);
                    }
                } finally {
                    FaultHooks.clear();
                }
                if (!fault.fired()) {
                    continue;
                }
                env.fired++;
                if (firing == null) {
                    round.judge("the watch deliveries", firingResult, fault, null, true, m -> FaultRound.UNCHECKED);
                } else {
                    round.judge(firing.label, firingResult, fault, s.effectOfError(firing.batch), async, firing.call);
                }
            }
        }
        if (env.fired == 0) {
            throw new TestAbortedException("FaultHooks site " + site + " was not reached in " + steps + " calls on "
                    + s.name() + " (puts, misses, removes, putAlls, snapshots): the map has no hook there yet");
        }
    }

    /** One call of the hook workload; {@code call} applies to the map and to the model alike. */
    private record Step(String label, boolean batch, Function<Map<FaultKey, Integer>, Object> call) {}

    private static List<Step> workload(FaultRound round) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < WORKLOAD; i++) {
            FaultKey k = round.key(100 + i);
            int value = i;
            steps.add(new Step("put(" + k + ")", false, m -> m.put(k, value)));
            FaultKey miss = FaultKey.of(100_000 + i);
            steps.add(new Step("get(" + miss + "), a miss", false, m -> m.get(miss)));
            if (i % 8 == 7) {
                FaultKey gone = round.key(100 + i - 3);
                steps.add(new Step("remove(" + gone + ")", false, m -> m.remove(gone)));
            }
            if (i % 16 == 15) {
                Map<FaultKey, Integer> batch = Map.of(round.key(1000 + 2 * i), i, round.key(1001 + 2 * i), i);
                steps.add(new Step("putAll(" + batch.keySet() + ")", true, m -> {
                    m.putAll(batch);
                    return null;
                }));
            }
            if (i % 32 == 0 && round.snapshottable()) {
                steps.add(new Step("snapshot()", false, m -> {
                    if (m instanceof Snapshottable<?, ?> s) {
                        s.snapshot();
                    }
                    return FaultRound.UNCHECKED;
                }));
            }
        }
        return steps;
    }

    /** A watch's listener, or a Flow subscriber, throws on its next delivery. */
    private static void followerThrows(Subject s, CheckEnv env, boolean watch) {
        for (int r = 0; r < s.rounds(); r++) {
            for (Fault.Kind kind : Fault.Kind.USER_CODE) {
                FaultRound round = new FaultRound(s, env, r);
                long from = round.revision();
                String who = watch ? "a watch's listener" : "a Flow subscriber";
                FeedRecorder thrower = watch ? round.follow(who + " throwing " + kind, from)
                        : round.subscribe(who + " throwing " + kind, from);
                Fault fault = new Fault(kind, who + " on its next delivery", false);
                thrower.arm(fault);
                FaultKey k = round.key(9);
                Lane.Result result = round.act("put(" + k + ")", () -> round.map.put(k, V));
                round.awaitUntil(fault::fired);
                round.judge("put(" + k + ")", result, fault, null, true, m -> m.put(k, V));
                env.fired++;
            }
        }
    }

    /** The watch executor throws when handed a dispatch. */
    private static void executorThrows(Subject s, CheckEnv env, Fault.Kind kind) {
        if (!s.kitExecutor()) {
            throw new TestAbortedException("declare the map with FaultInjection.forVersionedMap to fail its executor");
        }
        for (int r = 0; r < s.rounds(); r++) {
            FaultRound round = new FaultRound(s, env, r);
            round.awaitFollowersIdle();
            Fault fault = new Fault(kind, "the watch executor's execute()", false);
            env.executor.arm(fault);
            try {
                for (int i = 0; i < 4 && !fault.fired(); i++) {
                    FaultKey k = round.key(9 + i);
                    String call = "put(" + k + ")";
                    Lane.Result result = round.act(call, () -> round.map.put(k, V));
                    if (fault.fired()) {
                        env.fired++;
                        round.judge(call, result, fault, kind.isError() ? FaultRound.Effect.NONE_OR_ALL : null, true,
                                m -> m.put(k, V));
                    } else {
                        round.succeeded(call, result, m -> m.put(k, V));
                        round.awaitFollowersIdle();
                    }
                }
            } finally {
                env.executor.disarm();
            }
        }
        if (env.fired == 0) {
            throw new TestAbortedException(s.name() + " never handed its executor a dispatch");
        }
    }
}
