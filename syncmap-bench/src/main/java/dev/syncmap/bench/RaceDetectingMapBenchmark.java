package dev.syncmap.bench;

import dev.syncmap.RaceDetectingMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link RaceDetectingMap}'s race detection costs a single thread: {@code get} and {@code put} on a plain
 * {@link HashMap} against the same calls through {@code RaceDetectingMap.of(new HashMap<>())}. Score:
 * <b>nanoseconds per call</b>, one thread (the wrapper is meant for code that should be single-threaded, or
 * synchronized outside).
 * Keys cycle through a precomputed array of boxed keys, every one present.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class RaceDetectingMapBenchmark {

    /** {@code HashMap} or {@code RaceDetectingMap}. */
    @Param({"HashMap", "RaceDetectingMap"})
    public String map;

    /** Number of keys, all present. */
    @Param({"1000"})
    public int keys;

    private Map<Integer, Integer> target;
    private Integer[] boxed;
    private int next;

    /** Builds and fills the map. */
    @Setup
    public void setUp() {
        boxed = Keys.boxed(keys);
        Map<Integer, Integer> plain = new HashMap<>();
        target = switch (map) {
            case "HashMap" -> plain;
            case "RaceDetectingMap" -> RaceDetectingMap.of(plain);
            default -> throw new IllegalArgumentException("map must be HashMap or RaceDetectingMap, was " + map);
        };
        for (Integer k : boxed) {
            target.put(k, k);
        }
    }

    private Integer nextKey() {
        int i = next + 1;
        next = i == boxed.length ? 0 : i;
        return boxed[next];
    }

    /**
     * One {@code get} of a present key.
     *
     * @return the value (consumed by JMH)
     */
    @Benchmark
    public Integer get() {
        return target.get(nextKey());
    }

    /**
     * One {@code put} replacing a present key's value with itself.
     *
     * @return the previous value (consumed by JMH)
     */
    @Benchmark
    public Integer put() {
        Integer k = nextKey();
        return target.put(k, k);
    }
}
