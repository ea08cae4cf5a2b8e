package dev.syncmap.replicate;

/** What applying one change to a versioned replica did. */
public enum Outcome {
    /** The change was taken with no conflict: the key was new, or the stored version came from the same origin. */
    APPLIED,
    /** The change met a version from another origin and won. */
    WON,
    /** The change met a version from another origin and lost: the replica kept what it had. */
    LOST,
    /** The resolver merged the change with the stored version (CRDT counters). */
    MERGED,
    /** The replica had already seen this change or a later one from the same origin: nothing done. */
    DUPLICATE
}
