package dev.syncmap.replicate;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A replica sink for the outage and overload tests: it can be taken down (writes throw, it reports unhealthy),
 * slowed, or made to fail a share of writes; it records, per key, the revisions it applied outside anchors and
 * counts any that did not increase (a per-key order violation).
 */
final class TestSink implements Sink<Integer, String> {

    final MapReplicaSink<Integer, String> replica;
    final ConcurrentHashMap<Integer, String> map = new ConcurrentHashMap<>();
    volatile boolean down;
    volatile boolean unhealthy;
    volatile long delayNanos;
    /** Fail this share of writes (0..1) while reporting healthy. */
    volatile double failShare;
    volatile boolean compression;
    final AtomicLong writes = new AtomicLong();
    final AtomicLong failedWrites = new AtomicLong();
    final AtomicInteger orderViolations = new AtomicInteger();
    final AtomicLong changesSeen = new AtomicLong();
    private final Map<Integer, Long> lastRevision = new ConcurrentHashMap<>();
    private boolean inAnchor;
    volatile String firstViolation;

    TestSink(String name) {
        replica = new MapReplicaSink<>(name, map);
    }

    @Override
    public String name() {
        return replica.name();
    }

    @Override
    public void write(List<Envelope<Integer, String>> batch) throws Exception {
        writes.incrementAndGet();
        if (down || failShare > 0 && java.util.concurrent.ThreadLocalRandom.current().nextDouble() < failShare) {
            failedWrites.incrementAndGet();
            throw new java.io.IOException("sink " + name() + " is down");
        }
        long d = delayNanos;
        if (d > 0) {
            LockSupport.parkNanos(d);
        }
        for (Envelope<Integer, String> e : batch) {
            switch (e.kind()) {
                case ANCHOR_START:
                    inAnchor = true;
                    lastRevision.clear();
                    break;
                case ANCHOR_END:
                    inAnchor = false;
                    break;
                default:
                    changesSeen.incrementAndGet();
                    if (!inAnchor) {
                        Long prev = lastRevision.put(e.key(), e.originRevision());
                        if (prev != null && prev >= e.originRevision()) {
                            if (orderViolations.getAndIncrement() == 0) {
                                firstViolation = "key " + e.key() + ": revision " + e.originRevision() + " after "
                                    + prev;
                            }
                        }
                    }
                    break;
            }
        }
        replica.write(batch);
    }

    @Override
    public boolean isHealthy() {
        return !down && !unhealthy;
    }

    @Override
    public void setCompression(boolean on) {
        compression = on;
    }

    @Override
    public void onIdle() {
        replica.onIdle();
    }
}
