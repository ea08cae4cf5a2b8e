package dev.syncmap.redis;

import java.io.IOException;

/**
 * Redis could not be reached or refused the sink: a wrong address, a wrong password, a server that is down. The
 * message names the sink, the address and what to check. Thrown by {@link RedisSink#verify()} and by writes (the
 * pipeline retries those, and its breaker and spill take over while Redis stays unreachable).
 */
public class RedisSinkException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed, naming the sink and the address
     * @param cause the client's exception
     */
    public RedisSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
