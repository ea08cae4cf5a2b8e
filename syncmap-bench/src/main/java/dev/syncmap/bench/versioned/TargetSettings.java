package dev.syncmap.bench.versioned;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What every {@code VersionedMap} target benchmark shares: one fork with a fixed 3 GiB heap, one thread unless
 * {@code -t} says otherwise, and the 1k and 1M key counts. JMH reads the class-level settings here through each
 * subclass, which adds its mode, unit and iteration times.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Threads(1)
@State(Scope.Benchmark)
public abstract class TargetSettings {

    /** Number of keys. */
    @Param({"1000", "1000000"})
    public int keys;
}
