package dev.syncmap.copy;

import dev.syncmap.Snapshot;
import dev.syncmap.internal.HashMapSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable {@link Snapshot} holding a copy: what {@link MapCopy#toSnapshot()} and
 * {@link SnapshotFormat#read} return when they cannot hand out a source's own snapshot.
 *
 * <p>Implementation notes: the content is a {@link LinkedHashMap}, so iteration follows the order the copy was
 * made in (key order for a sorted copy). It is fully built before the constructor returns and only read
 * afterwards; the base class's {@code final} field makes it safely published to every thread. Every mutator,
 * including the {@link Map} default methods, throws {@link UnsupportedOperationException}, even when it would
 * change nothing; queries with a null key or value throw {@link NullPointerException}, as the {@link Snapshot}
 * contract asks.
 */
final class CopiedSnapshot<K, V> extends HashMapSnapshot<K, V> {

    private static final long serialVersionUID = 1L;

    /**
     * Creates a snapshot of the given mappings.
     *
     * @param entries the mappings, in iteration order, with distinct non-null keys and non-null values
     * @param revision the revision they show
     */
    CopiedSnapshot(List<? extends Map.Entry<? extends K, ? extends V>> entries, long revision) {
        super(inOrder(entries), revision);
    }

    private static <K, V> LinkedHashMap<K, V> inOrder(List<? extends Map.Entry<? extends K, ? extends V>> entries) {
        LinkedHashMap<K, V> map = new LinkedHashMap<>(Math.max(16, (int) (entries.size() / 0.75f) + 1));
        for (Map.Entry<? extends K, ? extends V> e : entries) {
            map.put(e.getKey(), e.getValue());
        }
        return map;
    }
}
