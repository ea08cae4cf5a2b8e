package dev.syncmap.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * The time of one full iteration over a map's entries while a background writer puts and removes (see
 * {@link WrittenMapState}). Score: <b>microseconds per full iteration</b> (JMH {@code AverageTime}); divide by
 * about {@code keys / 2} for the time per entry.
 *
 * <p>Each contender iterates with its own guarantee: weakly consistent for the concurrent maps, a point-in-time
 * view for {@code TrieMap} and the snapshotting syncmap maps, and under the map's monitor (blocking the writer)
 * for {@code SynchronizedMap}, as its contract requires.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IterationBenchmark extends WrittenMapState {

    /**
     * Iterates every entry, summing keys and values.
     *
     * @return the sum (consumed by JMH)
     */
    @Benchmark
    public long iterate() {
        long sum = 0;
        synchronized (iterationLock()) {
            for (Map.Entry<Integer, Integer> entry : target.entrySet()) {
                sum += entry.getKey() + entry.getValue();
            }
        }
        return sum;
    }
}
