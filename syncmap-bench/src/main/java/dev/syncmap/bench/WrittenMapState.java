package dev.syncmap.bench;

import java.util.HashMap;
import java.util.Map;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The shared state of the benchmarks that read a whole map while a writer runs ({@link IterationBenchmark},
 * {@link SnapshotCopyBenchmark}, {@link SizeBenchmark}): a contender pre-populated like {@link MixBenchmark}'s
 * (about {@code keys / 2} entries) and, when {@code writer} is true, a {@link BackgroundWriter} running through
 * every iteration, keeping the size stable.
 *
 * <p>{@code Collections.synchronizedMap} requires its callers to hold the map's monitor while iterating (its
 * views are plain {@code HashMap} views); {@link #iterationLock()} returns that monitor for it and a private dummy
 * for every other contender, so the measured code is the same for all and correct for each.
 */
public abstract class WrittenMapState extends ContenderState {

    /** Whether a background writer runs during each iteration. */
    @Param({"true"})
    public boolean writer;

    boolean snapshots;
    private Object iterationLock;
    private BackgroundWriter backgroundWriter;

    /** Pre-populates the map (about {@code keys / 2} entries) once per trial. */
    @Override
    void fill() {
        snapshots = map.offersSnapshots();
        OpStream.populate(target, boxed);
        iterationLock = map == Contender.SynchronizedMap ? target : new Object();
    }

    /** Starts the writer before each iteration. */
    @Setup(Level.Iteration)
    public void startWriter() {
        if (writer) {
            backgroundWriter = BackgroundWriter.start(target, boxed);
        }
    }

    /** Stops the writer after each iteration, failing the run if it failed. */
    @TearDown(Level.Iteration)
    public void stopWriter() {
        if (backgroundWriter != null) {
            BackgroundWriter stopping = backgroundWriter;
            backgroundWriter = null;
            stopping.close();
        }
    }

    /** The monitor to hold while iterating {@link #target}: its own for a synchronized map, else uncontended. */
    final Object iterationLock() {
        return iterationLock;
    }

    /** A full copy into a {@code HashMap}, holding the iteration lock. */
    final Map<Integer, Integer> copyOf(Map<Integer, Integer> source) {
        synchronized (iterationLock) {
            return new HashMap<>(source);
        }
    }
}
