package dev.syncmap;

import dev.syncmap.testkit.LincheckBudget;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * {@link ReadDirtyMap}, focused on its riskiest path: one key that is already in the promoted read map, so that
 * {@code put} and {@code replace} store into its entry lock-free while {@code compute}, {@code merge} and
 * {@code remove} work on the same entry under the lock. The kit's general test reaches this state only after a
 * promotion inside a scenario, which its small CI budget rarely explores; here every scenario starts from it,
 * and every operation hits the promoted key.
 *
 * <p>A compute that read the old value and then stored its result with a plain write, without first parking a
 * marker in the entry, loses a concurrent lock-free {@code put} (both return as if they ran last); that is the
 * bug this test exists to catch (it did, when the marker was taken out by hand).
 *
 * <p>The sequential specification is this class on a map used by one thread at a time (the map's sequential
 * behaviour is a {@code HashMap}'s, pinned by the contract suite). Budget: {@code lincheck.iterations} and
 * {@code lincheck.invocations} as everywhere (twice the scenarios, since they are tiny); the shape is fixed at two
 * threads of two operations, no operations before or after.
 */
@Param(name = "value", gen = IntGen.class, conf = "1:3")
public class ReadDirtyMapPromotedKeyLincheckTest {

    private static final int KEY = 1;

    private final ReadDirtyMap<Integer, Integer> map = new ReadDirtyMap<>();

    /** A map holding {@code 1 -> 1}, promoted into the read map. */
    public ReadDirtyMapPromotedKeyLincheckTest() {
        map.put(KEY, 1);
        map.keySet().iterator(); // creating an iterator promotes the dirty map
    }

    /**
     * {@code get(1)}.
     *
     * @return the value or null
     */
    @Operation
    public Integer get() {
        return map.get(KEY);
    }

    /**
     * {@code put(1, value)}: lock-free when the entry is live in the read map.
     *
     * @param value the value
     * @return the previous value
     */
    @Operation
    public Integer put(@Param(name = "value") int value) {
        return map.put(KEY, value);
    }

    /**
     * {@code replace(1, value)}: lock-free when the entry is live in the read map.
     *
     * @param value the value
     * @return the previous value
     */
    @Operation
    public Integer replace(@Param(name = "value") int value) {
        return map.replace(KEY, value);
    }

    /**
     * {@code remove(1)}: under the lock.
     *
     * @return the removed value
     */
    @Operation
    public Integer remove() {
        return map.remove(KEY);
    }

    /**
     * {@code compute(1, ...)}: inserts {@code value} when absent, else adds it.
     *
     * @param value the argument of the function
     * @return the new value
     */
    @Operation
    public Integer compute(@Param(name = "value") int value) {
        return map.compute(KEY, (k, old) -> old == null ? Integer.valueOf(value) : Integer.valueOf(old + value));
    }

    /**
     * {@code merge(1, value, ...)}: removes an equal value, else adds.
     *
     * @param value the value to merge
     * @return the new value or null
     */
    @Operation
    public Integer merge(@Param(name = "value") int value) {
        return map.merge(KEY, value, (old, given) -> old.equals(given) ? null : old + given);
    }

    private static LincheckBudget budget() {
        LincheckBudget base = LincheckBudget.fromSystemProperties();
        return new LincheckBudget(base.iterations() * 2, base.invocations(), 2, 2, 0, 0);
    }

    /** Every interleaving the model checker reaches, with a trace on failure. */
    @Test
    public void modelChecking() {
        budget().applyTo(new ModelCheckingOptions()).check(getClass());
    }

    /** Real threads. */
    @Test
    public void stress() {
        budget().applyTo(new StressOptions()).check(getClass());
    }
}
