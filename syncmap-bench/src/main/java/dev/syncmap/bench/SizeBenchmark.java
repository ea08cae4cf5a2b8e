package dev.syncmap.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * The cost of {@code size()} while a background writer runs (see {@link WrittenMapState}). Score:
 * <b>nanoseconds per call</b> (JMH {@code AverageTime}). It ranges from a field read (a single counter) through a
 * sum over stripes or counter cells to a full count ({@code TrieMap} counts a fresh snapshot whenever the map has
 * changed). Run with {@code -p writer=false} to see the quiescent cost.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SizeBenchmark extends WrittenMapState {

    /**
     * One {@code size()} call.
     *
     * @return the size (consumed by JMH)
     */
    @Benchmark
    public int size() {
        return target.size();
    }
}
