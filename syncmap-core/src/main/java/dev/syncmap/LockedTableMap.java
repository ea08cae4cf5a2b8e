package dev.syncmap;

import dev.syncmap.internal.HashOrderedTable;
import java.io.Serial;

/**
 * The six single-key writes of the maps made of {@link HashOrderedTable}s guarded by write locks
 * ({@link LockedMap}: one table under one lock; {@link StripedMap}: a table per stripe), written once.
 *
 * <p>Package-private, like {@link AbstractConcurrentMap}: the public maps inherit these methods as their own.
 *
 * <h2>Implementation notes</h2>
 * Each write is a {@link TableWrite}: the arguments it checks, the table operation itself, and what its result
 * says changed (the content, the size). A subclass supplies {@link #tableWrite}: refuse a call from inside one of its functions, take the
 * write lock that guards the key's table, apply the operation, record what changed (a new revision for
 * {@code LockedMap}'s cached snapshot; the published size for a stripe), and release the lock in a
 * {@code finally}. The operations are enum constants, so every call site passes a constant and allocates nothing.
 *
 * <p>When user code throws: a key's {@code hashCode} or {@code equals} can throw inside the table operation;
 * {@link HashOrderedTable} changes nothing in that case (it allocates before it links), so nothing changed is
 * recorded, and the subclass's {@code finally} releases the lock.
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
abstract class LockedTableMap<K, V> extends AbstractConcurrentMap<K, V> {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Constructs the base. */
    LockedTableMap() {}

    /** A single-key table operation: the method it implements, the arguments it checks, and what it changed. */
    enum TableWrite {
        /** {@code put(key, a)}: returns the previous value; always changes the content. */
        PUT("put", "value", null),
        /** {@code remove(key)}: returns the removed value. */
        REMOVE("remove", null, null),
        /** {@code remove(key, a)}: returns whether it removed. */
        REMOVE_VALUE("remove", "value", null),
        /** {@code putIfAbsent(key, a)}: returns the existing value, null if it stored {@code a}. */
        PUT_IF_ABSENT("putIfAbsent", "value", null),
        /** {@code replace(key, a, b)}: returns whether it replaced; never changes the size. */
        REPLACE_VALUE("replace", "oldValue", "newValue"),
        /** {@code replace(key, a)}: returns the previous value, null if nothing was stored; never changes the size. */
        REPLACE("replace", "value", null);

        /** The {@code ConcurrentMap} method, for error messages. */
        final String operation;
        /** The names of the value arguments the method checks for null, or null where there is none. */
        private final String aName;
        private final String bName;

        TableWrite(String operation, String aName, String bName) {
            this.operation = operation;
            this.aName = aName;
            this.bName = bName;
        }

        /** Checks the arguments, before any lock is taken. */
        void checkArguments(Object key, Object a, Object b) {
            requireKey(key);
            if (aName != null) {
                requireValue(a, aName);
            }
            if (bName != null) {
                requireValue(b, bName);
            }
        }

        /** Applies the operation to a table, under the caller's write lock. */
        @SuppressWarnings("unchecked") // the operation stores only the caller's K and V arguments in the table
        Object applyTo(HashOrderedTable<?, ?> table, Object key, Object a, Object b) {
            HashOrderedTable<Object, Object> t = (HashOrderedTable<Object, Object>) table;
            return switch (this) {
                case PUT -> t.put(key, a);
                case REMOVE -> t.remove(key);
                case REMOVE_VALUE -> t.remove(key, a);
                case PUT_IF_ABSENT -> t.putIfAbsent(key, a);
                case REPLACE_VALUE -> t.replace(key, a, b);
                case REPLACE -> t.replace(key, a);
            };
        }

        /** Tells whether the operation that returned {@code result} changed the table's content. */
        boolean changedContent(Object result) {
            return switch (this) {
                case PUT -> true;
                case REMOVE, REPLACE -> result != null;
                case PUT_IF_ABSENT -> result == null;
                case REMOVE_VALUE, REPLACE_VALUE -> (Boolean) result;
            };
        }

        /** Tells whether the operation that returned {@code result} changed the table's size. */
        boolean changedSize(Object result) {
            return switch (this) {
                case PUT -> result == null;
                case REPLACE, REPLACE_VALUE -> false;
                case REMOVE, REMOVE_VALUE, PUT_IF_ABSENT -> changedContent(result);
            };
        }
    }

    /**
     * Runs {@code write} on the table holding {@code key}: refuses a call from inside one of this map's functions,
     * takes that table's write lock, applies the operation, records what changed, and releases the lock in a
     * {@code finally}, whatever the operation throws. The arguments are checked.
     *
     * @param write the operation
     * @param key the key
     * @param a the operation's first argument, or null
     * @param b the operation's second argument, or null
     * @return the operation's result
     */
    abstract Object tableWrite(TableWrite write, Object key, Object a, Object b);

    private Object checkedWrite(TableWrite write, Object key, Object a, Object b) {
        write.checkArguments(key, a, b);
        return tableWrite(write, key, a, b);
    }

    @SuppressWarnings("unchecked") // the previous or existing value of a table of V
    private V valueWrite(TableWrite write, Object key, Object a) {
        return (V) checkedWrite(write, key, a, null);
    }

    /**
     * Maps {@code key} to {@code value} under the write lock that guards the key's table.
     *
     * @return the previous value, or null
     * @throws NullPointerException naming the null argument
     * @throws IllegalStateException if called from a mapping function (or {@code LockedMap}'s {@code forEach}
     *     action) of this map
     */
    @Override
    public V put(K key, V value) {
        return valueWrite(TableWrite.PUT, key, value);
    }

    /**
     * Removes {@code key}'s mapping under the write lock that guards the key's table.
     *
     * @return the removed value, or null
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalStateException if called from a mapping function (or {@code LockedMap}'s {@code forEach}
     *     action) of this map
     */
    @Override
    public V remove(Object key) {
        return valueWrite(TableWrite.REMOVE, key, null);
    }

    /**
     * Removes {@code key}'s mapping if it maps to {@code value}, under the write lock that guards the key's table.
     *
     * @throws NullPointerException naming the null argument
     * @throws IllegalStateException if called from a mapping function (or {@code LockedMap}'s {@code forEach}
     *     action) of this map
     */
    @Override
    public boolean remove(Object key, Object value) {
        return (Boolean) checkedWrite(TableWrite.REMOVE_VALUE, key, value, null);
    }

    /**
     * Maps {@code key} to {@code value} unless it is mapped, under the write lock that guards the key's table:
     * the existing mapping is kept, and returned.
     *
     * @return the existing value, or null if {@code value} was stored
     * @throws NullPointerException naming the null argument; also when {@code key} is already mapped
     * @throws IllegalStateException if called from a mapping function (or {@code LockedMap}'s {@code forEach}
     *     action) of this map
     */
    @Override
    public V putIfAbsent(K key, V value) {
        return valueWrite(TableWrite.PUT_IF_ABSENT, key, value);
    }

    /**
     * Replaces {@code key}'s value if it is {@code oldValue}, under the write lock that guards the key's table.
     * Values are compared with {@code oldValue.equals}.
     *
     * @throws NullPointerException naming the null argument
     * @throws IllegalStateException if called from a mapping function (or {@code LockedMap}'s {@code forEach}
     *     action) of this map
     */
    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return (Boolean) checkedWrite(TableWrite.REPLACE_VALUE, key, oldValue, newValue);
    }

    /**
     * Replaces {@code key}'s value if it is mapped, under the write lock that guards the key's table.
     *
     * @return the previous value, or null if {@code key} was not mapped (nothing was stored)
     * @throws NullPointerException naming the null argument, even when {@code key} is not mapped
     * @throws IllegalStateException if called from a mapping function (or {@code LockedMap}'s {@code forEach}
     *     action) of this map
     */
    @Override
    public V replace(K key, V value) {
        return valueWrite(TableWrite.REPLACE, key, value);
    }
}
