package dev.syncmap.kafka;

/**
 * What an applier does with a changelog record it cannot decode (written with another codec, by a client that
 * is not syncmap, or damaged). Never silent: under either policy the record is logged at ERROR with its topic,
 * partition and offset and the decoding error, counted ({@link ChangelogApplier#unreadableRecords()}), and
 * passed to the node's {@link UnreadableRecordListener}.
 */
public enum UnreadableRecordPolicy {

    /**
     * Report the record and go on with the next one: the node's map lacks that change (the key keeps what other
     * records say). Right when a foreign writer may share the topic and availability matters more than the
     * change.
     */
    REPORT_AND_SKIP,

    /**
     * Report the record and stop applying: the node stays at the record's offset, {@code awaitReady} and
     * {@code awaitCaughtUp} fail naming it, and an operator repairs the topic or the configuration (the codecs).
     */
    FAIL
}
