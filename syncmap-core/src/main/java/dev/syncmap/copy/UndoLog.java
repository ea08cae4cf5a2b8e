package dev.syncmap.copy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;

/**
 * Writes a staged list of mappings into a destination map, recording how to undo each write, and undoes them all
 * if any write throws: the failure-atomic apply step shared by {@link MapCopy#into(Map)} and
 * {@link SnapshotFormat#readInto}.
 *
 * <h2>Implementation notes</h2>
 * For each write the log keeps the key, the value written, the previous value and whether the key was present.
 * On a {@link ConcurrentMap} destination (no null values) {@code put}'s return value says all of that in one call;
 * on another map, {@code containsKey} before {@code put} tells a key mapped to {@code null} from an absent one.
 *
 * <p>The undo runs in reverse order, so a key written twice ends with its first previous value. On a
 * {@link ConcurrentMap} each step is conditional ({@code replace(k, written, previous)} or
 * {@code remove(k, written)}): a key that a concurrent writer changed after the copy wrote it keeps the writer's
 * value, because that write is newer than anything the copy knows. A plain map has no concurrent writers by
 * definition, so its undo is unconditional. Every undo step that throws is recorded and the next step still runs;
 * the failures end up, via {@link RollbackIncompleteException}, suppressed on the original exception.
 *
 * <p>Assumed: a {@code put} that throws has changed nothing (true of every JDK map, which validates before
 * writing). A destination that breaks this leaves that one key changed, which the log cannot know about.
 */
final class UndoLog {

    private UndoLog() {}

    /**
     * Writes every staged mapping into {@code destination}; if a write throws, restores the destination and
     * rethrows.
     *
     * @param destination the map to write into
     * @param staged the mappings, in the order to write them
     * @param revision the revision the copy shows, for the result
     * @param consistency the copy's consistency, for the result
     * @return what was done
     */
    static <K, V> CopyResult apply(Map<K, V> destination, List<? extends Map.Entry<? extends K, ? extends V>> staged,
                                   long revision, Consistency consistency) {
        int n = staged.size();
        Object[] keys = new Object[n];
        Object[] written = new Object[n];
        Object[] previous = new Object[n];
        boolean[] present = new boolean[n];
        boolean concurrent = destination instanceof ConcurrentMap<?, ?>;
        int done = 0;
        long added = 0;
        try {
            for (Map.Entry<? extends K, ? extends V> e : staged) {
                K key = e.getKey();
                V value = e.getValue();
                boolean had = !concurrent && destination.containsKey(key);
                V old = destination.put(key, value);
                had = had || old != null;
                keys[done] = key;
                written[done] = value;
                previous[done] = old;
                present[done] = had;
                done++;
                if (!had) {
                    added++;
                }
            }
        } catch (RuntimeException | Error failure) {
            rollback(destination, concurrent, keys, written, previous, present, done, failure);
            throw failure;
        }
        return new CopyResult(n, added, n - added, revision, consistency);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> void rollback(Map<K, V> destination, boolean concurrent, Object[] keys, Object[] written,
                                        Object[] previous, boolean[] present, int done, Throwable failure) {
        List<Object> unrestored = new ArrayList<>();
        List<Throwable> undoFailures = new ArrayList<>();
        for (int i = done - 1; i >= 0; i--) {
            K key = (K) keys[i];
            try {
                if (concurrent) {
                    ConcurrentMap<K, V> map = (ConcurrentMap<K, V>) destination;
                    if (present[i]) {
                        map.replace(key, (V) written[i], (V) previous[i]);
                    } else {
                        map.remove(key, written[i]);
                    }
                } else if (present[i]) {
                    destination.put(key, (V) previous[i]);
                } else {
                    destination.remove(key);
                }
            } catch (RuntimeException | Error undoFailure) {
                unrestored.add(key);
                undoFailures.add(undoFailure);
            }
        }
        if (!unrestored.isEmpty()) {
            RollbackIncompleteException incomplete = new RollbackIncompleteException(unrestored, done);
            undoFailures.forEach(incomplete::addSuppressed);
            failure.addSuppressed(incomplete);
        }
    }
}
