package dev.syncmap.kafka;

/**
 * A batch could not be published to the changelog topic (the brokers are unreachable, a record was refused);
 * the replication pipeline retries it, through its breaker and spill. The message names the sink and topic.
 */
public final class KafkaPublishException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message and a cause.
     *
     * @param message what failed, naming the sink and topic
     * @param cause the producer's error
     */
    public KafkaPublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
