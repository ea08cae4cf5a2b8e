package dev.syncmap;

import dev.syncmap.internal.FunctionGuard;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;

import dev.syncmap.internal.KeyValueEntry;
import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * The collection views, {@code equals}, {@code hashCode} and {@code toString} shared by every map of
 * {@code dev.syncmap}, built on one primitive: {@link #entryIterator()}.
 *
 * <p>Package-private on purpose: the maps are public, their common base is not part of the API (a public base
 * class would be one more type users could extend or depend on). The public methods it implements
 * ({@code keySet}, {@code values}, {@code entrySet}, {@code containsValue}) are inherited by the public maps as
 * their own.
 *
 * <h2>Implementation notes</h2>
 * A subclass supplies a weakly consistent (or better) iterator over immutable key/value pairs and the
 * {@link ConcurrentMap} operations; this class turns them into live views:
 * <ul>
 *   <li>{@code keySet().remove(k)} and an iterator's {@code remove()} call {@link #remove(Object)} on the map;</li>
 *   <li>{@code entrySet().remove(e)} calls {@link #remove(Object, Object)}, so it removes only the mapping the
 *       caller saw;</li>
 *   <li>{@link Map.Entry#setValue} writes through with {@link #put(Object, Object)} and remembers the new value
 *       in the entry, as {@code ConcurrentHashMap}'s entries do;</li>
 *   <li>no view ever throws {@link java.util.ConcurrentModificationException}: the subclass's iterator decides
 *       which concurrent changes are seen, and each subclass documents it.</li>
 * </ul>
 * Views hold no state of their own, so they are created on each call and cost one small allocation.
 *
 * <p>When user code throws: the views add none of their own and change nothing before the map's method they call
 * has returned (an entry remembers its new value only after the write-through {@code put} succeeded), so a view
 * call that throws leaves exactly what the map's own method leaves.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
abstract class AbstractConcurrentMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Constructs the views' base. */
    AbstractConcurrentMap() {}

    /**
     * Refuses a stream that names a map directly: every map is written as a {@link SerializedMap}, which checks its
     * content before it builds the map.
     *
     * @param in the stream
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException(getClass().getSimpleName() + " is read through its serialized form");
    }

    /**
     * Refuses a stream that names a map directly but holds no data for this class.
     *
     * @throws InvalidObjectException always
     */
    @Serial
    private void readObjectNoData() throws InvalidObjectException {
        throw new InvalidObjectException(getClass().getSimpleName() + " is read through its serialized form");
    }

    /**
     * Returns an iterator over the mappings, each an immutable key/value pair. The iterator need not support
     * {@code remove()}; the views add it.
     *
     * @return an iterator that never throws {@link java.util.ConcurrentModificationException}
     */
    abstract Iterator<Map.Entry<K, V>> entryIterator();

    /**
     * Checks a key argument.
     *
     * @param key the key
     * @param <T> the key's type
     * @return the key
     * @throws NullPointerException naming the argument if it is null
     */
    static <T> T requireKey(T key) {
        return Objects.requireNonNull(key, "key");
    }

    /**
     * Checks a value argument.
     *
     * @param value the value
     * @param name the argument's name, for the message ({@code "value"}, {@code "oldValue"}, ...)
     * @param <T> the value's type
     * @return the value
     * @throws NullPointerException naming the argument if it is null
     */
    static <T> T requireValue(T value, String name) {
        return Objects.requireNonNull(value, name);
    }

    /**
     * Checks a function argument.
     *
     * @param function the function
     * @param name the argument's name, for the message
     * @param <T> the function's type
     * @return the function
     * @throws NullPointerException naming the argument if it is null
     */
    static <T> T requireFunction(T function, String name) {
        return Objects.requireNonNull(function, name);
    }

    /**
     * Checks a single-key write before it does anything: refuses a call from inside one of this map's functions
     * ({@link FunctionGuard#checkNotInFunction}), then checks the key.
     *
     * @param operation the method's name, for the message
     * @param key the key
     * @throws IllegalStateException if called from inside one of this map's functions
     * @throws NullPointerException naming {@code "key"} if it is null
     */
    final void checkWrite(String operation, Object key) {
        FunctionGuard.checkNotInFunction(this, operation);
        requireKey(key);
    }

    /**
     * Checks a single-key write of one value: as {@link #checkWrite(String, Object)}, then the value.
     *
     * @throws NullPointerException naming {@code "key"} or {@code "value"}
     */
    final void checkWrite(String operation, Object key, Object value) {
        checkWrite(operation, key);
        requireValue(value, "value");
    }

    /**
     * Checks a compare-and-replace: as {@link #checkWrite(String, Object)}, then both values.
     *
     * @throws NullPointerException naming {@code "key"}, {@code "oldValue"} or {@code "newValue"}
     */
    final void checkReplace(String operation, Object key, Object oldValue, Object newValue) {
        checkWrite(operation, key);
        requireValue(oldValue, "oldValue");
        requireValue(newValue, "newValue");
    }

    /**
     * Checks a write that runs a function: as {@link #checkWrite(String, Object)}, then the function.
     *
     * @throws NullPointerException naming {@code "key"} or the function's argument name
     */
    final void checkCompute(String operation, Object key, Object function, String functionName) {
        checkWrite(operation, key);
        requireFunction(function, functionName);
    }

    @Override
    public boolean containsValue(Object value) {
        requireValue(value, "value");
        Iterator<Map.Entry<K, V>> it = entryIterator();
        while (it.hasNext()) {
            if (value.equals(it.next().getValue())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns the value of {@code key}, or {@code defaultValue} (which may be null) if it is absent; as
     * {@link #get}, whose cost and consistency it has.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public V getOrDefault(Object key, V defaultValue) {
        V value = get(key);
        return value != null ? value : defaultValue;
    }

    @Override
    public Set<K> keySet() {
        return new KeySetView();
    }

    @Override
    public Collection<V> values() {
        return new View<>(Map.Entry::getValue);
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new EntrySetView();
    }

    /* ---------------- Views ---------------- */

    /** Iterates through {@link #entryIterator()}, adding write-through {@code remove} and {@code setValue}. */
    private final class ViewIterator<T> implements Iterator<T> {
        private final Iterator<Map.Entry<K, V>> entries = entryIterator();
        private final Function<Map.Entry<K, V>, T> project;
        private K lastKey;

        ViewIterator(Function<Map.Entry<K, V>, T> project) {
            this.project = project;
        }

        @Override
        public boolean hasNext() {
            return entries.hasNext();
        }

        @Override
        public T next() {
            if (!entries.hasNext()) {
                throw new NoSuchElementException();
            }
            Map.Entry<K, V> e = entries.next();
            lastKey = e.getKey();
            return project.apply(e);
        }

        @Override
        public void remove() {
            if (lastKey == null) {
                throw new IllegalStateException("remove() called before next() or twice for one element");
            }
            AbstractConcurrentMap.this.remove(lastKey);
            lastKey = null;
        }
    }

    /** An entry handed out by {@code entrySet()}: {@code setValue} writes through to the map. */
    private final class WriteThroughEntry extends KeyValueEntry<K, V> {

        WriteThroughEntry(Map.Entry<K, V> e) {
            super(e.getKey(), e.getValue());
        }

        @Override
        public V setValue(V newValue) {
            requireValue(newValue, "value");
            V old = value;
            put(key, newValue); // first: if the key throws, the entry keeps showing what the map holds
            value = newValue;
            return old;
        }
    }

    /**
     * A view of the map: iteration through {@link ViewIterator}, and size, emptiness and clearing from the map. It
     * is the {@code values()} view itself, and what the two set views delegate to.
     */
    private class View<T> extends AbstractCollection<T> {
        private final Function<Map.Entry<K, V>, T> project;

        View(Function<Map.Entry<K, V>, T> project) {
            this.project = project;
        }

        @Override
        public Iterator<T> iterator() {
            return new ViewIterator<>(project);
        }

        @Override
        public int size() {
            return AbstractConcurrentMap.this.size();
        }

        @Override
        public boolean isEmpty() {
            return AbstractConcurrentMap.this.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return containsValue(o);
        }

        @Override
        public void clear() {
            AbstractConcurrentMap.this.clear();
        }
    }

    /** A set view (keys, entries): a {@link View} with the set's own {@code contains} and {@code remove}. */
    private abstract class SetView<T> extends AbstractSet<T> {
        private final View<T> view;

        SetView(Function<Map.Entry<K, V>, T> project) {
            this.view = new View<>(project);
        }

        @Override
        public Iterator<T> iterator() {
            return view.iterator();
        }

        @Override
        public int size() {
            return view.size();
        }

        @Override
        public boolean isEmpty() {
            return view.isEmpty();
        }

        @Override
        public void clear() {
            view.clear();
        }
    }

    private final class KeySetView extends SetView<K> {
        KeySetView() {
            super(Map.Entry::getKey);
        }

        @Override
        public boolean contains(Object o) {
            return containsKey(o);
        }

        @Override
        public boolean remove(Object o) {
            return AbstractConcurrentMap.this.remove(o) != null;
        }
    }

    private final class EntrySetView extends SetView<Map.Entry<K, V>> {
        EntrySetView() {
            super(WriteThroughEntry::new);
        }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof Map.Entry<?, ?> e) || e.getKey() == null || e.getValue() == null) {
                return false;
            }
            Object v = get(e.getKey());
            return v != null && v.equals(e.getValue());
        }

        @Override
        public boolean remove(Object o) {
            return o instanceof Map.Entry<?, ?> e && e.getKey() != null && e.getValue() != null
                && AbstractConcurrentMap.this.remove(e.getKey(), e.getValue());
        }
    }
}
