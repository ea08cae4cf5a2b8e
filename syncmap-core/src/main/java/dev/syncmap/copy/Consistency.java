package dev.syncmap.copy;

/**
 * What a copy promises about the source's content, given the kind of source and how it is read. See
 * {@link MapCopy#consistency()} for which source gets which.
 */
public enum Consistency {

    /**
     * The copy is exactly the source's content at one instant, linearizable with the source's writes: the source
     * is a {@link dev.syncmap.Snapshot}, or a {@link dev.syncmap.Snapshottable} map read through its
     * {@code snapshot()}. The copy records the snapshot's revision.
     */
    EXACT,

    /**
     * Every key present in the source from the start to the end of the copy appears exactly once, with a value it
     * had at some moment during the copy; a key added or removed meanwhile may or may not appear. Two keys may be
     * seen at different moments, so an invariant that spans keys (a transfer between two accounts) may appear
     * broken. This is what the weakly consistent iterators of {@code java.util.concurrent} maps and a
     * {@link dev.syncmap.ChunkedSource} scan give.
     *
     * <p>A copy never holds a key twice. A {@link java.util.concurrent.ConcurrentHashMap} iterator can deliver a
     * key twice (observed in this project's tests: a key removed and re-added while the table resizes under the
     * iterator); the copy then keeps one entry, at its first position, with the later value, which the key also
     * had during the copy.
     */
    WEAKLY_CONSISTENT,

    /**
     * The source is neither a {@link java.util.concurrent.ConcurrentMap}, a {@link dev.syncmap.Snapshottable} nor
     * a {@link dev.syncmap.ChunkedSource}: the copy is exact when no thread modifies the source during the copy,
     * and undefined otherwise (it may throw {@link java.util.ConcurrentModificationException}). Making the source
     * quiet is the caller's job; for a {@code Collections.synchronizedMap}, copy inside
     * {@code synchronized (map) { ... }}.
     */
    UNSYNCHRONIZED
}
