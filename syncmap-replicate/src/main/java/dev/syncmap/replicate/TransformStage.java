package dev.syncmap.replicate;

import java.util.List;

import com.lmax.disruptor.EventHandler;

/** The transform stage: runs the transformers over each change, in order; a null result drops the change. */
final class TransformStage<K, V> implements EventHandler<RingEvent<K, V>> {

    private final List<Transformer<K, V>> transformers;

    TransformStage(List<Transformer<K, V>> transformers) {
        this.transformers = List.copyOf(transformers);
    }

    @Override
    public void onEvent(RingEvent<K, V> ev, long sequence, boolean endOfBatch) {
        Envelope<K, V> e = ev.envelope;
        if (ev.kind != Envelope.Kind.CHANGE || e == null) {
            return;
        }
        for (int i = 0, n = transformers.size(); i < n && e != null; i++) {
            e = transformers.get(i).apply(e);
            if (e != null && (e.kind() != Envelope.Kind.CHANGE || e.key() == null)) {
                throw new IllegalStateException("transformer " + transformers.get(i) + " turned a change into "
                    + e + "; a transformer may change key, value and expiry, and may drop a change (null)");
            }
        }
        ev.envelope = e;
    }
}
