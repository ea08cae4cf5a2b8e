package dev.syncmap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers a {@link VersionedMap}'s change feed to its watchers and reactive subscribers, asynchronously, without a
 * thread per watcher.
 *
 * <h2>Implementation notes</h2>
 * <b>Pull, not push.</b> Writers never touch a watcher. Each watcher is an actor with a cursor (the last revision
 * it delivered) that, when run on the executor, reads the committed revisions after its cursor from the
 * {@link ChangeLog} and hands them over. A writer that committed while watchers exist calls {@link #signal()}:
 * if no dispatch is pending it schedules one; the dispatch wakes every idle watcher that has work. So a burst of
 * writes costs one executor hand-off per dispatch, and a slow watcher costs writers nothing: it only lags, and
 * when its next revision is compacted out of the bounded history it is told it fell behind.
 *
 * <p><b>No lost wake-up.</b> Two Dekker-style handshakes, each a store, a full fence, then a load: a writer
 * releases its commit, fences, then reads {@code dispatchPending}; a dispatch clears {@code dispatchPending},
 * fences, then reads each watcher's state; a watcher leaving the running state stores IDLE, fences, then re-reads
 * the committed revision. Whichever side goes second sees the other's store, so a commit is always followed by a
 * run of every watcher that has not delivered it yet.
 *
 * <p><b>One delivery at a time per watcher.</b> An actor runs only after winning the IDLE&rarr;RUNNING CAS, and
 * leaves with RUNNING&rarr;IDLE; the CAS pair orders consecutive runs (happens-before), so callbacks of one watch
 * never overlap and its plain fields need no other synchronization. Closing sets CLOSED, which no CAS leaves.
 *
 * <p><b>Progress bookmarks.</b> One periodic task per hub on a shared daemon timer (holding the hub weakly, so
 * a forgotten map is not kept alive) marks every watcher that delivered nothing since the last tick as due for a
 * bookmark and wakes it.
 *
 * <p><b>No leak.</b> A watcher is referenced only by the hub's set while open and by a queued task while one is
 * queued; {@link Watcher#close()} removes it from the set, so a million subscribe/cancel cycles leave nothing.
 */
final class WatchHub<K, V> {

    /** Changes per delivery, at most, unless one revision alone is larger (a revision is never split). */
    static final int MAX_DELIVERY = 1024;

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;

    private static final VarHandle DISPATCH_PENDING;
    private static final VarHandle STATE;
    private static final VarHandle DEMAND;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            DISPATCH_PENDING = l.findVarHandle(WatchHub.class, "dispatchPending", int.class);
            STATE = l.findVarHandle(WatchHub.Subscriber.class, "state", int.class);
            DEMAND = l.findVarHandle(WatchHub.FlowSubscription.class, "demand", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Shared defaults, created on first use. The executor: a pool of max(4, processors) daemon threads with an
     * unbounded queue (a burst of watches never creates a burst of threads; a listener that blocks holds one
     * thread, so users with blocking listeners should give their own executor).
     */
    private static final class Defaults {
        static final ExecutorService EXECUTOR;
        static final ScheduledThreadPoolExecutor TIMER;

        static {
            AtomicInteger n = new AtomicInteger();
            int threads = Math.max(4, Runtime.getRuntime().availableProcessors());
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "syncmap-watch-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
            pool.allowCoreThreadTimeOut(true);
            EXECUTOR = pool;
            TIMER = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "syncmap-watch-timer");
                t.setDaemon(true);
                return t;
            });
            TIMER.setRemoveOnCancelPolicy(true);
        }
    }

    private final VersionedMap<K, V> map;
    private final ChangeLog<K, V> log;
    /** The configured executor; null for the shared default, resolved per use (so a map's object graph does not
     * reach the shared pool and its threads). */
    private final Executor executor;
    private final long progressNanos;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    /** Open subscribers; read by every writer, so kept apart from what writers write. */
    private final AtomicInteger open = new AtomicInteger();
    @SuppressWarnings("unused") // accessed through DISPATCH_PENDING
    private volatile int dispatchPending;
    private volatile boolean timerStarted;

    WatchHub(VersionedMap<K, V> map, ChangeLog<K, V> log, Executor executor, long progressNanos) {
        this.map = map;
        this.log = log;
        this.executor = executor;
        this.progressNanos = progressNanos;
    }

    /** Tells writers whether to {@link #signal()}; one volatile read. */
    boolean hasSubscribers() {
        return open.get() != 0;
    }

    /** Number of open subscribers, for tests and diagnostics. */
    int subscriberCount() {
        return open.get();
    }

    /** Called by a writer after it released a commit: makes sure a dispatch follows. */
    void signal() {
        VarHandle.fullFence(); // the commit's release store, then this load (handshake with dispatch())
        if ((int) DISPATCH_PENDING.getVolatile(this) == 0 && DISPATCH_PENDING.compareAndSet(this, 0, 1)) {
            try {
                execute(this::dispatch);
            } catch (RejectedExecutionException e) {
                DISPATCH_PENDING.setVolatile(this, 0);
                failAll(e);
            }
        }
    }

    private void dispatch() {
        DISPATCH_PENDING.setVolatile(this, 0);
        VarHandle.fullFence();
        for (Subscriber s : subscribers) {
            s.wake();
        }
    }

    private void failAll(RuntimeException cause) {
        for (Subscriber s : subscribers) {
            s.fail(cause);
        }
    }

    /* ---------------- Subscribing ---------------- */

    Watch watch(long afterRevision, WatchListener<K, V> listener) {
        ListenerWatch w = new ListenerWatch(afterRevision, listener);
        register(w);
        w.wake();
        return w;
    }

    Flow.Publisher<Change<K, V>> publisher(long afterRevision) {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            FlowSubscription s = new FlowSubscription(afterRevision, subscriber);
            s.start();
        };
    }

    private void register(Subscriber s) {
        subscribers.add(s);
        open.incrementAndGet();
        if (progressNanos > 0 && !timerStarted) {
            startTimer();
        }
    }

    private void unregister(Subscriber s) {
        if (subscribers.remove(s)) {
            open.decrementAndGet();
        }
    }

    private synchronized void startTimer() {
        if (timerStarted) {
            return;
        }
        timerStarted = true;
        ProgressTick tick = new ProgressTick(this);
        tick.future = Defaults.TIMER.scheduleWithFixedDelay(tick, progressNanos, progressNanos, TimeUnit.NANOSECONDS);
    }

    /** The periodic bookmark task; holds its hub weakly and cancels itself once the hub is gone. */
    private static final class ProgressTick implements Runnable {
        private final WeakReference<WatchHub<?, ?>> hub;
        volatile ScheduledFuture<?> future;

        ProgressTick(WatchHub<?, ?> hub) {
            this.hub = new WeakReference<>(hub);
        }

        @Override
        public void run() {
            WatchHub<?, ?> h = hub.get();
            if (h == null) {
                ScheduledFuture<?> f = future;
                if (f != null) {
                    f.cancel(false);
                }
                return;
            }
            h.tick();
        }
    }

    private void tick() {
        for (Subscriber s : subscribers) {
            if (s instanceof ListenerWatch w) {
                if (w.deliveredSinceTick) {
                    w.deliveredSinceTick = false;
                } else {
                    w.progressDue = true;
                    w.wake();
                }
            }
        }
    }

    private void execute(Runnable task) {
        (executor != null ? executor : Defaults.EXECUTOR).execute(task);
    }

    /** Reports a callback's exception without killing the executor's thread and without hiding it. */
    private static void report(Throwable t) {
        Thread current = Thread.currentThread();
        current.getUncaughtExceptionHandler().uncaughtException(current, t);
    }

    /* ---------------- The actor ---------------- */

    /** A subscriber's delivery actor: state machine IDLE -> RUNNING -> IDLE ..., CLOSED final. */
    private abstract class Subscriber implements Runnable {
        volatile int state;
        /** The last revision read from the log; written only while RUNNING. */
        volatile long cursor;
        volatile Throwable failure;

        Subscriber(long afterRevision, int initialState) {
            this.cursor = afterRevision;
            this.state = initialState;
        }

        /** Whether a run would do something now. */
        abstract boolean hasWork();

        /** Delivers what is available; called only while RUNNING. */
        abstract void deliver();

        /** Tells the subscriber that the feed failed with {@code cause}; called while RUNNING. */
        abstract void signalFailure(Throwable cause);

        final void wake() {
            if ((int) STATE.getVolatile(this) == IDLE && hasWork() && STATE.compareAndSet(this, IDLE, RUNNING)) {
                try {
                    execute(this);
                } catch (RejectedExecutionException e) {
                    failed(e);
                }
            }
        }

        @Override
        public final void run() {
            for (;;) {
                if ((int) STATE.getVolatile(this) != RUNNING) {
                    return;
                }
                Throwable pendingFailure = failure;
                if (pendingFailure != null) {
                    close();
                    signalFailure(pendingFailure);
                    return;
                }
                deliver();
                if (!STATE.compareAndSet(this, RUNNING, IDLE)) {
                    return; // closed meanwhile
                }
                VarHandle.fullFence(); // the IDLE store, then the reads in hasWork() (handshake with wake())
                if ((failure == null && !hasWork()) || !STATE.compareAndSet(this, IDLE, RUNNING)) {
                    return;
                }
            }
        }

        /** Records a failure from outside the actor and has the actor report it. */
        final void fail(Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            if ((int) STATE.getVolatile(this) == IDLE && STATE.compareAndSet(this, IDLE, RUNNING)) {
                try {
                    execute(this);
                } catch (RejectedExecutionException e) {
                    close();
                }
            }
        }

        final void failed(Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            close();
        }

        public void close() {
            if ((int) STATE.getAndSet(this, CLOSED) != CLOSED) {
                unregister(this);
            }
        }

        final boolean isClosed() {
            return (int) STATE.getVolatile(this) == CLOSED;
        }
    }

    /** A {@link WatchListener} subscription. */
    private final class ListenerWatch extends Subscriber implements Watch {
        private final WatchListener<K, V> listener;
        volatile boolean progressDue;
        volatile boolean deliveredSinceTick;

        ListenerWatch(long afterRevision, WatchListener<K, V> listener) {
            super(afterRevision, IDLE);
            this.listener = listener;
        }

        @Override
        boolean hasWork() {
            return cursor < map.committedRevision() || progressDue;
        }

        @Override
        void deliver() {
            boolean delivered = false;
            long committed = map.committedRevision();
            while (cursor < committed && !isClosed()) {
                List<Change<K, V>> chunk = new ArrayList<>();
                long last;
                try {
                    last = log.read(cursor, committed, MAX_DELIVERY, chunk);
                } catch (CompactedException e) {
                    failed(e);
                    signalFailure(e);
                    return;
                }
                try {
                    listener.onChanges(Collections.unmodifiableList(chunk));
                } catch (Throwable t) {
                    failed(t);
                    report(t);
                    return;
                }
                cursor = last;
                delivered = true;
            }
            if (delivered) {
                deliveredSinceTick = true;
                progressDue = false;
            } else if (progressDue && !isClosed()) {
                progressDue = false;
                long c = cursor;
                if (c <= map.committedRevision()) {
                    try {
                        listener.onProgress(c);
                    } catch (Throwable t) {
                        failed(t);
                        report(t);
                    }
                }
            }
        }

        @Override
        void signalFailure(Throwable cause) {
            if (cause instanceof CompactedException ce) {
                try {
                    listener.onFellBehind(ce);
                } catch (Throwable t) {
                    report(t);
                }
            } else {
                report(cause);
            }
        }

        @Override
        public long revision() {
            return cursor;
        }

        @Override
        public boolean isOpen() {
            return !isClosed();
        }

        @Override
        public Throwable failure() {
            return failure;
        }

        @Override
        public String toString() {
            return "Watch[after revision " + cursor + (isOpen() ? ", open]" : ", closed]");
        }
    }

    /** A {@link Flow.Subscription} delivering one change per demanded item. */
    private final class FlowSubscription extends Subscriber implements Flow.Subscription {
        private final Flow.Subscriber<? super Change<K, V>> subscriber;
        /** Outstanding demand; {@link Long#MAX_VALUE} means unbounded. */
        @SuppressWarnings("unused") // accessed through DEMAND
        volatile long demand;
        /** Changes read from the log but not yet delivered (the rest of a revision); actor-only. */
        private final List<Change<K, V>> pending = new ArrayList<>();
        private int pendingIndex;

        FlowSubscription(long afterRevision, Flow.Subscriber<? super Change<K, V>> subscriber) {
            super(afterRevision, RUNNING); // held RUNNING until onSubscribe returns (rule 1.3: serial signals)
            this.subscriber = subscriber;
        }

        void start() {
            register(this);
            try {
                subscriber.onSubscribe(this);
            } catch (Throwable t) {
                failed(t);
                report(t);
                return;
            }
            if (STATE.compareAndSet(this, RUNNING, IDLE)) {
                VarHandle.fullFence();
                if (failure != null) {
                    fail(failure);
                } else {
                    wake();
                }
            }
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                fail(new IllegalArgumentException("request(" + n + "): demand must be positive (rule 3.9)"));
                return;
            }
            long d;
            long updated;
            do {
                d = (long) DEMAND.getVolatile(this);
                updated = d + n < 0 ? Long.MAX_VALUE : d + n;
            } while (!DEMAND.compareAndSet(this, d, updated));
            wake();
        }

        @Override
        public void cancel() {
            close();
        }

        @Override
        boolean hasWork() {
            return (long) DEMAND.getVolatile(this) > 0
                && (pendingIndex < pending.size() || cursor < map.committedRevision());
        }

        @Override
        void deliver() {
            while ((long) DEMAND.getVolatile(this) > 0 && !isClosed()) {
                if (pendingIndex == pending.size()) {
                    long committed = map.committedRevision();
                    if (cursor >= committed) {
                        return;
                    }
                    pending.clear();
                    pendingIndex = 0;
                    try {
                        cursor = log.read(cursor, committed, MAX_DELIVERY, pending);
                    } catch (CompactedException e) {
                        failed(e);
                        signalFailure(e);
                        return;
                    }
                }
                Change<K, V> c = pending.get(pendingIndex);
                pending.set(pendingIndex++, null);
                long d;
                do {
                    d = (long) DEMAND.getVolatile(this);
                } while (d != Long.MAX_VALUE && !DEMAND.compareAndSet(this, d, d - 1));
                try {
                    subscriber.onNext(c);
                } catch (Throwable t) {
                    failed(t); // rule 2.13: the subscription is cancelled
                    report(t);
                    return;
                }
            }
        }

        @Override
        void signalFailure(Throwable cause) {
            try {
                subscriber.onError(cause);
            } catch (Throwable t) {
                report(t);
            }
        }
    }
}
