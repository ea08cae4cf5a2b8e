package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The change feed against etcd's watch guarantees: ordered, unique, reliable, atomic, resumable, bookmarked. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VersionedMapFeedTest {

    static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    /** Records every delivery; thread-confined to the watch's callbacks, read after it caught up. */
    static final class Recorder implements WatchListener<Integer, Integer> {
        final List<List<Change<Integer, Integer>>> deliveries = Collections.synchronizedList(new ArrayList<>());
        final ConcurrentLinkedQueue<Long> progress = new ConcurrentLinkedQueue<>();
        final AtomicReference<CompactedException> fellBehind = new AtomicReference<>();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicBoolean overlapped = new AtomicBoolean();

        @Override
        public void onChanges(List<Change<Integer, Integer>> changes) {
            if (concurrent.incrementAndGet() != 1) {
                overlapped.set(true);
            }
            deliveries.add(changes);
            concurrent.decrementAndGet();
        }

        @Override
        public void onProgress(long revision) {
            progress.add(revision);
        }

        @Override
        public void onFellBehind(CompactedException cause) {
            fellBehind.set(cause);
        }

        List<Change<Integer, Integer>> all() {
            synchronized (deliveries) {
                return deliveries.stream().flatMap(List::stream).collect(Collectors.toList());
            }
        }
    }

    @Test
    void feedOracleManyWritersManyWatchers() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().historyCount(1 << 22)
            .historyBytes(Long.MAX_VALUE).build();
        int watchers = 4;
        List<Recorder> recorders = new ArrayList<>();
        List<Watch> watches = new ArrayList<>();
        for (int i = 0; i < watchers; i++) {
            Recorder r = new Recorder();
            recorders.add(r);
            watches.add(m.watch(0, r));
        }
        VersionedMapConcurrencyTest.Workers w = new VersionedMapConcurrencyTest.Workers().start(3, (id, rnd) -> {
            int k = rnd.nextInt(200);
            switch (rnd.nextInt(8)) {
                case 0 -> m.remove(k);
                case 1 -> m.putAll(Map.of(k, rnd.nextInt(), k + 200, rnd.nextInt(), k + 400, rnd.nextInt()));
                case 2 -> m.merge(k, 1, Integer::sum);
                case 3 -> {
                    if (rnd.nextInt(100) == 0) {
                        m.clear();
                    }
                }
                case 4 -> {
                    if (rnd.nextInt(50) == 0) {
                        m.replaceAll((kk, v) -> v + 1);
                    }
                }
                default -> m.put(k, rnd.nextInt());
            }
        });
        // a late watcher joins from the middle of the history
        Thread.sleep(300);
        long joinAt = m.revision();
        Recorder late = new Recorder();
        Watch lateWatch = m.watch(joinAt, late);
        Thread.sleep(700);
        w.stopAndJoin();
        long finalRevision = m.revision();
        VersionedSnapshot<Integer, Integer> end = m.snapshot();
        await("watchers to catch up", 60,
            () -> watches.stream().allMatch(x -> x.revision() == finalRevision) && lateWatch.revision() == finalRevision);

        List<Change<Integer, Integer>> reference = m.changesSince(0);
        for (Recorder r : recorders) {
            assertFalse(r.overlapped.get(), "callbacks overlapped");
            assertNull(r.fellBehind.get());
            List<Change<Integer, Integer>> seen = r.all();
            assertEquals(reference, seen, "every watcher sees the same sequence as changesSince(0)");
            assertWholeRevisions(r.deliveries);
        }
        assertEquals(reference.stream().filter(c -> c.revision() > joinAt).collect(Collectors.toList()), late.all());
        assertWholeRevisions(late.deliveries);

        // ordered, gap-free, batches consecutive
        long expected = 1;
        Set<Long> closed = new HashSet<>();
        long current = 0;
        for (Change<Integer, Integer> c : reference) {
            if (c.revision() != current) {
                assertTrue(closed.add(current), "revision " + current + " split in the sequence");
                assertEquals(expected, c.revision(), "gap or disorder");
                current = c.revision();
                expected++;
            }
        }
        assertEquals(finalRevision, current);

        // replay equals the final snapshot
        Map<Integer, Integer> replay = new HashMap<>();
        for (Change<Integer, Integer> c : recorders.get(0).all()) {
            Integer prev = c.newValue() == null ? replay.remove(c.key()) : replay.put(c.key(), c.newValue());
            assertEquals(c.oldValue(), prev, "change does not follow its predecessor: " + c);
        }
        assertEquals(end, replay);
        watches.forEach(Watch::close);
        lateWatch.close();
        assertEquals(0, m.watcherCount());
    }

    /** No revision appears in two deliveries. */
    static void assertWholeRevisions(List<List<Change<Integer, Integer>>> deliveries) {
        Map<Long, Integer> deliveryOf = new HashMap<>();
        synchronized (deliveries) {
            for (int d = 0; d < deliveries.size(); d++) {
                assertFalse(deliveries.get(d).isEmpty(), "empty delivery");
                for (Change<Integer, Integer> c : deliveries.get(d)) {
                    Integer prev = deliveryOf.putIfAbsent(c.revision(), d);
                    if (prev != null && prev != d) {
                        throw new AssertionError("revision " + c.revision() + " split across deliveries " + prev
                            + " and " + d);
                    }
                }
            }
        }
    }

    @Test
    void aBatchLargerThanTheDeliverySizeIsNeverSplit() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        Recorder r = new Recorder();
        Watch watch = m.watch(0, r);
        Map<Integer, Integer> big = new HashMap<>();
        for (int i = 0; i < WatchHub.MAX_DELIVERY * 3; i++) {
            big.put(i, i);
        }
        m.put(-1, -1);
        m.putAll(big);
        m.put(-2, -2);
        await("delivery", 20, () -> watch.revision() == 3);
        assertWholeRevisions(r.deliveries);
        assertEquals(big.size() + 2, r.all().size());
        watch.close();
    }

    @Test
    void aSlowWatcherNeverBlocksWritersFallsBehindAndResumes() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().historyCount(100).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inCallback = new CountDownLatch(1);
        AtomicReference<CompactedException> behind = new AtomicReference<>();
        Watch slow = m.watch(0, new WatchListener<>() {
            @Override
            public void onChanges(List<Change<Integer, Integer>> changes) {
                inCallback.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onFellBehind(CompactedException cause) {
                behind.set(cause);
            }
        });
        m.put(0, 0);
        assertTrue(inCallback.await(10, TimeUnit.SECONDS));
        // the watcher is stuck in its callback; writers must go on at full speed
        long t0 = System.nanoTime();
        for (int i = 1; i <= 100_000; i++) {
            m.put(i % 1000, i);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis < 10_000, "writers slowed down by a stuck watcher: " + millis + " ms");
        assertEquals(100_001, m.revision());
        assertTrue(m.oldestRetainedRevision() > 2);
        release.countDown();
        await("fell behind", 20, () -> behind.get() != null);
        assertFalse(slow.isOpen());
        assertSame(behind.get(), slow.failure());
        assertEquals(1, behind.get().requestedRevision());
        assertTrue(behind.get().oldestRetainedRevision() > 2);
        assertEquals(0, m.watcherCount());

        // resume: snapshot, then watch from its revision
        VersionedSnapshot<Integer, Integer> s = m.snapshot();
        Map<Integer, Integer> replica = new HashMap<>(s);
        Watch resumed = m.watch(s.revision(), changes -> changes.forEach(c -> {
            if (c.newValue() == null) {
                replica.remove(c.key());
            } else {
                replica.put(c.key(), c.newValue());
            }
        }));
        for (int i = 0; i < 50; i++) {
            m.put(i, -i);
        }
        long target = m.revision();
        await("resumed watch", 20, () -> resumed.revision() == target);
        assertEquals(m, replica);
        resumed.close();
    }

    @Test
    void resumingFromAnyRetainedRevisionDeliversExactlyTheRest() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        for (int i = 0; i < 100; i++) {
            m.put(i % 10, i);
        }
        for (long from : new long[] {0, 1, 50, 99, 100}) {
            Recorder r = new Recorder();
            Watch w = m.watch(from, r);
            await("catch up from " + from, 20, () -> w.revision() == 100);
            w.close();
            assertEquals(m.changesSince(from), r.all());
        }
    }

    @Test
    void aWatchFromAFutureRevisionStartsThere() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        Recorder r = new Recorder();
        Watch w = m.watch(3, r);
        for (int i = 1; i <= 5; i++) {
            m.put(i, i);
        }
        await("delivery", 20, () -> w.revision() == 5);
        assertEquals(List.of(4L, 5L), r.all().stream().map(Change::revision).collect(Collectors.toList()));
        w.close();
    }

    @Test
    void idleWatchesGetProgressBookmarks() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder()
            .progressInterval(Duration.ofMillis(30)).build();
        m.put(1, 1);
        m.put(2, 2);
        Recorder r = new Recorder();
        Watch w = m.watch(0, r);
        await("bookmark", 20, () -> !r.progress.isEmpty());
        assertEquals(2L, r.progress.peek(), "a bookmark carries the revision reached");
        assertEquals(2, r.all().size(), "changes come before the bookmark that covers them");
        m.put(3, 3);
        await("bookmark at 3", 20, () -> r.progress.contains(3L));
        w.close();
        int seen = r.progress.size();
        Thread.sleep(150);
        assertTrue(r.progress.size() <= seen + 1, "bookmarks after close");

        VersionedMap<Integer, Integer> quiet = VersionedMap.<Integer, Integer>builder()
            .progressInterval(Duration.ZERO).build();
        Recorder q = new Recorder();
        Watch qw = quiet.watch(0, q);
        Thread.sleep(200);
        assertTrue(q.progress.isEmpty());
        qw.close();
    }

    @Test
    void aThrowingListenerEndsItsWatchAndIsReported() throws Exception {
        ExecutorService exec = Executors.newSingleThreadExecutor();
        try {
            VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().executor(exec).build();
            AtomicReference<Throwable> reported = new AtomicReference<>();
            exec.submit(() -> Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.set(e))).get();
            RuntimeException boom = new IllegalStateException("boom");
            Watch w = m.watch(0, changes -> {
                throw boom;
            });
            Recorder other = new Recorder();
            Watch ok = m.watch(0, other);
            m.put(1, 1);
            await("failure", 20, () -> !w.isOpen());
            assertSame(boom, w.failure());
            await("report", 20, () -> reported.get() != null);
            assertSame(boom, reported.get());
            m.put(2, 2);
            await("other watch", 20, () -> ok.revision() == 2);
            ok.close();
        } finally {
            exec.shutdownNow();
        }
    }

    @Test
    void closingStopsDeliveries() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        Recorder r = new Recorder();
        Watch w = m.watch(0, r);
        m.put(1, 1);
        await("first", 20, () -> w.revision() == 1);
        w.close();
        w.close(); // idempotent
        assertFalse(w.isOpen());
        assertNull(w.failure());
        m.put(2, 2);
        Thread.sleep(100);
        assertEquals(1, r.all().size());
        assertEquals(0, m.watcherCount());
    }

    /* ---------------- Flow.Publisher ---------------- */

    /** A subscriber that records signals and requests only what the test says. */
    static final class TestSubscriber implements Flow.Subscriber<Change<Integer, Integer>> {
        final LinkedBlockingQueue<Object> signals = new LinkedBlockingQueue<>();
        volatile Flow.Subscription subscription;
        final long initialRequest;

        TestSubscriber(long initialRequest) {
            this.initialRequest = initialRequest;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            signals.add("subscribed");
            if (initialRequest > 0) {
                s.request(initialRequest);
            }
        }

        @Override
        public void onNext(Change<Integer, Integer> item) {
            signals.add(item);
        }

        @Override
        public void onError(Throwable t) {
            signals.add(t);
        }

        @Override
        public void onComplete() {
            signals.add("complete");
        }

        Object next() throws InterruptedException {
            Object o = signals.poll(20, TimeUnit.SECONDS);
            if (o == null) {
                throw new AssertionError("no signal");
            }
            return o;
        }
    }

    @Test
    void thePublisherHonoursDemand() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        for (int i = 1; i <= 10; i++) {
            m.put(i, i);
        }
        TestSubscriber sub = new TestSubscriber(3);
        m.publisher(0).subscribe(sub);
        assertEquals("subscribed", sub.next());
        for (int i = 1; i <= 3; i++) {
            assertEquals(new Change<>(i, i, null, i), sub.next());
        }
        Thread.sleep(100);
        assertTrue(sub.signals.isEmpty(), "delivered beyond demand: " + sub.signals);
        sub.subscription.request(2);
        assertEquals(4L, ((Change<?, ?>) sub.next()).revision());
        assertEquals(5L, ((Change<?, ?>) sub.next()).revision());
        Thread.sleep(100);
        assertTrue(sub.signals.isEmpty());
        sub.subscription.request(Long.MAX_VALUE);
        for (int i = 6; i <= 10; i++) {
            assertEquals((long) i, ((Change<?, ?>) sub.next()).revision());
        }
        m.putAll(Map.of(20, 20, 21, 21));
        Change<?, ?> a = (Change<?, ?>) sub.next();
        Change<?, ?> b = (Change<?, ?>) sub.next();
        assertEquals(11L, a.revision());
        assertEquals(11L, b.revision());
        sub.subscription.cancel();
        m.put(30, 30);
        Thread.sleep(100);
        assertTrue(sub.signals.isEmpty());
        assertEquals(0, m.watcherCount());
    }

    @Test
    void aBatchCanBeSplitAcrossRequestsButStaysInOrder() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        Map<Integer, Integer> batch = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            batch.put(i, i);
        }
        m.putAll(batch);
        m.put(99, 99);
        TestSubscriber sub = new TestSubscriber(2);
        m.publisher(0).subscribe(sub);
        sub.next();
        Set<Object> keys = new HashSet<>();
        keys.add(((Change<?, ?>) sub.next()).key());
        keys.add(((Change<?, ?>) sub.next()).key());
        sub.subscription.request(10);
        for (int i = 0; i < 3; i++) {
            Change<?, ?> c = (Change<?, ?>) sub.next();
            assertEquals(1L, c.revision());
            keys.add(c.key());
        }
        assertEquals(batch.keySet(), keys);
        assertEquals(2L, ((Change<?, ?>) sub.next()).revision());
        sub.subscription.cancel();
    }

    @Test
    void aNonPositiveRequestFailsTheSubscription() throws Exception {
        VersionedMap<Integer, Integer> m = new VersionedMap<>();
        m.put(1, 1);
        TestSubscriber sub = new TestSubscriber(0);
        m.publisher(0).subscribe(sub);
        sub.next();
        sub.subscription.request(0);
        assertInstanceOf(IllegalArgumentException.class, sub.next());
        m.put(2, 2);
        sub.subscription.request(5);
        Thread.sleep(100);
        assertTrue(sub.signals.isEmpty(), "signals after onError: " + sub.signals);
        assertEquals(0, m.watcherCount());
    }

    @Test
    void aSubscriberBehindTheHistoryGetsCompactedException() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().historyCount(5).build();
        for (int i = 0; i < 20; i++) {
            m.put(i, i);
        }
        TestSubscriber sub = new TestSubscriber(1);
        m.publisher(2).subscribe(sub);
        sub.next();
        CompactedException e = assertInstanceOf(CompactedException.class, sub.next());
        assertEquals(2, e.requestedRevision());
        assertEquals(16, e.oldestRetainedRevision());
    }

    @Test
    void publisherDeliversEverythingUnderConcurrentWriters() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().historyCount(1 << 22).historyBytes(Long.MAX_VALUE).build();
        List<Change<Integer, Integer>> got = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Flow.Subscription> subRef = new AtomicReference<>();
        m.publisher(0).subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subRef.set(s);
                s.request(7);
            }

            @Override
            public void onNext(Change<Integer, Integer> item) {
                got.add(item);
                if (got.size() % 7 == 0) {
                    subRef.get().request(7); // trickle demand
                }
            }

            @Override
            public void onError(Throwable t) {
                got.add(null);
            }

            @Override
            public void onComplete() {
            }
        });
        VersionedMapConcurrencyTest.Workers w = new VersionedMapConcurrencyTest.Workers().start(2, (id, rnd) -> {
            int k = rnd.nextInt(100);
            if (rnd.nextInt(10) == 0) {
                m.putAll(Map.of(k, 1, k + 100, 2));
            } else {
                m.put(k, rnd.nextInt());
            }
        });
        Thread.sleep(500);
        w.stopAndJoin();
        List<Change<Integer, Integer>> reference = m.changesSince(0);
        await("publisher to catch up", 60, () -> got.size() >= reference.size());
        assertTrue(got.stream().allMatch(Objects::nonNull), "onError");
        assertEquals(reference, new ArrayList<>(got));
        subRef.get().cancel();
    }
}
