package dev.syncmap.replicate;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.util.Util;

/**
 * The pipeline's wait strategy: blocks while the ring is empty (with a timeout, so that idle stages run their
 * idle tasks), and backs off (spin, then yield, then short parks) while a stage waits for the stage before it.
 *
 * <p>Why not Disruptor's {@code LiteTimeoutBlockingWaitStrategy}, which the pipeline used first:
 * <ul>
 *   <li>It blocks only on the producer's cursor; a stage whose upstream stage has not finished a slot yet
 *       <em>busy-spins</em> on that stage's sequence. With more stages than cores (transform, resolve, one writer
 *       per sink, the source's delivery thread and the writer of the map: five runnable threads on a two-core
 *       machine), the spinning stage takes the core from the very stage it waits for: profiles of the pipeline
 *       showed the resolve stage spending about two thirds of its samples, and the sink writer a sixth, in that
 *       spin. Here the wait spins briefly, then {@link Thread#yield() yields} (the upstream stage has work: the
 *       cursor is past the slot, so it is runnable), then parks for {@value #PARK_NANOS} ns at a time.</li>
 *   <li>Its blocking wait raises the "signal needed" flag and then waits without reading the cursor again, so a
 *       publication between the waiter's read of the cursor and the flag is not signalled: the waiter sleeps
 *       until the timeout (the idle interval, 100 ms by default) or the next publication. Here the waiter
 *       raises the flag (a volatile read-modify-write), reads the cursor again, and waits only if it still has
 *       nothing; the producer publishes the cursor, then clears the flag with a read-modify-write and signals if
 *       it was raised. One of the two read-modify-writes comes first: if the waiter's, the producer signals
 *       (after the waiter has released the monitor in {@code wait}); if the producer's, the waiter's re-read
 *       sees the cursor.</li>
 * </ul>
 */
final class StageWaitStrategy implements WaitStrategy {

    private static final int SPINS = 100;
    private static final int YIELDS = 100;
    static final long PARK_NANOS = 20_000;

    private final Object mutex = new Object();
    private final AtomicBoolean signalNeeded = new AtomicBoolean();
    private final long timeoutNanos;

    /**
     * A strategy whose blocking wait times out.
     *
     * @param timeoutNanos how long a stage waits for the producer before its idle tasks run
     */
    StageWaitStrategy(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
        throws AlertException, InterruptedException, TimeoutException {
        if (cursor.get() < sequence) {
            long nanos = timeoutNanos;
            synchronized (mutex) {
                while (cursor.get() < sequence) {
                    signalNeeded.getAndSet(true);
                    if (cursor.get() >= sequence) {
                        break;
                    }
                    barrier.checkAlert();
                    nanos = Util.awaitNanos(mutex, nanos);
                    if (nanos <= 0) {
                        throw TimeoutException.INSTANCE;
                    }
                }
            }
        }
        long available;
        int tries = 0;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            tries++;
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else if (tries < SPINS + YIELDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(PARK_NANOS);
            }
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking() {
        if (signalNeeded.getAndSet(false)) {
            synchronized (mutex) {
                mutex.notifyAll();
            }
        }
    }

    @Override
    public String toString() {
        return "StageWaitStrategy[timeoutNanos=" + timeoutNanos + "]";
    }
}
