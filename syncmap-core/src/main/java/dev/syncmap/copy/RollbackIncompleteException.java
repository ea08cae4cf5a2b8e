package dev.syncmap.copy;

import java.util.List;

/**
 * Attached, as a {@linkplain Throwable#getSuppressed() suppressed} exception, to the exception that aborted a
 * failure-atomic copy when undoing the partial copy failed too: the destination could not be restored for the
 * keys listed. Each individual undo failure is in turn attached to this exception as a suppressed exception, in
 * the order they happened. Nothing is swallowed.
 */
public final class RollbackIncompleteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The keys left with the value the copy wrote (or present though the copy added them). */
    private final transient List<Object> unrestoredKeys;

    /**
     * Creates the exception.
     *
     * @param unrestoredKeys the keys that could not be restored
     * @param undoSteps how many undo steps were attempted in all
     */
    RollbackIncompleteException(List<Object> unrestoredKeys, int undoSteps) {
        super(String.format(java.util.Locale.ROOT,
            "the destination could not be restored: %,d of %,d undo steps failed, for keys %s",
            unrestoredKeys.size(), undoSteps, abbreviate(unrestoredKeys)));
        this.unrestoredKeys = List.copyOf(unrestoredKeys);
    }

    private static String abbreviate(List<Object> keys) {
        return keys.size() <= 10 ? keys.toString() : keys.subList(0, 10) + " and " + (keys.size() - 10) + " more";
    }

    /**
     * Returns the keys whose previous state could not be restored.
     *
     * @return the keys, in the order the undo failed; empty after deserialization
     */
    public List<Object> unrestoredKeys() {
        return unrestoredKeys == null ? List.of() : unrestoredKeys;
    }
}
