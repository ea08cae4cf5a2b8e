package dev.syncmap;

import dev.syncmap.internal.ImmutableSnapshot;
import java.lang.ref.Reference;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@link VersionedSnapshot} that {@link VersionedMap#snapshot()} hands out: a view of the map's table at one
 * revision, resolving each key's value through the version chains that writers keep while it is reachable (see
 * {@link VersionedSnapshot} for the costs and the lifetime). The mutators refuse, as every snapshot's do.
 *
 * <p>Implementation notes: {@link #get} keeps this snapshot reachable until the lookup is over
 * ({@link Reference#reachabilityFence}): the registry stops keeping versions for a snapshot once the garbage
 * collector reports it unreachable, which could otherwise happen in the middle of the walk.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
final class VersionedMapSnapshot<K, V> extends ImmutableSnapshot<K, V> implements VersionedSnapshot<K, V> {

    private final VersionedMap<K, V> map;
    private final long revision;
    private final long size;

    VersionedMapSnapshot(VersionedMap<K, V> map, long revision, long size) {
        this.map = map;
        this.revision = revision;
        this.size = size;
    }

    @Override
    public long revision() {
        return revision;
    }

    @Override
    public int size() {
        return size > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        try {
            return (V) map.getAt(key, revision);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                return map.iteratorAt(revision, VersionedMapSnapshot.this);
            }

            @Override
            public int size() {
                return VersionedMapSnapshot.this.size();
            }

            @Override
            public boolean contains(Object o) {
                if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null) {
                    return false;
                }
                Object v = get(e.getKey());
                return v != null && v.equals(e.getValue());
            }
        };
    }

    @Override
    public NavigableMap<K, V> sorted() {
        return sorted(map.comparator());
    }

    @Override
    public NavigableMap<K, V> sorted(Comparator<? super K> comparator) {
        TreeMap<K, V> t = new TreeMap<>(comparator);
        for (Map.Entry<K, V> e : entrySet()) {
            if (t.put(e.getKey(), e.getValue()) != null) {
                throw new IllegalArgumentException("the comparator considers two distinct keys equal, one of them "
                    + e.getKey() + "; a sorted view would lose mappings");
            }
        }
        return Collections.unmodifiableNavigableMap(t);
    }
}
