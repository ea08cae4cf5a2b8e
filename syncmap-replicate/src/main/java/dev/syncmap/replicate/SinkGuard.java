package dev.syncmap.replicate;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything between a {@link SinkWriter}'s batch and its sink: the circuit breaker, the durable spill, the
 * overload levels (adaptive batch size, compression, held low-priority keys) and self-healing.
 *
 * <p><b>Order.</b> While the spill holds anything, every new batch is appended to it (after anything held), so
 * the sink receives each key's changes in order: spill first, then the rest. Held changes (level 2) are kept in
 * a FIFO and written before anything newer of the same key; a key with a held change has all its later changes
 * held behind it. Anchors are never held: an anchor's start releases what is held first.
 *
 * <p><b>Positions.</b> A spilled batch counts as written (the spill is durable), so the writer's position and
 * checkpoint advance; a held change is only in memory, so the position stops before the oldest held revision
 * ({@link #heldFloor()}). While the sink awaits a fresh anchor ({@link #positionValid()} false) the position
 * does not move.
 *
 * <p>Writer thread only, except the volatile fields read by status and metrics.
 */
final class SinkGuard<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(SinkGuard.class);

    /** What the guard asks of its replicator. */
    interface Host {
        /**
         * Asks the source for a fresh anchor (a full copy) for every sink; asynchronous, coalesced.
         *
         * @param sink the sink that needs it
         * @param reason why, for the log
         */
        void requestReanchor(String sink, String reason);
    }

    private final Sink<K, V> primary;
    private final Sink<K, V> fallback;
    private final SinkProtection p;
    private final CircuitBreaker breaker;
    private final RocksSpillQueue<K, V> spill;
    private final CheckpointStore checkpoints;
    private final Replicator.CorruptStatePolicy corruptPolicy;
    private final Host host;
    private final long retryBaseNanos;
    private final long retryMaxNanos;
    private final Consumer<Exception> failures;
    private final OverloadMonitor overload;
    private final SuccessRateWindow success;
    private final long drainBudgetNanos;

    private final ArrayDeque<Envelope<K, V>> held = new ArrayDeque<>();
    private final Map<K, Integer> heldKeys = new HashMap<>();

    private volatile Sink<K, V> target;
    private boolean anchoring;
    private volatile boolean awaitAnchor;
    /** After a drop: until the accepted anchor ends, the position is not valid. */
    private volatile boolean needsAnchorEnd;
    /** After a drop: the writer must forget its position (read once by {@link #takePositionLost()}). */
    private volatile boolean positionLost;
    private boolean anchorRequested;
    private boolean unflushed;
    private boolean spillUnsynced;
    private int consecutiveFailures;
    private int lastLevel;
    private boolean boundEpisode;
    private volatile boolean aborting;
    private boolean closed;

    private volatile int heldCount;
    private final LongAdder spilled = new LongAdder();
    private final LongAdder drained = new LongAdder();
    private final LongAdder discarded = new LongAdder();
    private final LongAdder boundReached = new LongAdder();
    private final LongAdder selfHealReanchors = new LongAdder();
    private final LongAdder fallbackSwitches = new LongAdder();
    private final LongAdder alerts = new LongAdder();
    private final LongAdder corruptSpills = new LongAdder();
    private final LongAdder sinkCallbackFailures = new LongAdder();
    private Counter boundCounter;

    SinkGuard(Sink<K, V> primary, Sink<K, V> fallback, SinkProtection p, int maxBatch, RocksSpillQueue<K, V> spill,
              CheckpointStore checkpoints, Replicator.CorruptStatePolicy corruptPolicy, Host host,
              long retryBaseNanos, long retryMaxNanos, Consumer<Exception> failures, long corruptAtStart) {
        this.primary = primary;
        this.fallback = fallback;
        this.target = primary;
        this.p = p;
        this.spill = spill;
        this.checkpoints = checkpoints;
        this.corruptPolicy = corruptPolicy;
        this.host = host;
        this.retryBaseNanos = retryBaseNanos;
        this.retryMaxNanos = retryMaxNanos;
        this.failures = failures;
        this.breaker = CircuitBreaker.of(primary.name(), CircuitBreakerConfig.custom()
            .failureRateThreshold(p.breakerFailureRate())
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(p.breakerWindow())
            .minimumNumberOfCalls(Math.min(p.breakerMinimumCalls(), p.breakerWindow()))
            .waitDurationInOpenState(p.breakerOpenWait())
            .permittedNumberOfCallsInHalfOpenState(1)
            .build());
        List<java.time.Duration> t = p.overloadThresholds();
        this.overload = new OverloadMonitor(p.latencyWindow().toNanos(), t.get(0).toNanos(), t.get(1).toNanos(),
            t.get(2).toNanos(), p.minBatchSize(), maxBatch);
        this.success = new SuccessRateWindow(p.selfHealWindow().toNanos());
        this.drainBudgetNanos = p.drainBudget().toNanos();
        this.corruptSpills.add(corruptAtStart);
        breaker.getEventPublisher().onStateTransition(ev -> LOG.warn("sink {}: circuit breaker {}", primary.name(),
            ev.getStateTransition()));
    }

    void registerMeters(PipelineMetrics.SinkMeters m, MeterRegistry registry) {
        m.gauge("breaker.state", "the sink's circuit breaker: 0 closed, 1 open, 2 half-open, 3 disabled,"
            + " 4 forced open, 5 metrics only", this, g -> g.breaker.getState().getOrder());
        m.gauge("overload.level", "the sink's overload level (0 normal, 1 smaller batches + compression,"
            + " 2 low-priority keys held, 3 spill)", this, g -> g.overload.level());
        m.gauge("write.latency.p99", "p99 of the sink's write latency over the latency window, seconds", this,
            g -> g.overload.p99Nanos() / 1e9);
        m.gauge("batch.size.adaptive", "the adaptive batch size in force", this, g -> g.overload.batchSize());
        m.gauge("spill.entries", "batches in the sink's spill queue", this,
            g -> g.spill == null ? 0 : g.spill.entries());
        m.gauge("spill.bytes", "bytes in the sink's spill queue", this, g -> g.spill == null ? 0 : g.spill.bytes());
        m.gauge("spill.changes", "changes in the sink's spill queue", this,
            g -> g.spill == null ? 0 : g.spill.changes());
        m.gauge("held", "changes held back at overload level 2", this, g -> g.heldCount);
        m.gauge("awaiting.anchor", "1 while the sink waits for a fresh anchor", this, g -> g.awaitAnchor ? 1 : 0);
        Tags tags = m.sinkTags;
        counter(registry, "spilled", "changes written to the spill", tags, spilled);
        counter(registry, "spill.drained", "changes drained from the spill into the sink", tags, drained);
        counter(registry, "discarded", "changes discarded while the sink awaited a fresh anchor (the anchor"
            + " carries them)", tags, discarded);
        counter(registry, "selfheal", "self-healing actions", tags.and("action", "reanchor"), selfHealReanchors);
        counter(registry, "selfheal", "self-healing actions", tags.and("action", "fallback"), fallbackSwitches);
        counter(registry, "selfheal", "self-healing actions", tags.and("action", "alert"), alerts);
        counter(registry, "spill.corrupt", "spills found corrupt (the sink was re-anchored)", tags, corruptSpills);
        counter(registry, "sink.callback.failures", "exceptions from isHealthy, setCompression and onIdle", tags,
            sinkCallbackFailures);
        boundCounter = Counter.builder(PipelineMetrics.PREFIX + "spill.bound.reached")
            .description("times the spill reached its bound (bytes or age)")
            .tags(tags.and("policy", p.spillBoundPolicy().name().toLowerCase(java.util.Locale.ROOT)))
            .register(registry);
    }

    private static void counter(MeterRegistry r, String name, String description, Tags tags, LongAdder a) {
        io.micrometer.core.instrument.FunctionCounter.builder(PipelineMetrics.PREFIX + name, a, LongAdder::sum)
            .description(description).tags(tags).register(r);
    }

    /** The batch size the writer should gather now. */
    int batchSize() {
        return overload.batchSize();
    }

    /** Whether the writer's position may advance (false while the sink awaits a fresh anchor). */
    boolean positionValid() {
        return !awaitAnchor && !needsAnchorEnd;
    }

    /** Whether the spill and checkpoint were dropped since the last call: the writer's position is gone. */
    boolean takePositionLost() {
        if (positionLost) {
            positionLost = false;
            return true;
        }
        return false;
    }

    /** The highest position the writer may claim given what is held: one below the oldest held revision. */
    long heldFloor() {
        Envelope<K, V> first = held.peekFirst();
        return first == null ? Long.MAX_VALUE : first.originRevision() - 1;
    }

    /** The name the checkpoint is stored under: the sink written. */
    String checkpointName() {
        return target.name();
    }

    void abort() {
        aborting = true;
    }

    /**
     * Writes, spills or holds a batch; returns once it is accepted. The list is not kept.
     *
     * @throws InterruptedException if the writer is aborted while waiting
     * @throws Exception from the spill (RocksDB) or a corrupt spill under {@link Replicator.CorruptStatePolicy#FAIL}
     */
    void write(List<Envelope<K, V>> batch) throws Exception {
        long now = System.nanoTime();
        refreshLevel(now);
        boolean startsAnchor = batch.get(0).kind() == Envelope.Kind.ANCHOR_START;
        if (awaitAnchor) {
            if (!(startsAnchor && (anchorRequested || recovered()))) {
                trackAnchoring(batch);
                discarded.add(batch.size());
                maybeRequestAnchor();
                return;
            }
            awaitAnchor = false;
            anchorRequested = false;
            consecutiveFailures = 0; // the sink was found recovered
            LOG.warn("sink {}: a fresh anchor arrives; writing it to {}", primary.name(), target.name());
        }
        boolean inAnchor = anchoring || startsAnchor;
        trackAnchoring(batch);
        inAnchor |= anchoring;
        if (!held.isEmpty() && (inAnchor || overload.level() < 2)) {
            releaseHeld();
        }
        List<Envelope<K, V>> pass = batch;
        if (!inAnchor && overload.level() >= 2 && !p.lowPriorityPrefixes().isEmpty() && spillEmpty()) {
            pass = new ArrayList<>(batch.size());
            for (Envelope<K, V> e : batch) {
                if (e.kind() == Envelope.Kind.CHANGE && (heldKeys.containsKey(e.key()) || p.isLowPriority(e.key()))) {
                    held.addLast(e);
                    heldKeys.merge(e.key(), 1, Integer::sum);
                } else {
                    pass.add(e);
                }
            }
            heldCount = held.size();
            if (held.size() > p.maxHeld()) {
                LOG.warn("sink {}: {} changes held, more than maxHeld {}; moving them in order to the {}",
                    primary.name(), held.size(), p.maxHeld(), spill != null ? "spill" : "sink");
                if (spill != null) {
                    spillHeld();
                } else {
                    releaseHeld();
                }
            }
            if (pass.isEmpty()) {
                return;
            }
        }
        deliver(pass);
    }

    private void trackAnchoring(List<Envelope<K, V>> batch) {
        for (Envelope<K, V> e : batch) {
            if (e.kind() == Envelope.Kind.ANCHOR_START) {
                anchoring = true;
            } else if (e.kind() == Envelope.Kind.ANCHOR_END) {
                anchoring = false;
                if (!awaitAnchor) {
                    needsAnchorEnd = false;
                }
            }
        }
    }

    private boolean spillEmpty() {
        return spill == null || spill.entries() == 0;
    }

    private boolean spillMode() {
        CircuitBreaker.State s = breaker.getState();
        return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN || overload.level() >= 3
            || consecutiveFailures >= p.spillAfterFailures();
    }

    /** Writes a batch to the sink, or to the spill while it is not empty or the sink is failing. */
    private void deliver(List<Envelope<K, V>> b) throws Exception {
        if (spill != null && (spill.entries() > 0 || spillMode())) {
            toSpill(b);
            if (!awaitAnchor) {
                drainSome();
            }
            return;
        }
        int attempt = 0;
        while (true) {
            checkAbort();
            if (!breaker.tryAcquirePermission()) {
                if (spill != null) {
                    toSpill(b);
                    return;
                }
                LockSupport.parkNanos(backoff(attempt++)); // no spill: wait, the ring back-pressures the source
                continue;
            }
            if (attemptWrite(b)) {
                return;
            }
            if (awaitAnchor) {
                return; // self-healing switched to the fallback: the anchor brings this batch
            }
            if (spill != null && consecutiveFailures >= p.spillAfterFailures()) {
                LOG.warn("sink {}: {} failed writes in a row; spilling to {}", primary.name(), consecutiveFailures,
                    spill.directory());
                toSpill(b);
                return;
            }
            LockSupport.parkNanos(backoff(attempt++));
        }
    }

    /** One write under the breaker's permission; records the outcome everywhere. */
    private boolean attemptWrite(List<Envelope<K, V>> b) {
        Sink<K, V> s = target;
        long t0 = System.nanoTime();
        try {
            s.write(b);
        } catch (PoisonChangeException ex) {
            throw ex; // retrying or spilling cannot help: the replicator fails, with the cause
        } catch (Exception ex) {
            long t1 = System.nanoTime();
            breaker.onError(t1 - t0, TimeUnit.NANOSECONDS, ex);
            success.record(t1, false);
            consecutiveFailures++;
            failures.accept(ex);
            if (consecutiveFailures == 1) {
                LOG.warn("sink {}: write of {} changes to {} failed", primary.name(), b.size(), s.name(), ex);
            } else if (Integer.bitCount(consecutiveFailures) == 1) { // the 2nd, 4th, 8th... in a row
                LOG.warn("sink {}: write of {} changes to {} failed ({} in a row): {}", primary.name(), b.size(),
                    s.name(), consecutiveFailures, ex.toString());
            }
            checkSelfHeal(t1);
            return false;
        }
        long t1 = System.nanoTime();
        breaker.onSuccess(t1 - t0, TimeUnit.NANOSECONDS);
        success.record(t1, true);
        overload.record(t1, t1 - t0);
        consecutiveFailures = 0;
        unflushed = true;
        applyLevel();
        checkSelfHeal(t1);
        return true;
    }

    private long backoff(int attempt) {
        return Math.min(retryMaxNanos, retryBaseNanos << Math.min(attempt, 20));
    }

    private void checkAbort() throws InterruptedException {
        if (aborting) {
            throw new InterruptedException("sink " + primary.name() + ": aborted while its write was pending");
        }
    }

    /** Appends to the spill, after anything held; at the bound applies the policy. */
    private void toSpill(List<Envelope<K, V>> b) throws Exception {
        spillHeld();
        if (!awaitAnchor) {
            append(b);
        }
    }

    private void spillHeld() throws Exception {
        while (!held.isEmpty() && !awaitAnchor) {
            List<Envelope<K, V>> chunk = takeHeld(overload.batchSize());
            if (append(chunk)) {
                dropHeld(chunk.size());
            }
        }
    }

    /** Appends one batch; returns false if the policy dropped the spill instead (re-anchor). */
    private boolean append(List<Envelope<K, V>> b) throws Exception {
        int attempt = 0;
        while (true) {
            if (spill.append(b, System.currentTimeMillis())) {
                spilled.add(b.size());
                spillUnsynced = true;
                boundEpisode = false;
                return true;
            }
            if (!boundEpisode) {
                boundEpisode = true;
                boundReached.increment();
                if (boundCounter != null) {
                    boundCounter.increment();
                }
                LOG.error("sink {}: spill {} reached its bound ({} bytes of {}, or the oldest entry older than {});"
                    + " policy {}", primary.name(), spill.directory(), spill.bytes(), p.spillMaxBytes(),
                    p.spillMaxAge(), p.spillBoundPolicy());
            }
            if (p.spillBoundPolicy() == SpillBoundPolicy.REANCHOR) {
                dropAndAwaitAnchor("spill bound reached");
                return false;
            }
            checkAbort();
            if (!drainSome()) {
                LockSupport.parkNanos(backoff(attempt++)); // STOP_READING: the ring backs up to the source
            }
            if (awaitAnchor) {
                return false;
            }
        }
    }

    /**
     * Drains the spill into the sink, oldest first, for up to the drain budget, while the breaker lets writes
     * through and the sink says it is healthy.
     *
     * @return true if anything was drained
     */
    private boolean drainSome() throws Exception {
        if (spill == null || spill.entries() == 0 || awaitAnchor) {
            return false;
        }
        refreshLevel(System.nanoTime());
        if (overload.level() >= 3) {
            return false;
        }
        long deadline = System.nanoTime() + drainBudgetNanos;
        boolean progress = false;
        while (spill.entries() > 0 && (!progress || System.nanoTime() < deadline)) {
            checkAbort();
            if (!breaker.tryAcquirePermission()) {
                return progress;
            }
            if (!healthy(target)) {
                unhealthyProbe();
                return progress;
            }
            List<Envelope<K, V>> head;
            try {
                head = spill.peek();
            } catch (CorruptStateException e) {
                breaker.releasePermission();
                corruptSpill(e);
                return progress;
            }
            if (!attemptWrite(head)) {
                return progress;
            }
            spill.removeHead();
            drained.add(head.size());
            progress = true;
            if (awaitAnchor || overload.level() >= 3) {
                return progress;
            }
        }
        if (spill.entries() == 0 && progress) {
            LOG.warn("sink {}: spill drained; writing to the sink directly again", primary.name());
        }
        return progress;
    }

    private void corruptSpill(CorruptStateException e) throws CorruptStateException, IOException {
        if (corruptPolicy == Replicator.CorruptStatePolicy.FAIL) {
            throw e;
        }
        corruptSpills.increment();
        LOG.error("sink {}: the spill cannot be read ({}); forgetting it and the sink's checkpoint and re-anchoring"
            + " the sink (nothing is lost: the anchor carries the whole source)", primary.name(), e.getMessage());
        dropAndAwaitAnchor("corrupt spill");
    }

    /** Forgets the spill, what is held and the checkpoint; waits for a fresh anchor (asked for on recovery). */
    private void dropAndAwaitAnchor(String reason) throws IOException {
        awaitAnchor = true; // first: from here on nobody may take the sink for settled
        needsAnchorEnd = true;
        positionLost = true;
        anchorRequested = false;
        if (checkpoints != null) {
            checkpoints.delete(primary.name());
            if (target != primary) {
                checkpoints.delete(target.name());
            }
        }
        if (spill != null) {
            spill.clear();
        }
        held.clear();
        heldKeys.clear();
        heldCount = 0;
        LOG.warn("sink {}: {}: the spill and checkpoint are dropped; the sink gets a fresh anchor once it"
            + " recovers", primary.name(), reason);
        maybeRequestAnchor();
    }

    private void maybeRequestAnchor() {
        if (!anchorRequested && recovered()) {
            anchorRequested = true;
            host.requestReanchor(target.name(), "sink " + target.name() + " awaits a fresh anchor");
        }
    }

    /** Whether the breaker would let a write through and the sink says it is healthy. */
    private boolean recovered() {
        if (!breaker.tryAcquirePermission()) {
            return false;
        }
        if (!healthy(target)) {
            unhealthyProbe();
            return false;
        }
        breaker.releasePermission();
        return true;
    }

    /**
     * A probe found the sink unhealthy: counts as a failed call, so a half-open breaker opens again, and as a
     * failed attempt for self-healing (while the breaker is open no write is tried, and without this a sink that
     * went down after the breaker opened would never reach self-healing's minimum of attempts).
     */
    private void unhealthyProbe() {
        long now = System.nanoTime();
        breaker.onError(0, TimeUnit.NANOSECONDS, new IOException("sink " + target.name() + " reports unhealthy"));
        success.record(now, false);
        checkSelfHeal(now);
    }

    private boolean healthy(Sink<K, V> s) {
        try {
            return s.isHealthy();
        } catch (RuntimeException e) {
            sinkCallbackFailures.increment();
            LOG.warn("sink {}: isHealthy threw; taken as unhealthy", s.name(), e);
            return false;
        }
    }

    private List<Envelope<K, V>> takeHeld(int n) {
        List<Envelope<K, V>> chunk = new ArrayList<>(Math.min(n, held.size()));
        var it = held.iterator();
        while (it.hasNext() && chunk.size() < n) {
            chunk.add(it.next());
        }
        return chunk;
    }

    private void dropHeld(int n) {
        for (int i = 0; i < n; i++) {
            Envelope<K, V> e = held.removeFirst();
            heldKeys.computeIfPresent(e.key(), (k, c) -> c == 1 ? null : c - 1);
        }
        heldCount = held.size();
    }

    /**
     * Writes what is held, oldest first (to the spill if that is where batches go now). Everything held is taken
     * out first, so a switch to the spill half-way keeps the order (the rest follows into the spill).
     */
    private void releaseHeld() throws Exception {
        List<Envelope<K, V>> all = new ArrayList<>(held);
        held.clear();
        heldKeys.clear();
        heldCount = 0;
        int bs = overload.batchSize();
        for (int i = 0; i < all.size() && !awaitAnchor; i += bs) {
            deliver(all.subList(i, Math.min(all.size(), i + bs)));
        }
    }

    private void refreshLevel(long now) {
        overload.refresh(now);
        applyLevel();
    }

    private void applyLevel() {
        int lv = overload.level();
        if (lv != lastLevel) {
            LOG.warn("sink {}: overload level {} -> {} (write p99 {} ms)", primary.name(), lastLevel, lv,
                overload.p99Nanos() / 1_000_000);
            if (lv >= 1 != lastLevel >= 1) {
                try {
                    target.setCompression(lv >= 1);
                } catch (RuntimeException e) {
                    sinkCallbackFailures.increment();
                    LOG.warn("sink {}: setCompression threw", target.name(), e);
                }
            }
            lastLevel = lv;
        }
    }

    /** The writer is idle: drain, release held changes, re-grade, self-heal. */
    void onIdle() throws Exception {
        try {
            target.onIdle();
        } catch (RuntimeException e) {
            sinkCallbackFailures.increment();
            LOG.warn("sink {}: onIdle threw", target.name(), e);
        }
        long now = System.nanoTime();
        refreshLevel(now);
        if (awaitAnchor) {
            maybeRequestAnchor();
            return;
        }
        if (!held.isEmpty() && overload.level() < 2) {
            releaseHeld();
        }
        drainSome();
        success.recompute(now);
        checkSelfHeal(now);
    }

    private void checkSelfHeal(long now) {
        if (!p.selfHeal() || success.total() < p.selfHealMinimumCalls() || success.rate() >= p.selfHealThreshold()) {
            return;
        }
        double rate = success.rate();
        long calls = success.total();
        success.reset();
        Sink<K, V> s = target;
        if (healthy(s)) {
            selfHealReanchors.increment();
            LOG.warn("sink {}: success rate {} over {} attempts is below {}, but the sink reports healthy: rolling"
                + " it back and replaying (a fresh anchor from the source)", s.name(), rate, calls,
                p.selfHealThreshold());
            host.requestReanchor(s.name(), "self-healing: success rate " + rate + " below " + p.selfHealThreshold());
        } else if (fallback != null && s != fallback) {
            fallbackSwitches.increment();
            LOG.error("ALERT sink {}: success rate {} over {} attempts is below {} and the sink reports unhealthy:"
                + " switching its traffic to the fallback sink {} (which gets a fresh anchor)", s.name(), rate,
                calls, p.selfHealThreshold(), fallback.name());
            target = fallback;
            breaker.reset();
            overload.reset();
            consecutiveFailures = 0;
            lastLevel = 0;
            try {
                dropAndAwaitAnchor("switched to the fallback sink " + fallback.name());
            } catch (IOException e) {
                failures.accept(e);
                LOG.error("sink {}: cannot drop the spill or checkpoint while switching to the fallback", s.name(),
                    e);
            }
        } else {
            alerts.increment();
            LOG.error("ALERT sink {}: success rate {} over {} attempts is below {} and the sink reports unhealthy;"
                + " no fallback sink is configured", s.name(), rate, calls, p.selfHealThreshold());
        }
    }

    /**
     * Prepares a checkpoint: flushes the sink if it was written since its last flush, syncs the spill.
     *
     * @return true if the checkpoint may be stored
     */
    boolean flushForCheckpoint() throws IOException {
        if (awaitAnchor) {
            return false;
        }
        if (unflushed) {
            Sink<K, V> s = target;
            try {
                s.flush();
                unflushed = false;
            } catch (Exception e) {
                breaker.onError(0, TimeUnit.NANOSECONDS, e);
                failures.accept(e);
                LOG.warn("sink {}: flush failed; the checkpoint waits", s.name(), e);
                return false;
            }
        }
        if (spill != null && spillUnsynced) {
            spill.sync();
            spillUnsynced = false;
        }
        return true;
    }

    /** Closes the spill (idempotent). */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (spill != null) {
            spill.close();
        }
    }

    RocksSpillQueue<K, V> spill() {
        return spill;
    }

    Sink<K, V> fallback() {
        return fallback;
    }

    SinkProtectionStatus status() {
        RocksSpillQueue<K, V> s = spill;
        return new SinkProtectionStatus(primary.name(), target.name(), breaker.getState().name(), overload.level(),
            overload.p99Nanos(), overload.batchSize(), s == null ? 0 : s.entries(), s == null ? 0 : s.bytes(),
            s == null ? 0 : s.changes(), spilled.sum(), drained.sum(), heldCount, boundReached.sum(), awaitAnchor,
            discarded.sum(), selfHealReanchors.sum(), fallbackSwitches.sum(), corruptSpills.sum());
    }

    /** Whether nothing is spilled, held or awaited. */
    boolean settled() {
        return (spill == null || spill.entries() == 0) && heldCount == 0 && !awaitAnchor && !needsAnchorEnd;
    }
}
