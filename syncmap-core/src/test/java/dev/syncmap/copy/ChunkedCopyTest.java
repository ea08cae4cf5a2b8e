package dev.syncmap.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.ChunkedSource;
import dev.syncmap.LockedMap;
import dev.syncmap.StripedMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ChunkedCopyTest {

    private static <M extends Map<Integer, Integer>> M fill(M map, int n) {
        for (int i = 0; i < n; i++) {
            map.put(i, i);
        }
        return map;
    }

    @Test
    void lockIsHeldForAtMostOneChunk() {
        ScanLockedMap<Integer, Integer> source = fill(new ScanLockedMap<>(), 100_000);
        List<CopyProgress> reports = new ArrayList<>();
        Map<Integer, Integer> copy = MapCopy.of(source).inChunks(1_000, reports::add).toHashMap();
        assertEquals(fill(new HashMap<>(), 100_000), copy);
        assertTrue(source.largestHold.get() <= 1_000, "largest hold: " + source.largestHold.get());
        assertTrue(source.chunkCalls.get() >= 100);
        for (int i = 0; i < reports.size(); i++) {
            assertEquals(i, reports.get(i).chunkIndex());
            assertEquals(100_000, reports.get(i).totalEstimate());
            if (i > 0) {
                assertTrue(reports.get(i).entriesDone() >= reports.get(i - 1).entriesDone());
            }
        }
        assertEquals(100_000, reports.get(reports.size() - 1).entriesDone());
        assertEquals(1.0, reports.get(reports.size() - 1).fractionDone());

        // the instrument works: an unchunked copy goes through the snapshot, one hold over everything
        MapCopy.of(source).toHashMap();
        assertEquals(100_000, source.largestHold.get());
    }

    @Test
    void writersProceedBetweenChunks() throws Exception {
        assertWritersProceedBetweenChunks(new ScanLockedMap<>());
        assertWritersProceedBetweenChunks(new LockedMap<>());
        assertWritersProceedBetweenChunks(new StripedMap<>());
        assertWritersProceedBetweenChunks(new StripedMap<>(0, 1));
    }

    private static void assertWritersProceedBetweenChunks(ConcurrentMap<Integer, Integer> empty) throws Exception {
        ConcurrentMap<Integer, Integer> source = fill(empty, 10_000);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            AtomicLong writes = new AtomicLong();
            MapCopy.of(source).inChunks(500, p -> {
                // if the copy still held the read lock here, this write would block and time out
                Future<?> w = writer.submit(() -> source.put(-1 - (int) p.chunkIndex(), 0));
                try {
                    w.get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("a writer was blocked between chunks", e);
                }
                writes.incrementAndGet();
                return true;
            }).toHashMap();
            assertTrue(writes.get() >= 20);
        } finally {
            writer.shutdownNow();
        }
    }

    /**
     * Runs a chunked copy while another thread keeps changing the source, and checks the weakly consistent
     * guarantee: stable keys exactly once with a value they had, transient keys at most once.
     */
    private static List<String> copyUnderConcurrentWrites(ConcurrentMap<String, Long> source, int chunk)
            throws Exception {
        int stable = 5_000;
        for (int i = 0; i < stable; i++) {
            source.put("s" + i, (long) i);
        }
        Set<String> everPresent = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < stable; i++) {
            everPresent.add("s" + i);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<?> writing = writer.submit(() -> {
            Random random = new Random(7);
            long generation = 1;
            while (!stop.get()) {
                int i = random.nextInt(stable);
                source.put("s" + i, i + 1_000_000L * generation++);
                String t = "t" + random.nextInt(20_000);
                everPresent.add(t);
                if (random.nextBoolean()) {
                    source.put(t, -1L);
                } else {
                    source.remove(t);
                }
                ops.incrementAndGet();
            }
        });
        List<Map.Entry<String, Long>> copied;
        try {
            copied = MapCopy.of(source).inChunks(chunk, p -> {
                long target = ops.get() + 20;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (ops.get() < target && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                return true;
            }).stream().toList();
        } finally {
            stop.set(true);
            writing.get(10, TimeUnit.SECONDS);
            writer.shutdownNow();
        }
        Set<String> stableKeys = new HashSet<>();
        for (int i = 0; i < stable; i++) {
            stableKeys.add("s" + i);
        }
        assertTrue(ops.get() > 1_000, "the writer must have run during the copy: " + ops.get());
        return ScanOracle.violations(stableKeys, everPresent, copied, (k, v) -> k.startsWith("t")
            ? v == -1L : v % 1_000_000L == Long.parseLong(k.substring(1)));
    }

    @Test
    void chunkedScanOfALockBasedMapIsWeaklyConsistentUnderWriters() throws Exception {
        assertEquals(List.of(), copyUnderConcurrentWrites(new ScanLockedMap<>(), 97));
    }

    @Test
    void chunkedScansOfLockedMapAndStripedMapAreWeaklyConsistentUnderWriters() throws Exception {
        assertEquals(List.of(), copyUnderConcurrentWrites(new LockedMap<>(), 97), "LockedMap");
        assertEquals(List.of(), copyUnderConcurrentWrites(new StripedMap<>(), 97), "StripedMap");
        assertEquals(List.of(), copyUnderConcurrentWrites(new StripedMap<>(0, 1), 97), "StripedMap, 1 stripe");
        assertEquals(List.of(), copyUnderConcurrentWrites(new StripedMap<>(0, 256), 13), "StripedMap, 256 stripes");
    }

    @Test
    void lockedMapAndStripedMapAreReadInChunks() {
        LockedMap<Integer, Integer> locked = fill(new LockedMap<>(), 10_000);
        StripedMap<Integer, Integer> striped = fill(new StripedMap<>(), 10_000);
        assertEquals(Consistency.EXACT, MapCopy.of(locked).consistency(), "unchunked: the snapshot");
        assertEquals(Consistency.WEAKLY_CONSISTENT, MapCopy.of(locked).inChunks(100).consistency());
        assertEquals(Consistency.WEAKLY_CONSISTENT, MapCopy.of(striped).consistency());
        for (ChunkedSource<Integer, Integer> source : List.<ChunkedSource<Integer, Integer>>of(locked, striped)) {
            Map<Integer, Integer> copy = new HashMap<>();
            ChunkedSource.Cursor cursor = null;
            int calls = 0;
            do {
                ChunkedSource.Chunk<Integer, Integer> chunk = source.copyChunk(cursor, 333);
                assertTrue(chunk.entries().size() <= 333, "chunk of " + chunk.entries().size());
                for (Map.Entry<Integer, Integer> e : chunk.entries()) {
                    assertEquals(null, copy.put(e.getKey(), e.getValue()), "delivered twice: " + e);
                }
                cursor = chunk.next();
                calls++;
            } while (cursor != null);
            assertEquals(fill(new HashMap<>(), 10_000), copy);
            assertTrue(calls >= 10_000 / 333, "calls: " + calls);
        }
        ChunkedSource.Cursor lockedCursor = locked.copyChunk(null, 10).next();
        ChunkedSource.Cursor stripedCursor = striped.copyChunk(null, 10).next();
        IllegalArgumentException foreign =
            assertThrows(IllegalArgumentException.class, () -> striped.copyChunk(lockedCursor, 10));
        assertTrue(foreign.getMessage().contains("not issued by this map"), foreign.getMessage());
        assertThrows(IllegalArgumentException.class, () -> locked.copyChunk(stripedCursor, 10));
        assertThrows(IllegalArgumentException.class,
            () -> new StripedMap<Integer, Integer>().copyChunk(stripedCursor, 10));
        assertThrows(IllegalArgumentException.class, () -> striped.copyChunk(null, 0));
        assertThrows(IllegalArgumentException.class, () -> locked.copyChunk(null, 0));
        assertTrue(new StripedMap<Integer, Integer>().copyChunk(null, 5).isLast(), "an empty map: one empty chunk");
    }

    @Test
    void chunkedIterationOfAConcurrentHashMapIsWeaklyConsistentUnderWriters() throws Exception {
        assertEquals(List.of(), copyUnderConcurrentWrites(new ConcurrentHashMap<>(), 97));
    }

    /** The control: the same checks catch a chunked source whose cursor is a plain position. */
    @Test
    void theChecksCatchABrokenCursor() {
        for (boolean broken : new boolean[] {true, false}) {
            ConcurrentMap<Integer, Integer> source = broken ? new IndexCursorMap<>() : new ScanLockedMap<>();
            for (int i = 0; i < 1_000; i++) {
                source.put(i * 10, i);
            }
            Set<Integer> everPresent = new HashSet<>(source.keySet());
            Set<Integer> stable = new HashSet<>(everPresent);
            int[] next = {-1};
            List<Map.Entry<Integer, Integer>> copied = MapCopy.of(source).inChunks(10, p -> {
                // insert keys that sort (and, for the hash scan, may hash) before the cursor
                for (int j = 0; j < 5; j++) {
                    everPresent.add(next[0]);
                    source.put(next[0]--, 0);
                }
                return true;
            }).stream().toList();
            List<String> violations = ScanOracle.violations(stable, everPresent, copied, (k, v) -> true);
            assertEquals(broken, !violations.isEmpty(), (broken ? "broken" : "hash-ordered") + ": " + violations);
        }
    }

    @Test
    void listenerCanCancelAndNothingIsWritten() {
        ScanLockedMap<Integer, Integer> source = fill(new ScanLockedMap<>(), 1_000);
        Map<Integer, Integer> destination = new HashMap<>(Map.of(-5, -5));
        CopyCancelledException e = assertThrows(CopyCancelledException.class,
            () -> MapCopy.of(source).inChunks(100, p -> p.chunkIndex() < 2).into(destination));
        assertEquals(2, e.progress().chunkIndex());
        assertTrue(e.getMessage().contains("after chunk 2"), e.getMessage());
        assertEquals(Map.of(-5, -5), destination);
        assertFalse(e.progress().entriesDone() > 300);
    }

    @Test
    void listenerIsCalledOnceForAnEmptySource() {
        for (Map<Integer, Integer> source : List.<Map<Integer, Integer>>of(new ScanLockedMap<>(),
                new ConcurrentHashMap<>(), new CowTestMap<>(), new HashMap<>())) {
            List<CopyProgress> reports = new ArrayList<>();
            assertTrue(MapCopy.of(source).inChunks(10, reports::add).toHashMap().isEmpty());
            assertEquals(List.of(new CopyProgress(0, 0, 0)), reports, source.getClass().getSimpleName());
        }
    }

    @Test
    void snapshotSourceIsIteratedInChunksExactly() {
        CowTestMap<Integer, Integer> source = new CowTestMap<>();
        source.putAll(fill(new HashMap<>(), 1_000));
        List<CopyProgress> reports = new ArrayList<>();
        CopyResult result = MapCopy.of(source).inChunks(300, p -> {
            reports.add(p);
            source.put(-1 - (int) p.chunkIndex(), 0); // writes during the copy are not seen
            return true;
        }).into(new HashMap<>());
        assertEquals(1_000, result.entries());
        assertEquals(Consistency.EXACT, result.consistency());
        assertEquals(1, result.revision());
        assertEquals(List.of(300L, 600L, 900L, 1_000L), reports.stream().map(CopyProgress::entriesDone).toList());
    }

    @Test
    void plainIterationReportsEveryChunk() {
        Map<Integer, Integer> source = fill(new HashMap<>(), 25);
        List<CopyProgress> reports = new ArrayList<>();
        MapCopy.of(source).inChunks(10, reports::add).toHashMap();
        assertEquals(List.of(new CopyProgress(0, 10, 25), new CopyProgress(1, 20, 25), new CopyProgress(2, 25, 25)),
            reports);
    }

    /** A cursor opens only for the object that issued it, and only as the type it was issued with. */
    @Test
    void aCursorOpensOnlyForItsIssuer() {
        Object issuer = new Object();
        ChunkedSource.Cursor cursor = ChunkedSource.Cursor.issue(issuer, 42);
        assertEquals(42, cursor.position(issuer, Integer.class));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> cursor.position(new Object(), Integer.class));
        assertTrue(e.getMessage().contains("not issued by this map"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cursor.position(issuer, String.class));
        assertThrows(NullPointerException.class, () -> ChunkedSource.Cursor.issue(null, 1));
        assertThrows(NullPointerException.class, () -> ChunkedSource.Cursor.issue(issuer, null));
        // a hand-made cursor is as foreign to a map as another map's
        LockedMap<Integer, Integer> locked = fill(new LockedMap<>(), 100);
        assertThrows(IllegalArgumentException.class, () -> locked.copyChunk(cursor, 10));
        assertThrows(IllegalArgumentException.class,
            () -> locked.copyChunk(ChunkedSource.Cursor.issue(locked, 0), 10));
    }

    @Test
    void aChunkedSourceReturningTooManyEntriesIsCaught() {
        IndexCursorMap<Integer, Integer> liar = new IndexCursorMap<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public Chunk<Integer, Integer> copyChunk(Cursor cursor, int maxEntries) {
                return super.copyChunk(cursor, maxEntries + 1);
            }
        };
        fill(liar, 10);
        assertThrows(IllegalStateException.class, () -> MapCopy.of(liar).inChunks(3).toHashMap());
    }
}
