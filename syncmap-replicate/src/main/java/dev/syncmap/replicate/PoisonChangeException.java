package dev.syncmap.replicate;

/**
 * A change that a sink cannot apply and never will: its resolver threw, or the change itself is invalid. Unlike
 * other exceptions of {@link Sink#write} (which the replicator retries, since a target that is down comes back),
 * this one stops the replicator in {@link Replicator.State#FAILED} with the cause, so a deterministic bug is
 * reported instead of retried forever. Nothing after the sink's last checkpoint is acknowledged: once the cause
 * is fixed, a restart re-sends it.
 */
public class PoisonChangeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what could not be applied, naming the key and the sink
     * @param cause what was thrown
     */
    public PoisonChangeException(String message, Throwable cause) {
        super(message, cause);
    }
}
