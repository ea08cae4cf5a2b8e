package dev.syncmap.kafka;

/**
 * Receives the changelog records an applier could not decode. Called on the applier's thread; it should return
 * quickly (queue the record for an operator, count it) and must not throw (a throw is logged and ignored).
 */
@FunctionalInterface
public interface UnreadableRecordListener {

    /**
     * Reports one unreadable record.
     *
     * @param topic the topic
     * @param partition the partition
     * @param offset the record's offset
     * @param cause why it could not be read (names the codec or header)
     */
    void onUnreadable(String topic, int partition, long offset, Exception cause);
}
