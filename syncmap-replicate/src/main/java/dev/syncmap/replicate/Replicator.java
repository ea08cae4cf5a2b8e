package dev.syncmap.replicate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.EventHandlerGroup;
import com.lmax.disruptor.dsl.ProducerType;

import dev.syncmap.copy.Codec;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps sinks equal to a {@link dev.syncmap.VersionedMap}: a pipeline of stages, each on its own thread, joined
 * by one bounded ring buffer (LMAX Disruptor) through which envelopes flow in batches:
 *
 * <pre>
 *   source (snapshot anchor, then the map's feed) → transform → resolve (fold per key) → sink writer (one per sink)
 * </pre>
 *
 * <p><b>Guarantees.</b> Each sink receives the source's changes in revision order, a revision never split
 * across batches; a new or lost replica first receives an anchor (the source's content at one revision) and
 * then every change after it, so anchor + changes equal the source (nothing missing, nothing doubled). After a
 * sink has written a batch, its position is checkpointed (at most every {@code checkpointInterval}); a restarted
 * replicator resumes from the lowest checkpoint of its sinks, replaying what some sinks already have (they skip
 * it: sinks apply idempotently). While a sink fails, its writer retries with exponential backoff; the ring then
 * fills, the source waits, and the source map's bounded history absorbs the rest; if the history is compacted
 * past the pipeline, the source re-anchors. Nothing is dropped.
 *
 * <p><b>Lifecycle.</b> {@link #start()} once; then {@link #stop(StopMode)}: {@link StopMode#DRAIN} writes
 * everything the source had emitted and checkpoints it; {@link StopMode#ABORT} stops at once, checkpointing only
 * what was written. A transformer, resolver or sink that throws an {@link Error}, or a transformer or resolver
 * that throws anything, stops the replicator in state {@link State#FAILED}, with the cause in
 * {@link #status()}; what was not checkpointed is replayed by the next start.
 *
 * <p>Thread-safe: {@link #status()}, {@link #setResolverPolicy} and the await methods may be called from any
 * thread.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class Replicator<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    /** How a replicator stops. */
    public enum StopMode {
        /** Write everything already read from the source, checkpoint, then stop. */
        DRAIN,
        /** Stop at once; only what was written is checkpointed. */
        ABORT
    }

    /** What a replicator is doing. */
    public enum State {
        /** Built, not started. */
        NEW,
        /** Started: anchoring or following the feed. */
        RUNNING,
        /** Stopping. */
        STOPPING,
        /** Stopped by {@link #stop}. */
        STOPPED,
        /** Stopped by a failure; see {@link Status#failure()}. */
        FAILED
    }

    /** What to do with a checkpoint that cannot be read. */
    public enum CorruptStatePolicy {
        /** Log it (naming the file and the problem), count it, forget it and re-anchor the sink. */
        REANCHOR,
        /** Refuse to start, with the {@link CorruptStateException}. */
        FAIL
    }

    private final String name;
    private final VersionedMapSource<K, V> source;
    private final List<Transformer<K, V>> transformers;
    private final List<Sink<K, V>> sinks;
    private final CheckpointStore checkpoints;
    private final boolean ownsCheckpoints;
    private final CorruptStatePolicy corruptPolicy;
    private final Builder<K, V> settings;
    private final HybridLogicalClock clock;
    private final AtomicReference<ResolverPolicy<K, V>> policy;
    private final PipelineMetrics metrics;

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<SinkWriter<K, V>> writers = new ArrayList<>();
    private final AtomicInteger emitting = new AtomicInteger();
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicLong corruptCheckpoints = new java.util.concurrent.atomic.AtomicLong();
    private Disruptor<RingEvent<K, V>> disruptor;
    private RingBuffer<RingEvent<K, V>> ring;
    private ResolveStage<K, V> resolveStage;
    /** The source's current emitter and thread; replaced by a re-anchor ({@link #requestReanchor}). */
    private volatile RingEmitter emitter;
    private volatile Thread sourceThread;
    private final Object reanchorLock = new Object();
    private final AtomicBoolean reanchorPending = new AtomicBoolean();
    private final List<SinkGuard<K, V>> guards = new ArrayList<>();

    private Replicator(Builder<K, V> b) throws IOException {
        this.name = b.name;
        this.source = b.source;
        this.transformers = List.copyOf(b.transformers);
        this.sinks = List.copyOf(b.sinks);
        this.settings = b;
        this.clock = b.clock != null ? b.clock : new HybridLogicalClock(b.maxClockSkew);
        this.policy = new AtomicReference<>(b.policy);
        this.corruptPolicy = b.corruptPolicy;
        if (b.checkpoints != null) {
            this.checkpoints = b.checkpoints;
            this.ownsCheckpoints = false;
        } else if (b.checkpointDir != null) {
            this.checkpoints = new FileCheckpointStore(b.checkpointDir);
            this.ownsCheckpoints = true;
        } else {
            this.checkpoints = null;
            this.ownsCheckpoints = false;
        }
        this.metrics = new PipelineMetrics(b.registry != null ? b.registry : new SimpleMeterRegistry(), name);
        for (Sink<K, V> s : sinks) {
            if (s instanceof MapReplicaSink) {
                ((MapReplicaSink<K, V>) s).setResolverPolicy(b.policy);
            }
        }
    }

    /**
     * Returns a builder.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return a builder with the defaults
     */
    public static <K, V> Builder<K, V> builder() {
        return new Builder<>();
    }

    /**
     * Starts the pipeline: reads the sinks' checkpoints, starts the stages, then the source (an anchor if any
     * sink has no usable checkpoint, on a thread of its own; this method does not wait for it).
     *
     * @throws IllegalStateException if already started
     * @throws CorruptStateException if a checkpoint cannot be read and the policy is {@link CorruptStatePolicy#FAIL}
     * @throws IOException if the checkpoint store fails
     */
    public synchronized void start() throws IOException {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("replicator " + name + " was already started (state " + state.get()
                + ")");
        }
        try {
            startPipeline();
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
            haltAndJoin();
            closeGuards();
            throw e;
        }
    }

    private void startPipeline() throws IOException {
        long resume = Long.MAX_VALUE;
        long[] starts = new long[sinks.size()];
        for (int i = 0; i < sinks.size(); i++) {
            Optional<Checkpoint> cp = loadCheckpoint(sinks.get(i).name());
            if (cp.isPresent() && sinks.get(i).startsEmpty()) {
                LOG.info("replicator {}: sink {} starts empty; its checkpoint at revision {} is ignored and the sink"
                    + " anchored", name, sinks.get(i).name(), cp.get().revision());
                cp = Optional.empty();
            }
            starts[i] = cp.map(Checkpoint::revision).orElse(-1L);
            cp.ifPresent(c -> clock.observe(c.stamp()));
        }
        RocksSpillQueue<K, V>[] spills = openSpills(starts);
        for (long s : starts) {
            resume = Math.min(resume, s);
        }
        disruptor = new Disruptor<>(RingEvent::new, settings.ringSize, threadFactory(), ProducerType.SINGLE,
            new StageWaitStrategy(settings.idleInterval.toNanos()));
        disruptor.setDefaultExceptionHandler(new StageFailureHandler());
        resolveStage = new ResolveStage<>(policy::get);
        // a stage is a thread and a hop: the transform stage only when there are transformers
        EventHandlerGroup<RingEvent<K, V>> group = transformers.isEmpty() ? null
            : disruptor.handleEventsWith(new TransformStage<>(transformers));
        if (settings.coalesce) {
            group = group == null ? disruptor.handleEventsWith(resolveStage) : group.then(resolveStage);
        }
        @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array: Disruptor's varargs take one
        EventHandler<RingEvent<K, V>>[] handlers = new EventHandler[sinks.size()];
        for (int i = 0; i < sinks.size(); i++) {
            Sink<K, V> s = sinks.get(i);
            SinkWriter<K, V> w = new SinkWriter<>(s, checkpoints, source.origin(), clock, starts[i],
                settings.batchSize, settings.checkpointInterval.toNanos(), settings.retryMin.toNanos(),
                settings.retryMax.toNanos(), metrics.sink(s.name()));
            writers.add(w);
            handlers[i] = w;
            s.anchorRequests(reason -> requestReanchor(s.name(), reason));
            if (settings.protection != null) {
                SinkGuard<K, V> g = new SinkGuard<>(s, settings.fallbackFor(s.name()), settings.protection,
                    settings.batchSize, spills[i], checkpoints, corruptPolicy, this::requestReanchor,
                    settings.retryMin.toNanos(), settings.retryMax.toNanos(), w::recordFailure, corruptSpills[i]);
                guards.add(g);
                w.guard(g);
                spills[i] = null;
            }
        }
        if (group == null) {
            disruptor.handleEventsWith(handlers);
        } else {
            group.then(handlers);
        }
        registerMeters();
        ring = disruptor.start();
        long from = resume;
        RingEmitter em = new RingEmitter();
        emitter = em;
        Thread t = threadFactory().newThread(() -> runSource(from, em, null));
        t.setName("syncmap-replicate-" + name + "-source");
        sourceThread = t;
        t.start();
    }

    private long[] corruptSpills = new long[0];

    /**
     * Opens each sink's spill queue (with protection and a spill directory). A corrupt spill, under
     * {@link CorruptStatePolicy#REANCHOR}, is logged, counted, deleted with the sink's checkpoint, and the sink
     * re-anchored; a spill of a sink without a checkpoint is emptied (its anchor brings everything).
     */
    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array
    private RocksSpillQueue<K, V>[] openSpills(long[] starts) throws IOException {
        RocksSpillQueue<K, V>[] spills = new RocksSpillQueue[sinks.size()];
        corruptSpills = new long[sinks.size()];
        if (settings.protection == null || settings.spillDir == null) {
            return spills;
        }
        SinkProtection p = settings.protection;
        try {
            for (int i = 0; i < sinks.size(); i++) {
                String sink = sinks.get(i).name();
                Path dir = settings.spillDir.resolve(sink);
                RocksSpillQueue<K, V> q;
                try {
                    q = RocksSpillQueue.open(dir, settings.keyCodec, settings.valueCodec, p.spillMaxBytes(),
                        p.spillMaxAge(), p.spillSync());
                } catch (CorruptStateException e) {
                    if (corruptPolicy == CorruptStatePolicy.FAIL) {
                        throw e;
                    }
                    corruptSpills[i]++;
                    LOG.error("replicator {}: the spill of sink {} cannot be read ({}); deleting it and the sink's"
                        + " checkpoint and re-anchoring the sink from a snapshot (nothing is lost)", name, sink,
                        e.getMessage());
                    RocksSpillQueue.destroy(dir);
                    if (checkpoints != null) {
                        checkpoints.delete(sink);
                    }
                    starts[i] = -1;
                    q = RocksSpillQueue.open(dir, settings.keyCodec, settings.valueCodec, p.spillMaxBytes(),
                        p.spillMaxAge(), p.spillSync());
                }
                spills[i] = q;
                if (starts[i] < 0 && q.entries() > 0) {
                    LOG.warn("replicator {}: sink {} has no checkpoint; emptying its spill ({} batches): the anchor"
                        + " brings everything", name, sink, q.entries());
                    q.clear();
                } else if (q.entries() > 0) {
                    LOG.warn("replicator {}: sink {} has {} spilled batches ({} changes); they are drained first",
                        name, sink, q.entries(), q.changes());
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            for (RocksSpillQueue<K, V> q : spills) {
                if (q != null) {
                    q.close();
                }
            }
            throw e;
        }
        return spills;
    }

    /**
     * Asks the source for a fresh anchor for every sink (a sink's spill was dropped, self-healing, a switch to a
     * fallback sink). Asynchronous and coalesced: the current source emitter is retired (its deliveries are
     * refused), the source's thread ends, and a new source thread anchors and then watches. Every sink receives
     * the anchor; sinks that have everything skip it as duplicates.
     */
    void requestReanchor(String sink, String reason) {
        if (state.get() != State.RUNNING || !reanchorPending.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                reanchorNow(sink, reason);
            } catch (RuntimeException | Error e) {
                fail(e);
                stopAsync();
                throw e;
            } finally {
                reanchorPending.set(false);
            }
        }, "syncmap-replicate-" + name + "-reanchor");
        t.setDaemon(true);
        t.start();
    }

    private void reanchorNow(String sink, String reason) {
        synchronized (reanchorLock) {
            if (state.get() != State.RUNNING || stopping) {
                return;
            }
            LOG.warn("replicator {}: re-anchoring at the request of sink {}: {}", name, sink, reason);
            source.stop();
            if (!emitter.retire()) {
                return;
            }
            Thread old = sourceThread;
            while (old != null && old.isAlive()) {
                if (state.get() != State.RUNNING) {
                    return;
                }
                try {
                    old.join(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            source.stop(); // a watch the old source thread opened after the first stop
            RingEmitter fresh = new RingEmitter();
            emitter = fresh;
            reanchorPending.set(false); // requests from now on get an anchor after this one
            Thread t = threadFactory().newThread(() -> runSource(-1, fresh, "re-anchor for sink " + sink + ": "
                + reason));
            t.setName("syncmap-replicate-" + name + "-source");
            sourceThread = t;
            t.start();
        }
    }

    private void closeGuards() {
        for (SinkGuard<K, V> g : guards) {
            g.close();
        }
    }

    private Optional<Checkpoint> loadCheckpoint(String sink) throws IOException {
        if (checkpoints == null) {
            return Optional.empty();
        }
        try {
            Optional<Checkpoint> cp = checkpoints.load(sink);
            if (cp.isPresent() && !cp.get().origin().equals(source.origin())) {
                throw new CorruptStateException(Path.of(sink), "checkpoint of sink " + sink + " is for origin "
                    + cp.get().origin() + ", but the source is " + source.origin());
            }
            return cp;
        } catch (CorruptStateException e) {
            if (corruptPolicy == CorruptStatePolicy.FAIL) {
                throw e;
            }
            corruptCheckpoints.incrementAndGet();
            LOG.warn("replicator {}: checkpoint of sink {} cannot be read ({}); forgetting it and re-anchoring"
                + " the sink from a snapshot (nothing is lost)", name, sink, e.getMessage());
            checkpoints.delete(sink);
            return Optional.empty();
        }
    }

    private void runSource(long resume, RingEmitter out, String why) {
        emitting.incrementAndGet();
        try {
            String reason = source.start(resume, clock, out);
            if (reason != null && why != null) {
                reason = why;
            }
            if (reason != null) {
                LOG.info("replicator {}: anchored the sinks at a snapshot: {}", name, reason);
            }
        } catch (RuntimeException | Error e) {
            fail(e);
            stopAsync();
            throw e;
        } finally {
            emitting.decrementAndGet();
        }
    }

    /**
     * Stops the pipeline. Idempotent; after a failure it cleans up what is left.
     *
     * @param mode drain or abort
     * @param timeout how long a drain may take before it becomes an abort
     */
    public synchronized void stop(StopMode mode, Duration timeout) {
        State s = state.get();
        if (s == State.NEW) {
            state.set(State.STOPPED);
            return;
        }
        if (s == State.STOPPED || disruptor == null) {
            return;
        }
        state.compareAndSet(State.RUNNING, State.STOPPING);
        synchronized (reanchorLock) { // a re-anchor under way finishes (or gives up) first
            source.stop();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean drain = mode == StopMode.DRAIN && state.get() != State.FAILED;
        if (drain) {
            while (emitting.get() > 0 && System.nanoTime() < deadline) { // a delivery under way finishes
                LockSupport.parkNanos(1_000_000);
            }
        }
        stopping = true;
        if (drain) {
            try {
                disruptor.shutdown(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.warn("replicator {}: drain did not finish within {}; aborting", name, timeout);
                drain = false;
            }
        }
        if (!drain) {
            writers.forEach(SinkWriter::abort);
        }
        haltAndJoin();
        closeGuards();
        List<Sink<K, V>> all = new ArrayList<>(sinks);
        for (SinkGuard<K, V> g : guards) {
            if (g.fallback() != null && !all.contains(g.fallback())) {
                all.add(g.fallback());
            }
        }
        for (Sink<K, V> sink : all) {
            try {
                sink.close();
            } catch (Exception | StackOverflowError e) {
                LOG.warn("replicator {}: closing sink {} failed", name, sink.name(), e);
            }
        }
        if (ownsCheckpoints) {
            try {
                checkpoints.close();
            } catch (IOException e) {
                LOG.warn("replicator {}: closing the checkpoint store failed", name, e);
            }
        }
        state.compareAndSet(State.STOPPING, State.STOPPED);
    }

    /**
     * Stops with {@link StopMode#DRAIN}, waiting up to 30 seconds.
     */
    @Override
    public void close() {
        stop(StopMode.DRAIN, Duration.ofSeconds(30));
    }

    private void haltAndJoin() {
        stopping = true;
        if (disruptor != null) {
            disruptor.halt();
        }
        List<Thread> ts;
        synchronized (threads) {
            ts = new ArrayList<>(threads);
        }
        for (Thread t : ts) {
            if (t == Thread.currentThread()) {
                continue;
            }
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.error("replicator {}: thread {} did not stop within 30 s", name, t.getName());
            }
        }
    }

    private void fail(Throwable t) {
        if (failure.compareAndSet(null, t)) {
            LOG.error("replicator {} failed; stopping (the next start replays from the last checkpoint)", name, t);
        }
        state.set(State.FAILED);
    }

    private void stopAsync() {
        Thread t = new Thread(() -> stop(StopMode.ABORT, Duration.ZERO), "syncmap-replicate-" + name + "-abort");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Installs a new resolver policy in the resolve stage and every {@link MapReplicaSink} (promote or drop a
     * gray-release candidate, switch resolvers): no restart.
     *
     * @param newPolicy the policy
     */
    public void setResolverPolicy(ResolverPolicy<K, V> newPolicy) {
        Objects.requireNonNull(newPolicy, "policy");
        policy.set(newPolicy);
        for (Sink<K, V> s : sinks) {
            if (s instanceof MapReplicaSink) {
                ((MapReplicaSink<K, V>) s).setResolverPolicy(newPolicy);
            }
        }
    }

    /**
     * Returns the resolver policy in force.
     *
     * @return the policy
     */
    public ResolverPolicy<K, V> resolverPolicy() {
        return policy.get();
    }

    /**
     * Waits until every sink has written the source's changes up to the revision it had when this method was
     * called (the pause-and-compare oracle's wait).
     *
     * @param timeout the longest wait
     * @return true if caught up, false on timeout or if the replicator stopped
     * @throws InterruptedException if interrupted
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return awaitApplied(source.revision(), timeout);
    }

    /**
     * Waits until every sink has written the source's changes up to a revision.
     *
     * @param revision the revision
     * @param timeout the longest wait
     * @return true if reached, false on timeout or if the replicator is not running
     * @throws InterruptedException if interrupted
     */
    public boolean awaitApplied(long revision, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean all = !writers.isEmpty() || sinks.isEmpty();
            for (SinkWriter<K, V> w : writers) {
                all &= w.applied() >= revision;
            }
            if (all) {
                return true;
            }
            if (state.get() != State.RUNNING || System.nanoTime() >= deadline) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /**
     * Returns the replicator's state, positions and counters.
     *
     * @return a status snapshot
     */
    public Status status() {
        List<SinkStatus> ss = new ArrayList<>();
        long head = source.revision();
        for (SinkWriter<K, V> w : writers) {
            ss.add(new SinkStatus(w.sink.name(), w.applied(), w.checkpointed(), Math.max(0, head - w.applied()),
                w.writeFailures(), w.lastFailure()));
        }
        RingBuffer<RingEvent<K, V>> r = ring;
        long used = r == null ? 0 : r.getBufferSize() - r.remainingCapacity();
        State st = state.get();
        Throwable f = failure.get(); // fail() sets the failure before the state: read in the other order
        if (f != null && (st == State.RUNNING || st == State.STOPPING)) {
            st = State.FAILED;
        }
        return new Status(name, st, head, source.reanchors(), source.anchorReason(), corruptCheckpoints.get(),
            resolveStage == null ? 0 : resolveStage.folded(), used, settings.ringSize, ss, f);
    }

    /**
     * Returns each protected sink's breaker, overload level, spill and self-healing state (empty without
     * {@link Builder#protection}).
     *
     * @return one status per sink
     */
    public List<SinkProtectionStatus> protectionStatus() {
        List<SinkProtectionStatus> out = new ArrayList<>();
        for (SinkWriter<K, V> w : writers) {
            SinkGuard<K, V> g = w.guard();
            if (g != null) {
                out.add(g.status());
            }
        }
        return List.copyOf(out);
    }

    /** The spill of a sink, for tests; null if none. */
    RocksSpillQueue<K, V> spillOf(String sink) {
        for (SinkWriter<K, V> w : writers) {
            if (w.sink.name().equals(sink) && w.guard() != null) {
                return w.guard().spill();
            }
        }
        return null;
    }

    /**
     * Waits until every sink has written the source's changes up to the revision it had when this method was
     * called, and no sink has anything spilled or held or awaits an anchor: the sinks themselves hold
     * everything (unlike {@link #awaitCaughtUp}, which counts spilled changes as written).
     *
     * @param timeout the longest wait
     * @return true if settled, false on timeout or if the replicator stopped
     * @throws InterruptedException if interrupted
     */
    public boolean awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long revision = source.revision();
        while (true) {
            boolean all = true;
            for (SinkWriter<K, V> w : writers) {
                SinkGuard<K, V> g = w.guard();
                all &= w.applied() >= revision && (g == null || g.settled());
            }
            if (all && !writers.isEmpty()) {
                return true;
            }
            if (state.get() != State.RUNNING || System.nanoTime() >= deadline) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Returns the registry the replicator's meters are in.
     *
     * @return the registry
     */
    public MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    /**
     * Returns the replicator's hybrid logical clock.
     *
     * @return the clock
     */
    public HybridLogicalClock clock() {
        return clock;
    }

    private void registerMeters() {
        metrics.gauge("source.revision", "the source map's revision", source, VersionedMapSource::revision);
        metrics.counter("reanchors", "anchors sent (the first one of a new replica included)", Tags.empty(), source,
            VersionedMapSource::reanchors);
        metrics.counter("coalesced", "changes folded into a later change to the same key", Tags.empty(), this,
            r -> r.resolveStage.folded());
        metrics.gauge("queue.depth", "envelopes in the ring buffer", this, r -> r.ring == null ? 0
            : r.ring.getBufferSize() - r.ring.remainingCapacity());
        metrics.gauge("clock.skew.beyond.bound", "remote HLC stamps further ahead than the configured bound",
            clock, HybridLogicalClock::stampsBeyondSkew);
        for (SinkWriter<K, V> w : writers) {
            PipelineMetrics.SinkMeters m = metrics.sink(w.sink.name());
            m.gauge("applied.revision", "the last revision the sink has written", w, SinkWriter::applied);
            m.gauge("checkpoint.revision", "the sink's durable checkpoint", w, SinkWriter::checkpointed);
            m.gauge("checkpoint.failures", "flushes or checkpoint stores that failed (the checkpoint lagged)", w,
                SinkWriter::checkpointFailures);
            m.gauge("lag.revisions", "revisions the sink is behind the source", w,
                x -> Math.max(0, source.revision() - x.applied()));
            if (w.guard() != null) {
                w.guard().registerMeters(m, metrics.registry());
            }
            if (w.sink instanceof MapReplicaSink) {
                ResolutionStats st = ((MapReplicaSink<K, V>) w.sink).stats();
                for (Outcome o : Outcome.values()) {
                    metrics.counter("conflicts", "changes applied to the replica, by outcome",
                        m.sinkTags.and("outcome", o.name().toLowerCase(java.util.Locale.ROOT)), st, x -> x.count(o));
                }
                metrics.counter("gray.trials", "decisions the candidate resolver was tried on", m.sinkTags, st,
                    ResolutionStats::grayTrials);
                metrics.counter("gray.disagreements", "candidate decisions that differed from the active one",
                    m.sinkTags, st, ResolutionStats::grayDisagreements);
            }
        }
    }

    private ThreadFactory threadFactory() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "syncmap-replicate-" + name + "-stage-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, ex) -> {
                if (!(ex instanceof StageFailed)) {
                    LOG.error("replicator {}: uncaught in {}", name, th.getName(), ex);
                }
            });
            synchronized (threads) {
                threads.add(t);
            }
            return t;
        };
    }

    /** Ends a stage's thread after a failure, without advancing its sequence past the failed event. */
    private static final class StageFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StageFailed(Throwable cause) {
            super(cause);
        }
    }

    /** Fails and stops the replicator when a stage throws (Disruptor's exception handler for every stage). */
    private final class StageFailureHandler implements ExceptionHandler<RingEvent<K, V>> {
        @Override
        public void handleEventException(Throwable ex, long sequence, RingEvent<K, V> event) {
            if (stopping && ex instanceof InterruptedException) {
                throw new StageFailed(ex); // an abort while a writer retried: not a failure
            }
            fail(ex);
            stopAsync();
            throw new StageFailed(ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            fail(ex);
            stopAsync();
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            LOG.warn("replicator {}: a stage failed while shutting down", name, ex);
        }
    }

    /** Publishes the source's envelopes into the ring, claiming up to a chunk of slots at a time. */
    private final class RingEmitter implements VersionedMapSource.Emitter<K, V> {
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile boolean retired;

        /**
         * Refuses every later emission and waits for those under way (the ring is single-producer).
         *
         * @return false if the replicator stopped running meanwhile
         */
        boolean retire() {
            retired = true;
            while (inFlight.get() > 0) {
                if (state.get() != State.RUNNING) {
                    return false;
                }
                LockSupport.parkNanos(100_000);
            }
            return true;
        }

        @Override
        public boolean emit(Envelope<K, V> e) {
            return emitAll(List.of(e));
        }

        @Override
        public boolean emitAll(List<Envelope<K, V>> es) {
            emitting.incrementAndGet();
            inFlight.incrementAndGet();
            try {
                if (retired) {
                    return false;
                }
                int n = es.size();
                int i = 0;
                while (i < n) {
                    int k = Math.min(n - i, CHUNK);
                    long hi = claim(k);
                    if (hi < 0) {
                        return false;
                    }
                    long lo = hi - k + 1;
                    long now = System.nanoTime();
                    for (int j = 0; j < k; j++) {
                        ring.get(lo + j).set(es.get(i + j), now);
                    }
                    ring.publish(lo, hi);
                    i += k;
                }
                return true;
            } catch (RuntimeException | Error e) {
                fail(e);
                stopAsync();
                throw e;
            } finally {
                inFlight.decrementAndGet();
                emitting.decrementAndGet();
            }
        }

        /**
         * Claims k slots, waiting while the ring is full (the stages free slots as they go); the wait is
         * Disruptor's own producer wait (a 50 µs park per try), given up when the replicator stops.
         */
        private long claim(int k) {
            while (true) {
                if (stopping || retired) {
                    return -1;
                }
                try {
                    return ring.tryNext(k);
                } catch (InsufficientCapacityException full) {
                    LockSupport.parkNanos(50_000);
                }
            }
        }
    }

    /**
     * The state of one sink.
     *
     * @param name the sink's name
     * @param appliedRevision the last revision whose changes the sink has all written
     * @param checkpointRevision the sink's durable checkpoint
     * @param lagRevisions how many revisions the sink is behind the source
     * @param writeFailures failed batch writes (each retried)
     * @param lastFailure the last write failure, or null
     */
    public record SinkStatus(String name, long appliedRevision, long checkpointRevision, long lagRevisions,
                             long writeFailures, Throwable lastFailure) {}

    /**
     * A replicator's status.
     *
     * @param name the replicator's name
     * @param state its state
     * @param sourceRevision the source map's revision
     * @param anchors anchors sent (the first anchor of a new replica included)
     * @param lastAnchorReason why the last anchor at start was needed, or null
     * @param corruptCheckpoints checkpoints that could not be read and were replaced by an anchor
     * @param coalesced changes folded into later changes to the same key
     * @param queued envelopes in the ring buffer
     * @param ringSize the ring buffer's capacity
     * @param sinks each sink's state
     * @param failure what stopped the replicator, or null
     */
    public record Status(String name, State state, long sourceRevision, long anchors, String lastAnchorReason,
                         long corruptCheckpoints, long coalesced, long queued, int ringSize, List<SinkStatus> sinks,
                         Throwable failure) {
        /** Keeps an immutable copy of the sinks' states. */
        public Status {
            sinks = List.copyOf(sinks);
        }
    }

    /**
     * Configures a {@link Replicator}. Every setting has a default except the source and at least one sink.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     */
    public static final class Builder<K, V> {
        private String name = "replicator";
        private VersionedMapSource<K, V> source;
        private final List<Transformer<K, V>> transformers = new ArrayList<>();
        private final List<Sink<K, V>> sinks = new ArrayList<>();
        private ResolverPolicy<K, V> policy = ResolverPolicy.of(Resolvers.lastWriterWins());
        private CheckpointStore checkpoints;
        private Path checkpointDir;
        private CorruptStatePolicy corruptPolicy = CorruptStatePolicy.REANCHOR;
        private Duration checkpointInterval = Duration.ofMillis(200);
        private int batchSize = 500;
        private int ringSize = 1 << 14;
        private boolean coalesce = true;
        private Duration idleInterval = Duration.ofMillis(100);
        private Duration retryMin = Duration.ofMillis(10);
        private Duration retryMax = Duration.ofSeconds(5);
        private Duration maxClockSkew = Duration.ofMillis(500);
        private HybridLogicalClock clock;
        private MeterRegistry registry;
        private SinkProtection protection;
        private Path spillDir;
        private Codec<K> keyCodec;
        private Codec<V> valueCodec;
        private final java.util.Map<String, Sink<K, V>> fallbacks = new java.util.LinkedHashMap<>();
        private Sink<K, V> fallbackForAll;

        private Builder() {}

        /**
         * Protects every sink with a circuit breaker, overload levels (adaptive batch size, compression, held
         * low-priority keys) and self-healing, and (with {@link #spillDirectory}) a durable spill. Without it a
         * failing sink's writer retries with backoff, stalling the ring. Set by {@link #spillDirectory} and
         * {@link #fallbackSink} to {@link SinkProtection#defaults()} when not set.
         *
         * @param p the settings
         * @return this builder
         */
        public Builder<K, V> protection(SinkProtection p) {
            this.protection = Objects.requireNonNull(p, "protection");
            return this;
        }

        /**
         * Keeps each sink's durable spill queue ({@link RocksSpillQueue}, RocksDB) in {@code dir/<sink>}. Needs
         * {@link #keyCodec} and {@link #valueCodec}.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder<K, V> spillDirectory(Path dir) {
            this.spillDir = Objects.requireNonNull(dir, "spillDirectory");
            return this;
        }

        /**
         * Encodes keys in the spill (see {@link dev.syncmap.copy.Codecs}). Required with a spill.
         *
         * @param c the codec
         * @return this builder
         */
        public Builder<K, V> keyCodec(Codec<K> c) {
            this.keyCodec = Objects.requireNonNull(c, "keyCodec");
            return this;
        }

        /**
         * Encodes values in the spill (see {@link dev.syncmap.copy.Codecs}). Required with a spill.
         *
         * @param c the codec
         * @return this builder
         */
        public Builder<K, V> valueCodec(Codec<V> c) {
            this.valueCodec = Objects.requireNonNull(c, "valueCodec");
            return this;
        }

        /**
         * The sink that takes over every sink's traffic when self-healing finds it failing and unhealthy (for a
         * replicator with one sink; with several, give one per sink with {@link #fallbackSink(String, Sink)}).
         *
         * @param fallback the fallback sink (closed by the replicator)
         * @return this builder
         */
        public Builder<K, V> fallbackSink(Sink<K, V> fallback) {
            this.fallbackForAll = Objects.requireNonNull(fallback, "fallbackSink");
            return this;
        }

        /**
         * The sink that takes over one sink's traffic when self-healing finds it failing and unhealthy: it gets
         * a fresh anchor and then everything after; an alert is logged and counted.
         *
         * @param sink the primary sink's name
         * @param fallback the fallback sink (closed by the replicator)
         * @return this builder
         */
        public Builder<K, V> fallbackSink(String sink, Sink<K, V> fallback) {
            fallbacks.put(Objects.requireNonNull(sink, "sink"), Objects.requireNonNull(fallback, "fallbackSink"));
            return this;
        }

        Sink<K, V> fallbackFor(String sink) {
            Sink<K, V> f = fallbacks.get(sink);
            return f != null ? f : fallbackForAll;
        }

        /**
         * Names the replicator (threads, metrics, logs). Default {@code replicator}.
         *
         * @param name letters, digits, '.', '_', '-'
         * @return this builder
         */
        public Builder<K, V> name(String name) {
            this.name = Names.check("replicator name", name);
            return this;
        }

        /**
         * Sets the source. Required.
         *
         * @param source the source
         * @return this builder
         */
        public Builder<K, V> source(VersionedMapSource<K, V> source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * Adds a transformer; they run in the order added.
         *
         * @param t the transformer
         * @return this builder
         */
        public Builder<K, V> transformer(Transformer<K, V> t) {
            transformers.add(Objects.requireNonNull(t, "transformer"));
            return this;
        }

        /**
         * Adds a sink. At least one is required; names must be unique.
         *
         * @param sink the sink
         * @return this builder
         */
        public Builder<K, V> sink(Sink<K, V> sink) {
            sinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /**
         * Sets the resolver. Default last-writer-wins.
         *
         * @param resolver the resolver
         * @return this builder
         */
        public Builder<K, V> resolver(ConflictResolver<K, V> resolver) {
            return resolverPolicy(ResolverPolicy.of(resolver));
        }

        /**
         * Sets the resolver policy (a resolver and optionally a gray-release candidate). It is installed in every
         * {@link MapReplicaSink} of this replicator.
         *
         * @param p the policy
         * @return this builder
         */
        public Builder<K, V> resolverPolicy(ResolverPolicy<K, V> p) {
            this.policy = Objects.requireNonNull(p, "policy");
            return this;
        }

        /**
         * Keeps checkpoints as files in a directory ({@link FileCheckpointStore}). Without checkpoints every
         * start anchors.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder<K, V> checkpointDirectory(Path dir) {
            this.checkpointDir = Objects.requireNonNull(dir, "dir");
            this.checkpoints = null;
            return this;
        }

        /**
         * Keeps checkpoints in the given store.
         *
         * @param store the store (not closed by the replicator)
         * @return this builder
         */
        public Builder<K, V> checkpointStore(CheckpointStore store) {
            this.checkpoints = Objects.requireNonNull(store, "store");
            this.checkpointDir = null;
            return this;
        }

        /**
         * What to do with an unreadable checkpoint. Default {@link CorruptStatePolicy#REANCHOR}.
         *
         * @param p the policy
         * @return this builder
         */
        public Builder<K, V> onCorruptState(CorruptStatePolicy p) {
            this.corruptPolicy = Objects.requireNonNull(p, "policy");
            return this;
        }

        /**
         * The longest time between a sink's write and its checkpoint. Default 200 ms; zero checkpoints after
         * every batch.
         *
         * @param d not negative
         * @return this builder
         */
        public Builder<K, V> checkpointInterval(Duration d) {
            this.checkpointInterval = nonNegative("checkpointInterval", d);
            return this;
        }

        /**
         * The largest batch written to a sink (a revision larger than this still goes whole). Default 500.
         *
         * @param n positive
         * @return this builder
         */
        public Builder<K, V> batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batchSize must be positive, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        /**
         * The ring buffer's capacity in envelopes. Default 16,384.
         *
         * @param n a power of two, at least 2 × {@value VersionedMapSource.Emitter#CHUNK}
         * @return this builder
         */
        public Builder<K, V> ringSize(int n) {
            if (Integer.bitCount(n) != 1 || n < 2 * VersionedMapSource.Emitter.CHUNK) {
                throw new IllegalArgumentException("ringSize must be a power of two of at least "
                    + 2 * VersionedMapSource.Emitter.CHUNK + ", got " + n);
            }
            this.ringSize = n;
            return this;
        }

        /**
         * Whether the resolve stage folds changes to one key within a batch. Default true.
         *
         * @param on true to fold
         * @return this builder
         */
        public Builder<K, V> coalesce(boolean on) {
            this.coalesce = on;
            return this;
        }

        /**
         * How long a stage waits for work before its idle tasks run (expiry sweeps, checkpoints). Default
         * 100 ms.
         *
         * @param d positive
         * @return this builder
         */
        public Builder<K, V> idleInterval(Duration d) {
            this.idleInterval = positive("idleInterval", d);
            return this;
        }

        /**
         * The backoff between retries of a failed sink write: doubling from {@code min} up to {@code max}.
         * Defaults 10 ms and 5 s.
         *
         * @param min positive
         * @param max at least min
         * @return this builder
         */
        public Builder<K, V> retryBackoff(Duration min, Duration max) {
            positive("retry backoff min", min);
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("retry backoff max " + max + " is below min " + min);
            }
            this.retryMin = min;
            this.retryMax = max;
            return this;
        }

        /**
         * The clock skew the HLC tolerates before counting a stamp as beyond the bound. Default 500 ms.
         *
         * @param d not negative
         * @return this builder
         */
        public Builder<K, V> maxClockSkew(Duration d) {
            this.maxClockSkew = nonNegative("maxClockSkew", d);
            return this;
        }

        /**
         * Uses a given clock (for tests and to share one clock among replicators of one node).
         *
         * @param c the clock
         * @return this builder
         */
        public Builder<K, V> clock(HybridLogicalClock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * The Micrometer registry for the meters. Default a private {@link SimpleMeterRegistry}.
         *
         * @param r the registry
         * @return this builder
         */
        public Builder<K, V> meterRegistry(MeterRegistry r) {
            this.registry = Objects.requireNonNull(r, "registry");
            return this;
        }

        /**
         * Builds the replicator (not started).
         *
         * @return the replicator
         * @throws IllegalArgumentException naming the setting if the configuration is incomplete or inconsistent
         * @throws IOException if the checkpoint directory cannot be created
         */
        public Replicator<K, V> build() throws IOException {
            if (source == null) {
                throw new IllegalArgumentException("source: a replicator needs a source");
            }
            if (sinks.isEmpty()) {
                throw new IllegalArgumentException("sinks: a replicator needs at least one sink");
            }
            Set<String> names = new HashSet<>();
            for (Sink<K, V> s : sinks) {
                if (!names.add(s.name())) {
                    throw new IllegalArgumentException("sinks: two sinks are named " + s.name());
                }
            }
            checkProtection(names);
            return new Replicator<>(this);
        }

        private void checkProtection(Set<String> names) {
            if (protection == null && (spillDir != null || fallbackForAll != null || !fallbacks.isEmpty())) {
                protection = SinkProtection.defaults();
            }
            if (spillDir != null && keyCodec == null) {
                throw new IllegalArgumentException("keyCodec: a pipeline with a spill (spillDirectory " + spillDir
                    + ") needs a key codec to encode spilled changes, e.g. keyCodec(Codecs.STRING)");
            }
            if (spillDir != null && valueCodec == null) {
                throw new IllegalArgumentException("valueCodec: a pipeline with a spill (spillDirectory " + spillDir
                    + ") needs a value codec to encode spilled changes, e.g. valueCodec(Codecs.STRING)");
            }
            if (fallbackForAll != null && sinks.size() > 1) {
                throw new IllegalArgumentException("fallbackSink: with " + sinks.size() + " sinks, name the sink"
                    + " each fallback stands in for: fallbackSink(sinkName, fallback)");
            }
            Set<String> fallbackNames = new HashSet<>();
            for (var e : fallbacks.entrySet()) {
                if (!names.contains(e.getKey())) {
                    throw new IllegalArgumentException("fallbackSink: no sink is named " + e.getKey());
                }
            }
            List<Sink<K, V>> fs = new ArrayList<>(fallbacks.values());
            if (fallbackForAll != null) {
                fs.add(fallbackForAll);
            }
            for (Sink<K, V> f : fs) {
                if (names.contains(f.name()) || !fallbackNames.add(f.name())) {
                    throw new IllegalArgumentException("fallbackSink: the fallback's name " + f.name() + " must"
                        + " differ from every sink's and other fallback's (it names its checkpoint)");
                }
            }
        }

        private static Duration nonNegative(String what, Duration d) {
            if (Objects.requireNonNull(d, what).isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, got " + d);
            }
            return d;
        }

        private static Duration positive(String what, Duration d) {
            if (nonNegative(what, d).isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
