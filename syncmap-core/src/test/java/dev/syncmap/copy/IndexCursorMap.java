package dev.syncmap.copy;

import dev.syncmap.ChunkedSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Deliberately broken control: a {@link ChunkedSource} whose cursor is a position in the current iteration
 * order. An insert before the position between two chunks makes a key come twice; a removal makes one vanish.
 * Tests run the same checks on it as on the real scan to prove that those checks notice a broken cursor.
 */
class IndexCursorMap<K, V> extends ConcurrentSkipListMap<K, V> implements ChunkedSource<K, V> {

    private static final long serialVersionUID = 1L;

    @Override
    public Chunk<K, V> copyChunk(Cursor cursor, int maxEntries) {
        int start = cursor == null ? 0 : cursor.position(this, Integer.class);
        List<Map.Entry<K, V>> out = new ArrayList<>();
        Iterator<Map.Entry<K, V>> it = entrySet().iterator();
        int i = 0;
        while (it.hasNext() && out.size() < maxEntries) {
            Map.Entry<K, V> e = it.next();
            if (i++ >= start) {
                out.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        return new Chunk<>(out, it.hasNext() ? Cursor.issue(this, start + out.size()) : null);
    }
}
