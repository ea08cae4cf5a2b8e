package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Snapshot linearizability and the restart recipe under concurrent writers. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VersionedMapConcurrencyTest {

    /** Runs {@code body} on {@code n} threads until {@code stop} is set; rethrows the first failure. */
    static final class Workers {
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean stop = new AtomicBoolean();

        interface Body {
            void run(int id, Random rnd) throws Exception;
        }

        Workers start(int n, Body body) {
            for (int t = 0; t < n; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    Random rnd = new Random(1234 + id);
                    try {
                        while (!stop.get()) {
                            body.run(id, rnd);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        stop.set(true);
                    }
                }, "worker-" + id);
                threads.add(th);
                th.start();
            }
            return this;
        }

        void stopAndJoin() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            Throwable f = failure.get();
            if (f != null) {
                throw new AssertionError("worker failed", f);
            }
        }
    }

    @Test
    void snapshotsNeverSeeHalfABatch() throws Exception {
        // each writer owns 10 keys and moves amounts between two of them with putAll: the total never changes
        int writers = 3;
        int keysPerWriter = 10;
        VersionedMap<Integer, Long> m = new VersionedMap<>();
        Map<Integer, Long> init = new HashMap<>();
        for (int k = 0; k < writers * keysPerWriter; k++) {
            init.put(k, 100L);
        }
        m.putAll(init);
        long total = 100L * writers * keysPerWriter;
        Workers w = new Workers().start(writers, (id, rnd) -> {
            int a = id * keysPerWriter + rnd.nextInt(keysPerWriter);
            int b = id * keysPerWriter + rnd.nextInt(keysPerWriter);
            if (a != b) {
                long amount = rnd.nextInt(50);
                m.putAll(Map.of(a, m.get(a) - amount, b, m.get(b) + amount));
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int checked = 0;
        long lastRevision = -1;
        while (System.nanoTime() < deadline && !w.stop.get()) {
            VersionedSnapshot<Integer, Long> s = m.snapshot();
            assertTrue(s.revision() >= lastRevision, "snapshot revisions go backwards");
            lastRevision = s.revision();
            long sum = 0;
            int n = 0;
            for (long v : s.values()) {
                sum += v;
                n++;
            }
            assertEquals(total, sum, "a snapshot saw part of a batch at revision " + s.revision());
            assertEquals(n, s.size());
            assertEquals(writers * keysPerWriter, s.size());
            checked++;
        }
        w.stopAndJoin();
        assertTrue(checked > 10, "too few snapshots checked: " + checked);
        assertEquals(total, m.values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void reloadIsAllOrNothingForSnapshots() throws Exception {
        Map<String, Integer> a = new HashMap<>();
        Map<String, Integer> b = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            a.put("k" + i, 1);
            b.put("k" + (i + 100), 2); // half overlapping keys, other values
        }
        VersionedMap<String, Integer> m = new VersionedMap<>();
        m.reload(a);
        Workers w = new Workers().start(1, (id, rnd) -> {
            m.reload(b);
            m.reload(a);
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int seenA = 0;
        int seenB = 0;
        while (System.nanoTime() < deadline && !w.stop.get()) {
            VersionedSnapshot<String, Integer> s = m.snapshot();
            if (s.equals(a)) {
                seenA++;
            } else if (s.equals(b)) {
                seenB++;
            } else {
                fail("torn reload at revision " + s.revision() + ": size " + s.size());
            }
            assertEquals(200, s.size());
            assertEquals(200, m.size());
        }
        w.stopAndJoin();
        assertTrue(seenA > 0 && seenB > 0, "saw a=" + seenA + " b=" + seenB);
    }

    @Test
    void snapshotsAndGetsAgreeInRealTimeOrder() throws Exception {
        // every key's value only grows; what a get saw before a snapshot the snapshot must show (or newer),
        // and what a snapshot showed a later get must show (or newer)
        int keys = 64;
        VersionedMap<Integer, Long> m = new VersionedMap<>();
        for (int k = 0; k < keys; k++) {
            m.put(k, 0L);
        }
        AtomicLong clock = new AtomicLong();
        Workers writers = new Workers().start(2, (id, rnd) -> {
            int k = rnd.nextInt(keys);
            m.merge(k, clock.incrementAndGet(), Math::max);
        });
        Workers readers = new Workers().start(2, (id, rnd) -> {
            int k = rnd.nextInt(keys);
            long before = m.get(k);
            VersionedSnapshot<Integer, Long> s = m.snapshot();
            long inSnap = s.get(k);
            long after = m.get(k);
            if (inSnap < before || after < inSnap) {
                throw new AssertionError("key " + k + ": get " + before + ", then snapshot@" + s.revision()
                    + " " + inSnap + ", then get " + after);
            }
            long r = m.revision();
            if (r < s.revision()) {
                throw new AssertionError("revision() " + r + " after a snapshot at " + s.revision());
            }
        });
        Thread.sleep(2_000);
        readers.stopAndJoin();
        writers.stopAndJoin();
    }

    @Test
    void snapshotsSeePrefixesOfEachWritersInsertsWhileTheTableGrows() throws Exception {
        // each writer inserts its keys in order, so any consistent cut holds a prefix of each writer's keys;
        // the table resizes many times meanwhile (the nodes move to new tables under the snapshots)
        VersionedMap<Long, Long> m = new VersionedMap<>();
        int writers = 2;
        long[] next = new long[writers];
        Workers w = new Workers().start(writers, (id, rnd) -> {
            long i = next[id]++;
            m.put(id * 1_000_000_000L + i, i);
            if (i % 7 == 0 && i > 0) {
                m.remove(id * 1_000_000_000L + i - 1); // holes are fine if they are the writer's own removals
                m.put(id * 1_000_000_000L + i - 1, i - 1);
            }
            if (i >= 300_000) {
                Thread.sleep(1);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int checked = 0;
        while (System.nanoTime() < deadline && !w.stop.get()) {
            VersionedSnapshot<Long, Long> s = m.snapshot();
            long[] max = new long[writers];
            java.util.Arrays.fill(max, -1);
            int n = 0;
            for (Long k : s.keySet()) {
                int id = (int) (k / 1_000_000_000L);
                max[id] = Math.max(max[id], k % 1_000_000_000L);
                n++;
            }
            assertEquals(s.size(), n, "size and iteration disagree at revision " + s.revision());
            long expected = 0;
            for (int id = 0; id < writers; id++) {
                expected += max[id] + 1;
                for (long i = 0; i <= max[id] - 2; i += 997) { // the last two may be a transient own removal
                    assertEquals(i, s.get(id * 1_000_000_000L + i), "hole in writer " + id + "'s prefix");
                }
            }
            assertTrue(n == expected || n == expected - 1 || n == expected - 2,
                "not a prefix per writer: " + n + " keys, prefixes sum to " + expected);
            checked++;
        }
        w.stopAndJoin();
        assertTrue(checked > 3, "checked " + checked);
    }

    @Test
    void restartRecipeSnapshotThenChangesSinceIsGapFree() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().historyCount(1 << 20).historyBytes(Long.MAX_VALUE).build();
        Workers w = new Workers().start(3, (id, rnd) -> {
            int k = rnd.nextInt(500);
            switch (rnd.nextInt(5)) {
                case 0 -> m.remove(k);
                case 1 -> m.putAll(Map.of(k, rnd.nextInt(), k + 500, rnd.nextInt()));
                case 2 -> m.compute(k, (kk, v) -> v == null ? Integer.valueOf(1) : v % 3 == 0 ? null : Integer.valueOf(v + 1));
                default -> m.put(k, rnd.nextInt());
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        int rounds = 0;
        while (rounds < 30 && System.nanoTime() < deadline && !w.stop.get()) {
            VersionedSnapshot<Integer, Integer> start = m.snapshot();
            Map<Integer, Integer> replica = new HashMap<>(start);
            Thread.sleep(1); // writers go on
            VersionedSnapshot<Integer, Integer> end = m.snapshot();
            long expectedNext = start.revision() + 1;
            for (Change<Integer, Integer> c : m.changesSince(start.revision())) {
                if (c.revision() > end.revision()) {
                    break;
                }
                if (c.revision() != expectedNext && c.revision() != expectedNext - 1) {
                    fail("gap: expected revision " + expectedNext + " got " + c.revision());
                }
                expectedNext = c.revision() + 1;
                Integer previous = c.newValue() == null ? replica.remove(c.key()) : replica.put(c.key(), c.newValue());
                assertEquals(c.oldValue(), previous, "change " + c + " does not follow the replica's state");
            }
            assertEquals(end.revision() + 1, expectedNext);
            assertEquals(end, replica, "snapshot at " + start.revision() + " + feed != snapshot at " + end.revision());
            rounds++;
        }
        w.stopAndJoin();
        assertTrue(rounds >= 3, "rounds: " + rounds);
    }

    @Test
    void restartRecipeSnapshotThenWatchIsGapFree() throws Exception {
        VersionedMap<Integer, Integer> m = VersionedMap.<Integer, Integer>builder().historyCount(1 << 20).historyBytes(Long.MAX_VALUE).build();
        Workers w = new Workers().start(2, (id, rnd) -> {
            int k = rnd.nextInt(300);
            if (rnd.nextBoolean()) {
                m.remove(k);
            } else {
                m.put(k, rnd.nextInt());
            }
        });
        Thread.sleep(200);
        VersionedSnapshot<Integer, Integer> s = m.snapshot();
        Map<Integer, Integer> replica = new HashMap<>(s);
        ConcurrentLinkedQueue<Throwable> problems = new ConcurrentLinkedQueue<>();
        Watch watch = m.watch(s.revision(), new WatchListener<>() {
            long expected = s.revision() + 1;

            @Override
            public void onChanges(List<Change<Integer, Integer>> changes) {
                for (Change<Integer, Integer> c : changes) {
                    if (c.revision() != expected) {
                        problems.add(new AssertionError("expected " + expected + " got " + c.revision()));
                    }
                    expected++;
                    Integer prev = c.newValue() == null ? replica.remove(c.key()) : replica.put(c.key(), c.newValue());
                    if (!java.util.Objects.equals(prev, c.oldValue())) {
                        problems.add(new AssertionError("change " + c + " found " + prev));
                    }
                }
            }
        });
        Thread.sleep(1_000);
        w.stopAndJoin();
        long target = m.revision();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (watch.revision() < target && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(target, watch.revision(), "watch did not catch up");
        watch.close();
        assertTrue(problems.isEmpty(), () -> problems.peek().getMessage());
        assertEquals(m, replica);
        assertNull(watch.failure());
    }
}
