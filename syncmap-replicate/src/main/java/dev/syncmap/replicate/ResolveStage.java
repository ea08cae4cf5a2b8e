package dev.syncmap.replicate;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.lmax.disruptor.EventHandler;

/**
 * The resolve stage: folds the changes to one key within one ring batch into one, with the active resolver, so
 * the sinks write each key once per batch (a hot key written a thousand times while a sink was slow costs it one
 * write). Exact because resolvers are associative (see {@link ConflictResolver}): resolving the fold against the
 * replica's version equals resolving each change in turn. Only folds whose result is one of the two changes
 * (every resolver but the CRDT counters' merges of different origins) are done; the others pass both on.
 *
 * <p>Safe to rewrite earlier slots of the batch because a Disruptor event processor publishes its sequence
 * only after the last event of the batch: the sinks cannot have read them yet. Anchor markers end a fold (an
 * anchor's entries are never folded with changes around it).
 */
final class ResolveStage<K, V> implements EventHandler<RingEvent<K, V>> {

    private final Supplier<ResolverPolicy<K, V>> policy;
    private final Map<K, RingEvent<K, V>> open = new HashMap<>();
    private long folded;
    private volatile long foldedPublished;

    ResolveStage(Supplier<ResolverPolicy<K, V>> policy) {
        this.policy = policy;
    }

    @Override
    public void onEvent(RingEvent<K, V> ev, long sequence, boolean endOfBatch) {
        Envelope<K, V> e = ev.envelope;
        if (ev.kind != Envelope.Kind.CHANGE) {
            open.clear();
        } else if (e != null) {
            RingEvent<K, V> prev = open.put(e.key(), ev);
            Envelope<K, V> p = prev == null ? null : prev.envelope;
            if (p != null && p.origin().equals(e.origin())) {
                Versioned<V> a = p.toVersioned();
                Versioned<V> b = e.toVersioned();
                Versioned<V> r = policy.get().active().resolve(e.key(), a, b);
                if (r == b) {
                    prev.envelope = null;
                    folded++;
                } else if (r == a) {
                    prev.envelope = null;
                    ev.envelope = p;
                    folded++;
                }
            }
        }
        if (endOfBatch) {
            open.clear();
            foldedPublished = folded;
        }
    }

    long folded() {
        return foldedPublished;
    }
}
