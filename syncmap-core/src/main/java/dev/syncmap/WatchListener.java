package dev.syncmap;

import java.util.List;

/**
 * Receives a {@link VersionedMap}'s changes, asynchronously, from {@link VersionedMap#watch(long, WatchListener)}.
 *
 * <p>Guarantees (etcd's watch guarantees): changes arrive <b>ordered</b> by revision, each exactly <b>once</b>,
 * with <b>no gap</b> from the revision the watch started after; a revision (one {@code putAll}, {@code clear},
 * {@code replaceAll} or {@code reload} included) is <b>never split</b> across two {@link #onChanges} calls; when
 * the map has been idle for the configured progress interval the listener gets a {@link #onProgress bookmark}.
 *
 * <p>Threading: the callbacks of one watch are never run concurrently with each other, and each one
 * happens-before the next; they run on the map's watch executor (not on the writer's thread), so a slow listener
 * delays only its own watch. A listener must not block for long if the executor is shared and small.
 *
 * <p>If a callback throws, the watch is closed, the exception is recorded in {@link Watch#failure()} and
 * rethrown on the executor's thread (where its uncaught-exception handler reports it).
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
@FunctionalInterface
public interface WatchListener<K, V> {

    /**
     * Delivers the next changes: one or more whole revisions, in ascending order, each revision's changes
     * contiguous. The list is immutable, never empty, and may be kept.
     *
     * @param changes the changes, ordered by revision
     */
    void onChanges(List<Change<K, V>> changes);

    /**
     * A progress bookmark: every change up to and including {@code revision} has been delivered, and the map
     * has committed nothing newer that this watch has not seen. Sent when the watch has had nothing to deliver
     * for the configured progress interval. The default does nothing.
     *
     * @param revision the revision this watch has reached
     */
    default void onProgress(long revision) {}

    /**
     * The watch fell behind: the next revision it needed was compacted out of the bounded history before it
     * could be delivered. The watch is closed after this call; no other callback follows. To resume, take a
     * {@link VersionedMap#snapshot() snapshot} and watch from its revision. The default does nothing.
     *
     * @param cause carries the revision the watch had reached and the oldest revision still retained
     */
    default void onFellBehind(CompactedException cause) {}
}
