package dev.syncmap.testkit;

import dev.syncmap.Change;
import dev.syncmap.CompactedException;
import dev.syncmap.Watch;
import dev.syncmap.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * A follower of a {@code VersionedMap}'s feed, as a {@link WatchListener} or a {@link Flow.Subscriber}: records
 * every change it is handed and, when armed, throws from its next callback (once).
 */
final class FeedRecorder implements WatchListener<FaultKey, Integer>, Flow.Subscriber<Change<FaultKey, Integer>> {

    final String name;
    /** The revision it follows from (exclusive). */
    final long after;
    private final List<Change<FaultKey, Integer>> received = new ArrayList<>();
    /** Highest revision handed to it. */
    private volatile long reached;
    private volatile Fault armed;
    /** The fault it threw, once it did. */
    private volatile Fault threw;
    private volatile Throwable onError;
    private volatile Watch watch;

    FeedRecorder(String name, long after) {
        this.name = name;
        this.after = after;
        this.reached = after;
    }

    void attach(Watch w) {
        watch = w;
    }

    /** Makes the next callback throw {@code fault}. */
    void arm(Fault fault) {
        armed = fault;
    }

    Fault threw() {
        return threw;
    }

    long reached() {
        return reached;
    }

    /** The watch, for a listener; null for a subscriber. */
    Watch watch() {
        return watch;
    }

    /** What the publisher signalled with {@code onError}, or null. */
    Throwable onError() {
        return onError;
    }

    synchronized List<Change<FaultKey, Integer>> received() {
        return List.copyOf(received);
    }

    @Override
    public void onChanges(List<Change<FaultKey, Integer>> changes) {
        take(changes);
    }

    @Override
    public void onFellBehind(CompactedException cause) {
        onError = cause;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Change<FaultKey, Integer> item) {
        take(List.of(item));
    }

    @Override
    public void onError(Throwable throwable) {
        onError = throwable;
    }

    @Override
    public void onComplete() {
        onError = new IllegalStateException("the feed completed, but it never should");
    }

    private void take(List<Change<FaultKey, Integer>> changes) {
        synchronized (this) {
            received.addAll(changes);
        }
        reached = changes.get(changes.size() - 1).revision();
        Fault f = armed;
        if (f != null) {
            armed = null;
            threw = f;
            f.fire();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
