package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.syncmap.VersionedMap;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * {@link VersionedMap}'s commit/watch handshake, on the real classes: a {@code put} races a {@code watch} from the
 * revision before it. The commit must see the new watch (and hand a dispatch to the executor), or the watch must
 * see the commit (and hand its own delivery run to the executor), or both; never neither (the Dekker pattern:
 * commit's CAS, release, read of the open count, against the count's increment, then the wait for an even
 * sequencer word). The executor only queues tasks; the arbiter runs them, so the put reaches the listener if and
 * only if one side woke it. {@link WatchWakeUpWithoutWaitControl} is the same pattern without the wait.
 *
 * <p>Result: (the writer handed off a dispatch, the registration handed off a delivery, the revision delivered).
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "The commit saw the watch and woke it.")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "The watch saw the commit and delivered it.")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "Both saw each other.")
@Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "Lost wake-up: the watcher sleeps while the commit saw no watcher.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class VersionedMapWatchWakeUpTest {

    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicLong delivered = new AtomicLong();
    private Thread writerThread;
    private Thread watcherThread;
    private volatile boolean draining;
    private int writerHandedOff;
    private int watcherHandedOff;

    private final Executor queue = task -> {
        if (!draining) {
            Thread current = Thread.currentThread();
            if (current == writerThread) {
                writerHandedOff = 1; // written by the writer only; read by the arbiter after the actors
            } else if (current == watcherThread) {
                watcherHandedOff = 1;
            }
        }
        tasks.add(task);
    };

    private final VersionedMap<String, Integer> map = VersionedMap.<String, Integer>builder().executor(queue)
        .progressInterval(Duration.ZERO).stripes(1).build();

    /** Commits revision 1. */
    @Actor
    public void writer() {
        writerThread = Thread.currentThread();
        map.put("k", 1);
    }

    /** Watches from revision 0. */
    @Actor
    public void watcher() {
        watcherThread = Thread.currentThread();
        map.watch(0, changes -> delivered.set(changes.get(changes.size() - 1).revision()));
    }

    /**
     * Runs what was handed to the executor (and what those tasks hand on), then reports.
     *
     * @param result who woke the watch, and what it delivered
     */
    @Arbiter
    public void deliver(III_Result result) {
        draining = true;
        for (Runnable task; (task = tasks.poll()) != null;) {
            task.run();
        }
        result.r1 = writerHandedOff;
        result.r2 = watcherHandedOff;
        result.r3 = (int) delivered.get();
    }
}
