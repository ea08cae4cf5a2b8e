package dev.syncmap;

import dev.syncmap.internal.FaultHooks;
import dev.syncmap.internal.VarHandles;
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
 * <p><b>No lost wake-up.</b> Dekker-style handshakes, each a store, a full fence (or a volatile RMW), then a load;
 * whichever side goes second sees the other's store, so a commit is always followed by a run of every watcher
 * that has not delivered it yet:
 * <ol>
 *   <li><em>Commit vs registration.</em> A writer takes the sequencer with a volatile CAS ({@code 2r -> 2r+1}),
 *       publishes, releases ({@code 2r+2}, a release store), then reads the open count {@code open} with a
 *       volatile read ({@link #hasSubscribers()}). A registering watch increments {@code open} (volatile RMW),
 *       then waits until the sequencer word is even with volatile reads ({@link VersionedMap#awaitNoCommitInFlight()}),
 *       then reads the committed revision ({@link #register}). The release store may be reordered after the
 *       writer's read of {@code open} (store-load), but the CAS may not: both are volatile, so they are in the
 *       synchronization order. If the writer read {@code open} before the increment, its CAS precedes the
 *       registration's read of the word, which therefore sees {@code 2r+1} or later, and waiting for an even word
 *       makes it see {@code 2r+2} (read-read coherence): the watch finds the revision itself. Otherwise the
 *       writer sees the watch and signals. Without the wait, the watch read {@code 2r+1} as "revision r
 *       committed, nothing new" while the writer read "no watch": that lost wake-up was measured (11 of 88,705
 *       registrations racing a put, progress bookmarks off). The price is paid by the registering side (a read,
 *       or a wait as long as the commit in flight); the writer's path is unchanged: no fence on a write, and the
 *       read of {@code open} it already made (a plain load on x86 and a load-acquire on ARM) must stay volatile.
 *       {@code syncmap-jcstress} tests this pattern on the real classes, with a control without the wait.</li>
 *   <li><em>Commit vs dispatch.</em> A writer that saw a watcher fences, then reads {@code dispatchPending}; a
 *       dispatch clears {@code dispatchPending}, fences, then reads each watcher's state.</li>
 *   <li><em>Dispatch vs a running watcher.</em> A watcher leaving the running state stores IDLE, fences, then
 *       re-reads the committed revision.</li>
 * </ol>
 *
 * <p><b>Failures.</b> Every throwable of a delivery run (a listener's, or an Error reading the log) closes the
 * watch with {@link Watch#failure()} reporting it; a Flow subscriber gets {@code onError} (guarded: what it
 * throws goes to the thread's uncaught-exception handler). If the executor throws anything when handed a task,
 * the task's watch (or, for a dispatch, every watch) is closed with that exception as its failure, and its
 * failure callback runs on the calling thread (no other callback of that watch can run then): a watch whose
 * executor fails cannot promise delivery, so it says so. A writer that committed never throws because of the
 * executor, and the dispatch flag is reset, so later watches are woken again.
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

    private static final VarHandle DISPATCH_PENDING =
        VarHandles.field(MethodHandles.lookup(), WatchHub.class, "dispatchPending", int.class);
    private static final VarHandle STATE =
        VarHandles.field(MethodHandles.lookup(), WatchHub.Subscriber.class, "state", int.class);
    private static final VarHandle DEMAND =
        VarHandles.field(MethodHandles.lookup(), WatchHub.FlowSubscription.class, "demand", long.class);

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

    /**
     * Tells writers whether to {@link #signal()}; one volatile read, which must stay volatile: it is ordered after
     * the writer's sequencer CAS (the commit/registration handshake in the class notes).
     */
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
            Throwable refused = handOff(this::dispatch);
            if (refused != null) {
                DISPATCH_PENDING.setVolatile(this, 0);
                failAll(refused);
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

    /** Closes every open watch and subscription with {@code cause} as its failure, reported to each. */
    void failAll(Throwable cause) {
        for (Subscriber s : subscribers) {
            s.fail(cause);
        }
    }

    /* ---------------- Subscribing ---------------- */

    Watch watch(long afterRevision, WatchListener<K, V> listener) {
        ListenerWatch w = new ListenerWatch(afterRevision, listener);
        IllegalStateException broken = register(w);
        if (broken != null) {
            w.close();
            throw broken;
        }
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

    /**
     * Adds {@code s} to the open set, then waits out a commit in flight (the registration side of the
     * commit/registration handshake, see the class notes), so that {@code s}'s first look at the committed revision
     * sees every commit that did not see {@code s}. Returns the map's broken exception instead (s stays registered;
     * the caller closes it).
     */
    private IllegalStateException register(Subscriber s) {
        subscribers.add(s);
        open.incrementAndGet(); // volatile RMW: before the sequencer reads below in the synchronization order
        if (progressNanos > 0 && !timerStarted) {
            startTimer();
        }
        try {
            map.awaitNoCommitInFlight();
            return null;
        } catch (IllegalStateException broken) {
            return broken;
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

    /**
     * Hands {@code task} to the executor; returns what the executor threw (anything: a rejection, a broken
     * executor's exception, an Error creating a thread), or null if it took the task.
     */
    private Throwable handOff(Runnable task) {
        try {
            (executor != null ? executor : Defaults.EXECUTOR).execute(task);
            return null;
        } catch (Throwable refused) {
            return refused;
        }
    }

    /**
     * Reports a callback's exception without killing the executor's thread and without hiding it: to the current
     * thread's uncaught-exception handler. What the handler itself throws is ignored, as the JVM ignores it when
     * it calls the handler for a dying thread (there is nowhere left to report it).
     */
    private static void report(Throwable t) {
        Thread current = Thread.currentThread();
        try {
            current.getUncaughtExceptionHandler().uncaughtException(current, t);
        } catch (Throwable ignored) {
            // the last resort failed; see above
        }
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
                Throwable refused = handOff(this);
                if (refused != null) {
                    failed(refused);
                    signalFailure(refused); // this thread owns the actor (it won the CAS): no callback overlaps
                }
            }
        }

        /** Reads the log for a delivery (a fault site: the read allocates the changes). */
        final long readLog(long after, long upTo, List<Change<K, V>> out) {
            if (FaultHooks.ENABLED) {
                FaultHooks.reach(FaultHooks.Site.FEED_READ);
            }
            return log.read(after, upTo, MAX_DELIVERY, out);
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
                try {
                    deliver();
                } catch (Throwable t) { // not a callback's (deliver handles those): an Error reading the log
                    failed(t);
                    signalFailure(t);
                    return;
                }
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
                Throwable refused = handOff(this);
                if (refused != null) {
                    close();
                    signalFailure(failure); // this thread owns the actor (it won the CAS): no callback overlaps
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
                    last = readLog(cursor, committed, chunk);
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
            IllegalStateException broken = register(this);
            try {
                subscriber.onSubscribe(this);
            } catch (Throwable t) {
                failed(t);
                report(t);
                return;
            }
            if (broken != null) { // rule 1.9: onSubscribe first, then the error
                failed(broken);
                signalFailure(broken);
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
                        cursor = readLog(cursor, committed, pending);
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
