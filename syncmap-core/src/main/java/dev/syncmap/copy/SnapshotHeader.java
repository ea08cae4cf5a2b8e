package dev.syncmap.copy;

/**
 * The header of a snapshot file: what {@link SnapshotFormat#readHeader} reads without decoding any entry, and
 * what writing and reading return.
 *
 * @param formatVersion the format version of the file
 * @param revision the revision of the snapshot exported, or {@link dev.syncmap.Snapshot#NO_REVISION} when the export was not
 *     an exact snapshot (see {@link SnapshotFormat#write(java.util.Map, java.io.OutputStream)})
 * @param entryCount the number of entries in the file
 * @param keyCodecId the id of the codec that wrote the keys
 * @param valueCodecId the id of the codec that wrote the values
 */
public record SnapshotHeader(int formatVersion, long revision, long entryCount, String keyCodecId,
                             String valueCodecId) {}
