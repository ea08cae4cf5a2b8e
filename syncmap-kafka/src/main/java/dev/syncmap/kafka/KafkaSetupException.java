package dev.syncmap.kafka;

/**
 * A node cannot start: the brokers cannot be reached, or the changelog topic is configured so that it would lose
 * or misorder changes. The message names the bootstrap servers or the topic, and what is wrong.
 */
public final class KafkaSetupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message and a cause.
     *
     * @param message what is wrong, naming the servers or topic
     * @param cause the underlying error, or null
     */
    public KafkaSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
