package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.WaitStrategy;
import org.junit.jupiter.api.Test;

/**
 * The wake-up handshake of {@link StageWaitStrategy}: a stage that blocks on an empty ring is woken by the next
 * publication, never left to sleep until its timeout. A waiter and a producer hand sequences over one at a time;
 * the producer publishes as soon as it sees the waiter announce the next sequence, and the waiter starts waiting
 * a random instant after announcing it (so that, over many hand-offs, publications land in every gap of the
 * waiter's blocking path), and a wait that ends by timeout although its
 * sequence was published long before is a lost wake-up.
 *
 * <p>The control is Disruptor's {@link LiteTimeoutBlockingWaitStrategy}, which the pipeline used first: it raises
 * its "signal needed" flag and waits without reading the cursor again, so it must lose wake-ups here (that is
 * the harness showing it can see one).
 */
class StageWaitWakeUpTest {

    /** A wait's timeout; a miss costs this much. */
    private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A wait that timed out counts as lost if its sequence was published at least this long before. */
    private static final long LOST_AFTER_NANOS = TIMEOUT_NANOS / 2;

    @Test
    void everyPublicationWakesTheBlockedStage() throws Exception {
        Result r = handOff(new StageWaitStrategy(TIMEOUT_NANOS), 20_000, Integer.MAX_VALUE);
        assertEquals(0, r.lost, "lost wake-ups in " + r.handOffs + " hand-offs (" + r.blocked + " blocked waits)");
        assertTrue(r.blocked > 0, "the waiter never blocked: the test did not exercise the wake-up");
    }

    @Test
    void controlDisruptorsLiteTimeoutStrategyLosesWakeUps() throws Exception {
        Result r = handOff(new LiteTimeoutBlockingWaitStrategy(TIMEOUT_NANOS, TimeUnit.NANOSECONDS), 200_000, 3);
        assertTrue(r.lost > 0, "the control lost no wake-up in " + r.handOffs + " hand-offs: the harness is blind");
    }

    private record Result(long handOffs, long blocked, long lost) {}

    /**
     * Hands {@code count} sequences from a producer thread to this thread through {@code strategy}, stopping early
     * once {@code stopAfterLost} wake-ups were lost.
     */
    private static Result handOff(WaitStrategy strategy, int count, int stopAfterLost) throws Exception {
        Sequence cursor = new Sequence(-1);
        AtomicLong waiting = new AtomicLong(-1); // the sequence the waiter is about to wait for
        long[] publishedAt = new long[count];
        AtomicLong stop = new AtomicLong(Long.MAX_VALUE);
        Thread producer = new Thread(() -> {
            for (int seq = 0; seq < count && seq < stop.get(); seq++) {
                while (waiting.get() < seq) {
                    if (seq >= stop.get()) {
                        return;
                    }
                    Thread.onSpinWait();
                }
                publishedAt[seq] = System.nanoTime();
                cursor.set(seq);
                strategy.signalAllWhenBlocking();
            }
        }, "stage-wait-producer");
        producer.setDaemon(true);
        producer.start();
        SequenceBarrier barrier = new NeverAlerted(cursor);
        long blocked = 0;
        long lost = 0;
        int seq = 0;
        SplittableRandom random = new SplittableRandom(42);
        try {
            for (; seq < count && lost < stopAfterLost; seq++) {
                waiting.set(seq);
                for (int spins = random.nextInt(16); spins > 0; spins--) {
                    Thread.onSpinWait(); // start waiting at a random instant around the publication
                }
                while (true) {
                    boolean wasAhead = cursor.get() >= seq;
                    try {
                        strategy.waitFor(seq, cursor, cursor, barrier);
                        if (!wasAhead) {
                            blocked++;
                        }
                        break;
                    } catch (TimeoutException e) {
                        // published long before the wait gave up: nobody woke the waiter
                        if (cursor.get() >= seq && System.nanoTime() - publishedAt[seq] >= LOST_AFTER_NANOS) {
                            lost++;
                            break;
                        }
                        // else the producer was descheduled: wait again
                    }
                }
            }
        } finally {
            stop.set(seq);
            waiting.set(Long.MAX_VALUE);
            producer.join(TimeUnit.SECONDS.toMillis(10));
        }
        return new Result(seq, blocked, lost);
    }

    /** A barrier that is never alerted: the strategies only ask it whether to stop. */
    private record NeverAlerted(Sequence cursor) implements SequenceBarrier {
        @Override
        public long waitFor(long sequence) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long getCursor() {
            return cursor.get();
        }

        @Override
        public boolean isAlerted() {
            return false;
        }

        @Override
        public void alert() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void clearAlert() {}

        @Override
        public void checkAlert() throws AlertException {}
    }
}
