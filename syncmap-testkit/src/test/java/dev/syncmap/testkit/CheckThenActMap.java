package dev.syncmap.testkit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * DELIBERATELY BROKEN: a {@link ConcurrentHashMap} whose conditional and compute operations are check-then-act
 * sequences of separately atomic {@code get}, {@code put} and {@code remove}: two threads can both see a key
 * absent and both "win" {@code putIfAbsent}, and concurrent {@code merge}/{@code compute} lose updates.
 * Each operation is correct on its own, so the sequential contract suite passes; only concurrency checks can
 * tell. {@link Thread#yield()} widens the gap between check and act, so the stress checks catch it within
 * milliseconds even on a loaded two-core machine; Lincheck's model checker finds it without that help.
 *
 * <p>The kit's tests assert that every concurrency tool reports this map: it is the proof the kit is alive.
 */
final class CheckThenActMap<K, V> extends ConcurrentHashMap<K, V> {
    private static final long serialVersionUID = 1L;

    @Override
    public V putIfAbsent(K key, V value) {
        V present = get(key);
        if (present != null) {
            return present;
        }
        widenRaceWindow();
        put(key, value);
        return null;
    }

    @Override
    public V computeIfAbsent(K key, Function<? super K, ? extends V> mappingFunction) {
        V present = get(key);
        if (present != null) {
            return present;
        }
        widenRaceWindow();
        V created = mappingFunction.apply(key);
        if (created != null) {
            put(key, created);
        }
        return created;
    }

    @Override
    public V computeIfPresent(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        V old = get(key);
        if (old == null) {
            return null;
        }
        widenRaceWindow();
        return store(key, remappingFunction.apply(key, old));
    }

    @Override
    public V compute(K key, BiFunction<? super K, ? super V, ? extends V> remappingFunction) {
        V old = get(key);
        widenRaceWindow();
        return store(key, remappingFunction.apply(key, old));
    }

    @Override
    public V merge(K key, V value, BiFunction<? super V, ? super V, ? extends V> remappingFunction) {
        V old = get(key);
        widenRaceWindow();
        return store(key, old == null ? value : remappingFunction.apply(old, value));
    }

    private V store(K key, V value) {
        if (value == null) {
            remove(key);
        } else {
            put(key, value);
        }
        return value;
    }

    private static void widenRaceWindow() {
        Thread.yield();
    }
}
