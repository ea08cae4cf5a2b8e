package dev.syncmap.bench;

import java.util.Map;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The state and JMH settings shared by the benchmarks that compare every {@link Contender} on one map
 * ({@link MixBenchmark}, {@link ComputeIfAbsentBenchmark}, and through {@link WrittenMapState} the whole-map
 * benchmarks): the contender and key count parameters, the pre-boxed keys and the map, created once per trial and
 * filled by the subclass. JMH reads the class-level settings here through each subclass, which adds its own mode
 * and unit.
 *
 * <p>Confined to JMH's set-up thread while it is filled; benchmark threads only read the fields afterwards (JMH
 * orders the trial set-up before the measured calls).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public abstract class ContenderState {

    /** The contender: every one unless narrowed with {@code -p map=}. */
    @Param
    public Contender map;

    /** The number of distinct keys. */
    @Param({"1000", "100000", "1000000"})
    public int keys;

    Map<Integer, Integer> target;
    Integer[] boxed;

    /** Creates the keys and the contender's empty map, then lets the subclass fill it, once per trial. */
    @Setup(Level.Trial)
    public final void createMap() {
        boxed = Keys.boxed(keys);
        target = map.create();
        fill();
    }

    /** Fills {@link #target} from {@link #boxed} and prepares whatever else the subclass measures with. */
    abstract void fill();
}
