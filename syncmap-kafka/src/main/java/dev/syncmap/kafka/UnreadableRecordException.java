package dev.syncmap.kafka;

/**
 * A changelog record could not be decoded and the node's policy is {@link UnreadableRecordPolicy#FAIL}: the
 * applier stopped at it. The message names the topic, partition and offset.
 */
public final class UnreadableRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message and a cause.
     *
     * @param message names the record and the problem
     * @param cause the decoding error
     */
    public UnreadableRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
