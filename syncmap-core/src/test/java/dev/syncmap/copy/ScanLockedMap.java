package dev.syncmap.copy;

import dev.syncmap.ChunkedSource;
import dev.syncmap.Snapshot;
import dev.syncmap.Snapshottable;
import dev.syncmap.internal.HashOrderedTable;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Test-only lock-based map: one read-write lock around a {@link HashOrderedTable}, the way {@code LockedMap}
 * should implement {@link ChunkedSource}. Records the largest number of entries copied under one hold of the
 * read lock, so tests can check that a chunked copy never holds it for more than one chunk.
 */
final class ScanLockedMap<K, V> extends AbstractMap<K, V>
        implements ConcurrentMap<K, V>, Snapshottable<K, V>, ChunkedSource<K, V> {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final HashOrderedTable<K, V> table = new HashOrderedTable<>();
    private long revision;
    final AtomicInteger largestHold = new AtomicInteger();
    final AtomicInteger chunkCalls = new AtomicInteger();

    private void recordHold(int entries) {
        largestHold.accumulateAndGet(entries, Math::max);
    }

    @Override
    public Chunk<K, V> copyChunk(Cursor cursor, int maxEntries) {
        chunkCalls.incrementAndGet();
        lock.readLock().lock();
        try {
            Chunk<K, V> chunk = table.scan(cursor, maxEntries);
            recordHold(chunk.entries().size());
            return chunk;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Snapshot<K, V> snapshot() {
        lock.readLock().lock();
        try {
            List<Map.Entry<K, V>> all = new ArrayList<>(table.size());
            table.forEach((k, v) -> all.add(Map.entry(k, v)));
            recordHold(all.size());
            return new CopiedSnapshot<>(all, revision);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The content at one instant: a read-only view of a snapshot. */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return snapshot().entrySet();
    }

    @Override
    public int size() {
        lock.readLock().lock();
        try {
            return table.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public V get(Object key) {
        Objects.requireNonNull(key, "key");
        lock.readLock().lock();
        try {
            return table.get(key);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public V put(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        lock.writeLock().lock();
        try {
            revision++;
            return table.put(key, value);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public V remove(Object key) {
        Objects.requireNonNull(key, "key");
        lock.writeLock().lock();
        try {
            V old = table.remove(key);
            if (old != null) {
                revision++;
            }
            return old;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public V putIfAbsent(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        lock.writeLock().lock();
        try {
            V old = table.get(key);
            if (old == null) {
                table.put(key, value);
                revision++;
            }
            return old;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public boolean remove(Object key, Object value) {
        Objects.requireNonNull(key, "key");
        if (value == null) {
            return false;
        }
        lock.writeLock().lock();
        try {
            if (value.equals(table.get(key))) {
                table.remove(key);
                revision++;
                return true;
            }
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(oldValue, "oldValue");
        Objects.requireNonNull(newValue, "newValue");
        lock.writeLock().lock();
        try {
            if (oldValue.equals(table.get(key))) {
                table.put(key, newValue);
                revision++;
                return true;
            }
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public V replace(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        lock.writeLock().lock();
        try {
            V old = table.get(key);
            if (old != null) {
                table.put(key, value);
                revision++;
            }
            return old;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void clear() {
        lock.writeLock().lock();
        try {
            if (table.size() > 0) {
                table.clear();
                revision++;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
