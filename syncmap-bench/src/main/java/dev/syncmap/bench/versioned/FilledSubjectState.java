package dev.syncmap.bench.versioned;

import dev.syncmap.bench.Keys;
import dev.syncmap.bench.OpStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The state and JMH settings shared by {@link GetTargetBenchmark} and {@link WriteTargetBenchmark}: a
 * {@link Subject} holding every key, and the write both use, which removes a key and, on the thread's next write,
 * puts it back, so the size stays stable and every other write inserts a node (as in a steady-state cache). JMH
 * reads the class-level settings here and in {@link TargetSettings} through each subclass.
 *
 * <p>Filled by JMH's set-up thread before any measured call (JMH orders the trial set-up first); each
 * {@link Cursor} is confined to its benchmark thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class FilledSubjectState extends TargetSettings {

    Subject subject;
    Integer[] keyObjects;
    Integer[] values;

    /** Creates the named subject and puts every key. */
    final void fill(String map) {
        subject = Subject.create(map);
        keyObjects = Keys.boxed(keys);
        values = Subject.values(keys);
        subject.fill(keyObjects, values);
    }

    /**
     * One write: removes {@code key}, or, when the cursor's previous write removed a key, puts that one back.
     *
     * @param c the thread's cursor
     * @param key the key to remove
     */
    final void write(Cursor c, Integer key) {
        if (c.removed == null) {
            subject.remove(key);
            c.removed = key;
        } else {
            subject.put(c.removed, values[c.removed]);
            c.removed = null;
        }
    }

    /** One thread's operation stream, its position, and the key its last write removed (null when none). */
    public abstract static class Cursor {
        byte[] kinds;
        Integer[] keys;
        int mask;
        int position;
        Integer removed;

        /** Builds the stream: uniformly drawn keys, an exact share of reads. */
        final void build(FilledSubjectState state, double readFraction, long seed) {
            OpStream stream = OpStream.generate(readFraction, Keys.UNIFORM, state.keyObjects, OpStream.STREAM_LENGTH,
                    seed);
            kinds = stream.kinds();
            keys = stream.keys();
            mask = stream.mask();
        }
    }
}
