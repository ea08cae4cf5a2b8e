package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.copy.MapCopy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Snapshot#revision()} means the same for every map that takes snapshots: equal revisions of one map mean
 * equal content, a later snapshot never has a smaller revision, and a strictly greater one after any write that
 * changed the content; copies carry their source's revision, or {@link Snapshot#NO_REVISION}.
 */
class SnapshotRevisionTest {

    /** A map that takes snapshots, under a readable name. */
    record Source(String name, Supplier<ConcurrentMap<Integer, Integer>> factory) {
        @SuppressWarnings("unchecked") // every factory in sources() makes a Snapshottable map
        Snapshot<Integer, Integer> snapshot(ConcurrentMap<Integer, Integer> map) {
            return ((Snapshottable<Integer, Integer>) map).snapshot();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Source> sources() {
        return Stream.of(new Source("LockedMap", LockedMap::new), new Source("CopyOnWriteMap", CopyOnWriteMap::new),
            new Source("VersionedMap", VersionedMap::new));
    }

    /** Every kind of write that changes the content of a map holding keys 1 to 3 mapped to themselves. */
    static Stream<Arguments> sourcesAndWrites() {
        List<Map.Entry<String, Consumer<ConcurrentMap<Integer, Integer>>>> writes = List.of(
            Map.entry("put new", m -> m.put(9, 9)),
            Map.entry("put other value", m -> m.put(1, 10)),
            Map.entry("putIfAbsent", m -> m.putIfAbsent(9, 9)),
            Map.entry("remove", m -> m.remove(1)),
            Map.entry("remove(k, v)", m -> m.remove(1, 1)),
            Map.entry("replace", m -> m.replace(1, 10)),
            Map.entry("replace(k, old, new)", m -> m.replace(1, 1, 10)),
            Map.entry("compute", m -> m.compute(1, (k, v) -> 10)),
            Map.entry("compute to remove", m -> m.compute(1, (k, v) -> null)),
            Map.entry("computeIfAbsent", m -> m.computeIfAbsent(9, k -> 9)),
            Map.entry("computeIfPresent", m -> m.computeIfPresent(1, (k, v) -> v + 10)),
            Map.entry("merge", m -> m.merge(1, 10, Integer::sum)),
            Map.entry("putAll", m -> m.putAll(Map.of(8, 8, 9, 9))),
            Map.entry("replaceAll", m -> m.replaceAll((k, v) -> v + 1)),
            Map.entry("clear", Map::clear),
            Map.entry("keySet remove", m -> m.keySet().remove(1)),
            Map.entry("entry setValue", m -> m.entrySet().iterator().next().setValue(42)));
        return sources().flatMap(s -> writes.stream().map(w -> Arguments.of(s, w.getKey(), w.getValue())));
    }

    private static ConcurrentMap<Integer, Integer> filled(Source source) {
        ConcurrentMap<Integer, Integer> map = source.factory().get();
        for (int i = 1; i <= 3; i++) {
            map.put(i, i);
        }
        return map;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    void readsLeaveTheRevisionAlone(Source source) {
        ConcurrentMap<Integer, Integer> map = filled(source);
        Snapshot<Integer, Integer> first = source.snapshot(map);
        assertTrue(first.revision() >= 0, "a map's own snapshot has a revision: " + first.revision());
        map.get(1);
        map.containsKey(2);
        map.containsValue(3);
        map.size();
        map.forEach((k, v) -> { });
        new HashMap<>(map);
        map.putIfAbsent(1, 99); // present: no change
        map.remove(1, 99);      // wrong value: no change
        map.remove(42);         // absent: no change
        Snapshot<Integer, Integer> second = source.snapshot(map);
        assertEquals(first.revision(), second.revision());
        assertEquals(first, second);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("sourcesAndWrites")
    void aWriteThatChangesTheContentRaisesTheRevision(Source source, String write,
            Consumer<ConcurrentMap<Integer, Integer>> change) {
        ConcurrentMap<Integer, Integer> map = filled(source);
        Snapshot<Integer, Integer> before = source.snapshot(map);
        change.accept(map);
        Snapshot<Integer, Integer> after = source.snapshot(map);
        assertTrue(!after.equals(before), write + " changed the content");
        assertTrue(after.revision() > before.revision(),
            write + ": revision " + before.revision() + " then " + after.revision());
        assertEquals(after.revision(), source.snapshot(map).revision(), "no write: the same revision");
    }

    /**
     * Snapshots taken by one thread while another writes: revisions never go back, and snapshots with one
     * revision have one content.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    void underConcurrentWritesEqualRevisionsMeanEqualContent(Source source) throws InterruptedException {
        ConcurrentMap<Integer, Integer> map = filled(source);
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            Random random = new Random(7);
            while (!stop.get()) {
                int key = random.nextInt(16);
                switch (random.nextInt(3)) {
                    case 0 -> map.put(key, random.nextInt(4));
                    case 1 -> map.remove(key);
                    default -> map.merge(key, 1, Integer::sum);
                }
            }
        });
        writer.start();
        try {
            Map<Long, Map<Integer, Integer>> seen = new HashMap<>();
            long last = -1;
            // at least 2,000 snapshots, and on until the writer has been scheduled (a loaded 2-core machine may
            // not run it for a while), within a bound
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            for (int i = 0; i < 2_000 || seen.size() < 2 && System.nanoTime() < deadline; i++) {
                Snapshot<Integer, Integer> s = source.snapshot(map);
                assertTrue(s.revision() >= last, "went back from " + last + " to " + s.revision());
                last = s.revision();
                Map<Integer, Integer> content = new HashMap<>(s);
                Map<Integer, Integer> earlier = seen.putIfAbsent(s.revision(), content);
                if (earlier != null) {
                    assertEquals(earlier, content, "two contents at revision " + s.revision());
                }
            }
            assertTrue(seen.size() > 1, "the writer ran");
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    @Test
    void aVersionedMapSnapshotIsAtTheRevisionOfItsLastChange() {
        VersionedMap<Integer, Integer> map = new VersionedMap<>();
        map.put(1, 1);
        map.putAll(Map.of(2, 2, 3, 3));
        Snapshot<Integer, Integer> s = map.snapshot();
        assertEquals(map.revision(), s.revision());
        List<Change<Integer, Integer>> all = map.changesSince(0);
        assertEquals(s.revision(), all.get(all.size() - 1).revision());
        map.remove(1);
        assertEquals(List.of(new Change<>(s.revision() + 1, 1, 1, null)), map.changesSince(s.revision()));
    }

    @Test
    void copiesCarryTheSourceRevisionOrNone() {
        LockedMap<Integer, Integer> locked = new LockedMap<>();
        locked.put(1, 1);
        locked.put(2, 2);
        long revision = locked.snapshot().revision();
        assertEquals(revision, MapCopy.of(locked).toSnapshot().revision());
        assertEquals(revision, MapCopy.of(locked).filter((k, v) -> k == 1).toSnapshot().revision(),
            "a filtered copy names the state it was made from");
        assertEquals(Snapshot.NO_REVISION, MapCopy.of(locked).inChunks(1).toSnapshot().revision(),
            "a chunked copy is weakly consistent");
        for (Map<Integer, Integer> plain : List.<Map<Integer, Integer>>of(new StripedMap<>(), new ReadDirtyMap<>(),
                new HashMap<>())) {
            plain.put(1, 1);
            assertEquals(Snapshot.NO_REVISION, MapCopy.of(plain).toSnapshot().revision(), plain.getClass().getName());
        }
    }
}
