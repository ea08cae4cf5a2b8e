package dev.syncmap.internal;

import dev.syncmap.Snapshot;
import java.io.Serializable;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A {@link Snapshot} backed by a {@link HashMap} (or a {@link java.util.LinkedHashMap}, whose order iteration then
 * follows) that nobody modifies once the snapshot exists: {@code LockedMap}'s and {@code StripedMap}'s copies,
 * {@code CopyOnWriteMap}'s published tables, the copies {@code MapCopy} makes.
 *
 * <h2>Implementation notes</h2>
 * The content is either copied here ({@link #copyOf}) by an owning map that excludes writers meanwhile (for
 * {@code LockedMap}, under its read lock), or handed over ({@link #of}) by a caller that never touches it again;
 * after that it is only read. Both fields are {@code final}, so a snapshot handed to another thread through a data
 * race still shows the complete content (final-field semantics). Every query checks its arguments as the
 * {@code Snapshot} contract asks (a null key or value throws {@link NullPointerException}); the views are read-only;
 * equality, hash code and string form are the content's; the mutators refuse ({@link ImmutableSnapshot}).
 *
 * <p>Costs: {@link #copyOf} O(n); {@code get}/{@code containsKey} O(1) expected, as {@link HashMap}; iteration
 * allocates one read-only entry wrapper per step.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public class HashMapSnapshot<K, V> extends ImmutableSnapshot<K, V> implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Never modified after construction. */
    private final HashMap<K, V> content;
    /** The revision the content stands for. */
    private final long revision;

    /**
     * Takes {@code content} over, without copying it.
     *
     * @param content the content; must hold no null key or value, and nobody may modify it from now on
     * @param revision the revision the content stands for
     */
    protected HashMapSnapshot(HashMap<K, V> content, long revision) {
        this.content = content;
        this.revision = revision;
    }

    /**
     * Copies {@code source} into a new snapshot. The caller must keep {@code source} unchanged during the call
     * (hold the lock that excludes its writers).
     *
     * @param source the content to copy; must hold no null key or value
     * @param revision the revision the content stands for
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the snapshot
     */
    public static <K, V> HashMapSnapshot<K, V> copyOf(Map<? extends K, ? extends V> source, long revision) {
        return new HashMapSnapshot<>(new HashMap<>(source), revision);
    }

    /**
     * Makes a snapshot of {@code content} without copying it.
     *
     * @param content the content; must hold no null key or value, and nobody may modify it from now on
     * @param revision the revision the content stands for
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the snapshot
     */
    public static <K, V> HashMapSnapshot<K, V> of(HashMap<K, V> content, long revision) {
        return new HashMapSnapshot<>(content, revision);
    }

    /**
     * Returns the content itself, for an owner that reads it without the snapshot's checks. Must not be modified.
     *
     * @return the content
     */
    public final HashMap<K, V> content() {
        return content;
    }

    @Override
    public final long revision() {
        return revision;
    }

    @Override
    public final int size() {
        return content.size();
    }

    @Override
    public final boolean isEmpty() {
        return content.isEmpty();
    }

    @Override
    public final V get(Object key) {
        return content.get(Objects.requireNonNull(key, "key"));
    }

    @Override
    public final V getOrDefault(Object key, V defaultValue) {
        return content.getOrDefault(Objects.requireNonNull(key, "key"), defaultValue);
    }

    @Override
    public final boolean containsKey(Object key) {
        return content.containsKey(Objects.requireNonNull(key, "key"));
    }

    @Override
    public final boolean containsValue(Object value) {
        return content.containsValue(Objects.requireNonNull(value, "value"));
    }

    @Override
    public final void forEach(BiConsumer<? super K, ? super V> action) {
        content.forEach(Objects.requireNonNull(action, "action"));
    }

    @Override
    public final Set<Map.Entry<K, V>> entrySet() {
        return Collections.unmodifiableMap(content).entrySet();
    }

    @Override
    public final Set<K> keySet() {
        return Collections.unmodifiableSet(content.keySet());
    }

    @Override
    public final Collection<V> values() {
        return Collections.unmodifiableCollection(content.values());
    }

    @Override
    public final boolean equals(Object o) {
        return o == this || content.equals(o);
    }

    @Override
    public final int hashCode() {
        return content.hashCode();
    }

    @Override
    public final String toString() {
        return content.toString();
    }
}
