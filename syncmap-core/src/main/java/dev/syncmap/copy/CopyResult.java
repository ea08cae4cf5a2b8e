package dev.syncmap.copy;

/**
 * What a successful copy into a destination did.
 *
 * @param entries the number of mappings written to the destination
 * @param added how many of them added a key the destination did not have
 * @param replaced how many replaced the value of a key the destination had
 * @param revision the revision of the source snapshot the copy was made from, or {@link dev.syncmap.Snapshot#NO_REVISION} when
 *     the copy is not exact
 * @param consistency what the copy promises about the source's content
 */
public record CopyResult(long entries, long added, long replaced, long revision, Consistency consistency) {}
