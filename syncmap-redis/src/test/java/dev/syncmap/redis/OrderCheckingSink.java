package dev.syncmap.redis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.syncmap.replicate.AnchorRequest;
import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.Sink;

/**
 * Wraps a sink and checks the order of what it was given to write successfully: outside anchors, each key's
 * revisions must increase (a spill drained out of order would break it). Everything else is forwarded.
 */
final class OrderCheckingSink<V> implements Sink<Integer, V> {

    private final Sink<Integer, V> target;
    private final Map<Integer, Long> last = new ConcurrentHashMap<>();
    final AtomicInteger violations = new AtomicInteger();
    volatile String firstViolation;
    private boolean inAnchor;

    OrderCheckingSink(Sink<Integer, V> target) {
        this.target = target;
    }

    @Override
    public String name() {
        return target.name();
    }

    @Override
    public void write(List<Envelope<Integer, V>> batch) throws Exception {
        target.write(batch);
        for (Envelope<Integer, V> e : batch) {
            switch (e.kind()) {
                case ANCHOR_START:
                    inAnchor = true;
                    last.clear();
                    break;
                case ANCHOR_END:
                    inAnchor = false;
                    break;
                default:
                    if (!inAnchor) {
                        Long prev = last.put(e.key(), e.originRevision());
                        if (prev != null && prev > e.originRevision() && violations.getAndIncrement() == 0) {
                            firstViolation = "key " + e.key() + ": revision " + e.originRevision() + " after " + prev;
                        }
                    }
                    break;
            }
        }
    }

    @Override
    public void flush() throws Exception {
        target.flush();
    }

    @Override
    public boolean isHealthy() {
        return target.isHealthy();
    }

    @Override
    public boolean startsEmpty() {
        return target.startsEmpty();
    }

    @Override
    public void onIdle() {
        target.onIdle();
    }

    @Override
    public void anchorRequests(AnchorRequest request) {
        target.anchorRequests(request);
    }

    @Override
    public void close() {
        target.close();
    }
}
