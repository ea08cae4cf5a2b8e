package dev.syncmap.replicate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.EventHandler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's last stage for one sink: gathers envelopes into batches that never split a revision, writes
 * them (retrying with backoff while the sink fails), records the position reached and, at most every
 * checkpoint interval, persists it.
 *
 * <p>The position ({@link #applied()}) is the last revision whose changes are all written; during an anchor it
 * stays where it was (a half-applied anchor is not a position: a restart re-anchors or replays), and at the
 * anchor's end it becomes the anchor's revision. A checkpoint is stored only after {@link Sink#flush()}
 * succeeded, so it never claims more than the sink holds.
 *
 * <p>Runs on its own thread (a Disruptor event processor); the volatile fields are read by status and metrics
 * from other threads.
 */
final class SinkWriter<K, V> implements EventHandler<RingEvent<K, V>> {

    private static final Logger LOG = LoggerFactory.getLogger(SinkWriter.class);

    final Sink<K, V> sink;
    private final CheckpointStore checkpoints;
    private final String origin;
    private final HybridLogicalClock clock;
    private final int batchSize;
    private final long checkpointIntervalNanos;
    private final long retryBaseNanos;
    private final long retryMaxNanos;
    private final PipelineMetrics.SinkMeters meters;

    private final List<Envelope<K, V>> batch = new ArrayList<>();
    private boolean anchoring;
    /** The last complete revision among what is in {@link #batch} or already written. */
    private long complete;
    private long lastCheckpointNanos = System.nanoTime();
    private long oldestReadNanos;

    private volatile long applied;
    private volatile long checkpointed;
    private final java.util.concurrent.atomic.LongAdder checkpointFailures =
        new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder writeFailures = new java.util.concurrent.atomic.LongAdder();
    private volatile Throwable lastFailure;
    private volatile boolean aborting;
    /** The breaker, spill, overload levels and self-healing around the sink; null for a plain writer. */
    private SinkGuard<K, V> guard;

    SinkWriter(Sink<K, V> sink, CheckpointStore checkpoints, String origin, HybridLogicalClock clock, long start,
               int batchSize, long checkpointIntervalNanos, long retryBaseNanos, long retryMaxNanos,
               PipelineMetrics.SinkMeters meters) {
        this.sink = sink;
        this.checkpoints = checkpoints;
        this.origin = origin;
        this.clock = clock;
        this.complete = start;
        this.applied = start;
        this.checkpointed = start;
        this.batchSize = batchSize;
        this.checkpointIntervalNanos = checkpointIntervalNanos;
        this.retryBaseNanos = retryBaseNanos;
        this.retryMaxNanos = retryMaxNanos;
        this.meters = meters;
    }

    @Override
    public void onEvent(RingEvent<K, V> ev, long sequence, boolean endOfBatch) throws Exception {
        Envelope<K, V> e = ev.envelope;
        boolean boundary;
        switch (ev.kind) {
            case ANCHOR_START:
                write();
                anchoring = true;
                oldestReadNanos = ev.readNanos;
                batch.add(e);
                boundary = true;
                break;
            case ANCHOR_END:
                if (batch.isEmpty()) {
                    oldestReadNanos = ev.readNanos;
                }
                batch.add(e);
                anchoring = false;
                complete = ev.revision; // an anchor is authoritative, whatever the sink's old position said
                boundary = true;
                break;
            default:
                if (e != null) {
                    if (batch.isEmpty()) {
                        oldestReadNanos = ev.readNanos;
                    }
                    batch.add(e);
                }
                if (ev.endOfRevision && !anchoring) {
                    complete = Math.max(complete, ev.revision); // a replay below this sink's own checkpoint
                }
                boundary = ev.endOfRevision || anchoring; // an anchor's entries may be split anywhere
                break;
        }
        if (boundary && (batch.size() >= (guard != null ? guard.batchSize() : batchSize) || endOfBatch)) {
            write();
            maybeCheckpoint(false);
        }
    }

    @Override
    public void onTimeout(long sequence) throws Exception {
        if (guard != null) {
            guard.onIdle();
            advance();
        } else {
            sink.onIdle();
        }
        maybeCheckpoint(false);
    }

    @Override
    public void onShutdown() {
        try {
            if (!aborting) {
                write();
            }
            maybeCheckpoint(true);
        } catch (Exception | StackOverflowError ex) {
            lastFailure = ex;
            LOG.error("sink {}: final write or checkpoint failed; the next start resumes from revision {}",
                sink.name(), checkpointed, ex);
        } finally {
            if (guard != null) {
                guard.close();
            }
        }
    }

    /** Writes the batch (retrying while the sink fails) and advances the applied position. */
    private void write() throws Exception {
        if (guard != null) {
            if (!batch.isEmpty()) {
                long t0 = System.nanoTime();
                guard.write(batch);
                long t1 = System.nanoTime();
                meters.batch(batch.size(), t1 - t0, t1 - oldestReadNanos);
                batch.clear();
            }
            advance();
            return;
        }
        if (!batch.isEmpty()) {
            long t0 = System.nanoTime();
            int attempt = 0;
            while (true) {
                try {
                    sink.write(batch);
                    break;
                } catch (PoisonChangeException ex) {
                    throw ex; // retrying cannot help: the replicator fails, with the cause
                } catch (Exception ex) {
                    writeFailures.increment();
                    lastFailure = ex;
                    meters.failure();
                    if (aborting) {
                        throw new InterruptedException("sink " + sink.name() + ": aborted while retrying a failed"
                            + " write");
                    }
                    if (attempt == 0 || Integer.bitCount(attempt) == 1) { // log the 1st, 2nd, 4th, 8th... failure
                        LOG.warn("sink {}: write of {} changes failed (attempt {}); retrying", sink.name(),
                            batch.size(), attempt + 1, ex);
                    }
                    long backoff = Math.min(retryMaxNanos, retryBaseNanos << Math.min(attempt, 20));
                    attempt++;
                    LockSupport.parkNanos(backoff);
                }
            }
            long t1 = System.nanoTime();
            meters.batch(batch.size(), t1 - t0, t1 - oldestReadNanos);
            batch.clear();
        }
        if (!anchoring) {
            applied = complete;
        }
    }

    /** With a guard: the position advances unless the sink awaits an anchor, and stops before held changes. */
    private void advance() {
        if (guard.takePositionLost()) {
            applied = -1; // the spill and checkpoint were dropped: the sink awaits a fresh anchor
        }
        if (!anchoring && guard.positionValid()) {
            applied = Math.min(complete, guard.heldFloor());
        }
    }

    private void maybeCheckpoint(boolean force) throws Exception {
        long now = System.nanoTime();
        if (anchoring || applied == checkpointed || checkpoints == null
            || !force && now - lastCheckpointNanos < checkpointIntervalNanos) {
            return;
        }
        long pos = applied;
        String cpName = sink.name();
        try {
            if (guard != null) {
                if (!guard.flushForCheckpoint()) {
                    return;
                }
                cpName = guard.checkpointName();
            } else {
                sink.flush();
            }
            checkpoints.store(cpName, new Checkpoint(origin, pos, clock.current()));
        } catch (Exception ex) { // the checkpoint lags; the next one tries again (Errors stop the replicator)
            checkpointFailures.increment();
            lastFailure = ex;
            lastCheckpointNanos = now;
            LOG.warn("sink {}: flush or checkpoint at revision {} failed; the checkpoint stays at {} and is tried"
                + " again", sink.name(), pos, checkpointed, ex);
            return;
        }
        checkpointed = pos;
        lastCheckpointNanos = now;
    }

    void abort() {
        aborting = true;
        if (guard != null) {
            guard.abort();
        }
    }

    /** Puts the breaker, spill, overload levels and self-healing between this writer and its sink. */
    void guard(SinkGuard<K, V> g) {
        this.guard = g;
    }

    SinkGuard<K, V> guard() {
        return guard;
    }

    /** Records a failed write (the guard's retries and drains). */
    void recordFailure(Exception ex) {
        writeFailures.increment();
        lastFailure = ex;
        meters.failure();
    }

    long applied() {
        return applied;
    }

    long checkpointed() {
        return checkpointed;
    }

    long writeFailures() {
        return writeFailures.sum();
    }

    long checkpointFailures() {
        return checkpointFailures.sum();
    }

    Throwable lastFailure() {
        return lastFailure;
    }

}
