package dev.syncmap.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * DELIBERATELY RACY CONTROL for {@link VersionedMapWatchWakeUpTest}: the commit/watch handshake as
 * {@code VersionedMap} had it before issue 8. The writer takes the sequencer word ({@code 0 -> 1}, a CAS),
 * publishes its change (stores to lines it does not own, as a commit stores to its node and its history slot),
 * releases revision 1 ({@code 2}, a release store), then reads the open-watch count; the watch increments the
 * count, then reads the committed revision ({@code word >>> 1}) with acquire, without waiting out the odd word of
 * a commit in flight. The release store can still sit in the writer's store buffer when the writer reads the
 * count, so both can read the old value: the watch sleeps although the commit saw no watcher. That outcome is
 * declared {@code FORBIDDEN}, and {@link JCStressGate} requires it to be observed. The publication stores are
 * what makes it frequent, as in the real commit: the release store waits behind them in the store buffer while
 * the read of the count goes ahead.
 *
 * <p>Result: (the count the writer read, the revision the watch read).
 */
@JCStressTest
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "Lost wake-up: the race this control exists to show.")
@Outcome(expect = ACCEPTABLE, desc = "One side saw the other.")
@State
@RacyControl("commit releases then reads the watch count; watch increments then reads the revision, no wait")
public class WatchWakeUpWithoutWaitControl {

    private static final VarHandle WORD;
    private static final VarHandle OPEN;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            WORD = l.findVarHandle(WatchWakeUpWithoutWaitControl.class, "word", long.class);
            OPEN = l.findVarHandle(WatchWakeUpWithoutWaitControl.class, "open", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through WORD
    private long word;
    @SuppressWarnings("unused") // through OPEN
    private int open;
    /** What the commit publishes: one long per cache line. */
    private final long[] published = new long[LINES * 8];

    private static final int LINES = 16;

    /**
     * Commits revision 1, then looks for watchers.
     *
     * @param result r1: the open count seen
     */
    @Actor
    public void commit(II_Result result) {
        WORD.compareAndSet(this, 0L, 1L);
        for (int i = 0; i < LINES; i++) {
            published[i * 8] = 1;
        }
        WORD.setRelease(this, 2L);
        result.r1 = (int) OPEN.getVolatile(this);
    }

    /**
     * Registers, then reads the committed revision.
     *
     * @param result r2: the revision seen
     */
    @Actor
    public void register(II_Result result) {
        OPEN.getAndAdd(this, 1);
        result.r2 = (int) ((long) WORD.getAcquire(this) >>> 1);
    }
}
