package dev.syncmap.replicate;

import java.io.IOException;
import java.util.Optional;

/**
 * Keeps each sink's {@link Checkpoint} durably. Implementations must make {@link #store} atomic (after a crash
 * the previous or the new checkpoint is read back, never a mix) and durable before it returns.
 */
public interface CheckpointStore extends AutoCloseable {

    /**
     * Reads a sink's checkpoint.
     *
     * @param sink the sink's name
     * @return the checkpoint, or empty if the sink has none yet
     * @throws CorruptStateException if what is stored cannot be read (it names the file and the problem)
     * @throws IOException if reading failed
     */
    Optional<Checkpoint> load(String sink) throws IOException;

    /**
     * Stores a sink's checkpoint, atomically and durably.
     *
     * @param sink the sink's name
     * @param checkpoint the checkpoint
     * @throws IOException if it could not be stored (the previous checkpoint stays)
     */
    void store(String sink, Checkpoint checkpoint) throws IOException;

    /**
     * Forgets a sink's checkpoint (after a corrupt one was reported, before re-anchoring).
     *
     * @param sink the sink's name
     * @throws IOException if it could not be removed
     */
    void delete(String sink) throws IOException;

    @Override
    default void close() throws IOException {}
}
