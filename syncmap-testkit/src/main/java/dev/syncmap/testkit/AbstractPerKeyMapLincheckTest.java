package dev.syncmap.testkit;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Lincheck linearizability checks of a {@link ConcurrentMap}'s per-key operations against a sequential
 * {@link HashMap}, in model-checking and stress modes: {@code get}, {@code containsKey}, {@code put},
 * {@code putIfAbsent}, {@code remove} (both forms), {@code replace} (both forms), {@code compute},
 * {@code computeIfAbsent}, {@code computeIfPresent} and {@code merge}.
 *
 * <p>Most maps should extend {@link AbstractMapLincheckTest}, which adds {@code size}; extend this class
 * directly only for a map whose {@code size()} is documented as weakly consistent (not linearizable), so that
 * the check still covers everything the map does promise. A subclass must be public with a public no-argument
 * constructor: Lincheck makes a fresh instance, and so a fresh map, for every run of every scenario.
 *
 * <p>Keys range over 1..3 and values over 1..4, so operations collide on keys often. The mapping functions are
 * deterministic and exercise every outcome: {@code compute} inserts, replaces and removes; {@code merge} and
 * {@code computeIfPresent} replace or remove; {@code computeIfAbsent} inserts. Budgets come from
 * {@link LincheckBudget#fromSystemProperties()}; each passing run records its budget through
 * {@link VerificationLog}. Override {@link #modelCheckingOptions()} or {@link #stressOptions()} to refine the
 * options (e.g. a longer budget for one map).
 *
 * <p><b>Known Lincheck 3.7 quirk:</b> on every call it intercepts, the model checker compares the receiver with
 * {@code System.in}/{@code out}/{@code err} using Kotlin's {@code ==}, that is {@code receiver.equals(System.in)}.
 * A map whose {@code equals} takes its lock before looking at the argument then blocks on a lock held by a thread
 * the model checker has parked, and the run is reported as hung ("The execution has hung", with
 * {@code equals} in the thread dump). Return {@code false} for a non-{@link Map} argument before locking.
 */
@Param(name = "key", gen = IntGen.class, conf = "1:3")
@Param(name = "value", gen = IntGen.class, conf = "1:4")
public abstract class AbstractPerKeyMapLincheckTest {

    /** compute: absent becomes the value; a value equal to the argument is removed; otherwise the sum. */
    private static final BiFunction<Integer, Integer, Integer> COMPUTE_REMOVING_EQUAL = (old, value) ->
            old == null ? value : old.equals(value) ? null : old + value;

    private final Map<Integer, Integer> map;

    /**
     * Tests a concurrent map.
     *
     * @param map a new, empty map, owned by this instance
     */
    protected AbstractPerKeyMapLincheckTest(ConcurrentMap<Integer, Integer> map) {
        this.map = Objects.requireNonNull(map, "map");
    }

    /** For the sequential specification, which is a plain map. */
    AbstractPerKeyMapLincheckTest(Map<Integer, Integer> sequentialMap, boolean sequential) {
        this.map = Objects.requireNonNull(sequentialMap, "sequentialMap");
    }

    /**
     * The map under test (or the specification's {@link HashMap}), for operations a subclass adds.
     *
     * @return the map
     */
    protected final Map<Integer, Integer> map() {
        return map;
    }

    /* ---------------- Operations ---------------- */

    /**
     * {@link Map#get}.
     *
     * @param key the key
     * @return the value or null
     */
    @Operation
    public Integer get(@Param(name = "key") int key) {
        return map.get(key);
    }

    /**
     * {@link Map#containsKey}.
     *
     * @param key the key
     * @return whether present
     */
    @Operation
    public boolean containsKey(@Param(name = "key") int key) {
        return map.containsKey(key);
    }

    /**
     * {@link Map#put}.
     *
     * @param key the key
     * @param value the value
     * @return the previous value or null
     */
    @Operation
    public Integer put(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.put(key, value);
    }

    /**
     * {@link ConcurrentMap#putIfAbsent}.
     *
     * @param key the key
     * @param value the value
     * @return the present value, or null if {@code value} was inserted
     */
    @Operation
    public Integer putIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.putIfAbsent(key, value);
    }

    /**
     * {@link Map#remove(Object)}.
     *
     * @param key the key
     * @return the removed value or null
     */
    @Operation
    public Integer remove(@Param(name = "key") int key) {
        return map.remove(key);
    }

    /**
     * {@link ConcurrentMap#remove(Object, Object)}.
     *
     * @param key the key
     * @param value the expected value
     * @return whether removed
     */
    @Operation
    public boolean removeIfEquals(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.remove(key, value);
    }

    /**
     * {@link ConcurrentMap#replace(Object, Object)}.
     *
     * @param key the key
     * @param value the new value
     * @return the replaced value, or null if absent
     */
    @Operation
    public Integer replace(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.replace(key, value);
    }

    /**
     * {@link ConcurrentMap#replace(Object, Object, Object)}, replacing {@code expected} by {@code expected + 1}.
     *
     * @param key the key
     * @param expected the expected value
     * @return whether replaced
     */
    @Operation
    public boolean replaceIfEquals(@Param(name = "key") int key, @Param(name = "value") int expected) {
        return map.replace(key, expected, expected + 1);
    }

    /**
     * {@link ConcurrentMap#compute}: inserts {@code value} when absent, removes a value equal to it, else adds it.
     *
     * @param key the key
     * @param value the argument of the function
     * @return the new value or null
     */
    @Operation
    public Integer compute(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.compute(key, (k, old) -> COMPUTE_REMOVING_EQUAL.apply(old, value));
    }

    /**
     * {@link ConcurrentMap#computeIfAbsent}: inserts {@code value} when absent.
     *
     * @param key the key
     * @param value the value the function returns
     * @return the present or new value
     */
    @Operation
    public Integer computeIfAbsent(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.computeIfAbsent(key, k -> value);
    }

    /**
     * {@link ConcurrentMap#computeIfPresent}: removes a value equal to {@code value}, else adds it.
     *
     * @param key the key
     * @param value the argument of the function
     * @return the new value or null
     */
    @Operation
    public Integer computeIfPresent(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.computeIfPresent(key, (k, old) -> COMPUTE_REMOVING_EQUAL.apply(old, value));
    }

    /**
     * {@link ConcurrentMap#merge}: inserts {@code value} when absent, removes an equal value, else adds it.
     *
     * @param key the key
     * @param value the value to merge
     * @return the new value or null
     */
    @Operation
    public Integer merge(@Param(name = "key") int key, @Param(name = "value") int value) {
        return map.merge(key, value, (old, given) -> old.equals(given) ? null : old + given);
    }

    /* ---------------- Tests ---------------- */

    /** Explores interleavings of random scenarios: finds atomicity bugs deterministically, with a trace. */
    @Test
    public void modelChecking() {
        run("lincheck-model-checking", modelCheckingOptions());
    }

    /** Runs random scenarios on real threads: finds bugs that depend on the memory model or timing. */
    @Test
    public void stress() {
        run("lincheck-stress", stressOptions());
    }

    /**
     * The model-checking options: the system-property budget and the {@link HashMap} specification.
     *
     * @return options, which a subclass may refine
     */
    protected Options<?, ?> modelCheckingOptions() {
        return LincheckBudget.fromSystemProperties().modelChecking().sequentialSpecification(AbstractMapLincheckTest.Specification.class);
    }

    /**
     * The stress options: the system-property budget and the {@link HashMap} specification.
     *
     * @return options, which a subclass may refine
     */
    protected Options<?, ?> stressOptions() {
        return LincheckBudget.fromSystemProperties().stress().sequentialSpecification(AbstractMapLincheckTest.Specification.class);
    }

    private void run(String tool, Options<?, ?> options) {
        LincheckBudget budget = LincheckBudget.fromSystemProperties();
        long started = System.nanoTime();
        options.check(getClass());
        long millis = (System.nanoTime() - started) / 1_000_000;
        VerificationLog.record(tool, getClass().getSimpleName(), budget.maxRuns(),
                "at most " + budget.describe() + ", passed in " + millis + " ms");
    }
}
