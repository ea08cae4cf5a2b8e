package dev.syncmap.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The changelog topic of one replicated map: its name, how many partitions it needs, and its replication
 * factor; {@link #ensure} creates it or checks an existing one.
 *
 * <p><b>Why these settings.</b> The topic is the map's state: {@code cleanup.policy=compact} (and nothing else)
 * keeps the latest record of every key forever, so a new node can rebuild the whole map from it. A topic that
 * also deletes by time or size ({@code delete} or {@code compact,delete}) would silently drop keys that were not
 * written recently, so it is refused. Records are partitioned by key, so one key's changes stay in order;
 * fewer partitions than configured means the deployment is not the one this node was configured for (and
 * partitions are never removed), so that is refused too; more are accepted.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the topic's name
 * @param partitions the partitions to create, and the least an existing topic must have; positive
 * @param replicationFactor the replication factor to create with; positive
 */
public record ChangelogTopic(String name, int partitions, short replicationFactor) {

    /** The default number of partitions (parallelism of a node's initial read). */
    public static final int DEFAULT_PARTITIONS = 4;

    /**
     * Validates the fields.
     *
     * @param name the topic name, not blank
     * @param partitions positive
     * @param replicationFactor positive
     */
    public ChangelogTopic {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        }
        if (replicationFactor <= 0) {
            throw new IllegalArgumentException("replicationFactor must be positive, got " + replicationFactor);
        }
    }

    /**
     * A topic with {@link #DEFAULT_PARTITIONS} partitions and replication factor 1 (a one-broker cluster; use
     * 3 in production).
     *
     * @param name the topic name
     * @return the topic
     */
    public static ChangelogTopic named(String name) {
        return new ChangelogTopic(name, DEFAULT_PARTITIONS, (short) 1);
    }

    /**
     * Creates the topic if it is absent; checks it otherwise.
     *
     * @param admin an admin client of the cluster
     * @param timeout the longest each request to the cluster may take
     * @return true if this call created the topic
     * @throws KafkaSetupException if the cluster does not answer in time, or the existing topic is not compacted
     *     or has too few partitions (the message names the topic and the setting)
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean ensure(Admin admin, Duration timeout) throws InterruptedException {
        boolean created = false;
        if (describe(admin, timeout) == null) {
            NewTopic t = new NewTopic(name, partitions, replicationFactor)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                await(admin.createTopics(List.of(t)).all(), timeout, "create topic " + name);
                created = true;
            } catch (KafkaSetupException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                // another node created it at the same time: check what it created
            }
        }
        check(admin, timeout);
        return created;
    }

    private void check(Admin admin, Duration timeout) throws InterruptedException {
        // a topic just created may take a moment to show in the metadata of the broker that answers
        long deadline = System.nanoTime() + timeout.toNanos();
        TopicDescription d = describe(admin, timeout);
        while (d == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
            d = describe(admin, timeout);
        }
        if (d == null) {
            throw new KafkaSetupException("changelog topic " + name + " was created but did not appear in the"
                + " cluster's metadata within " + timeout, null);
        }
        if (d.partitions().size() < partitions) {
            throw new KafkaSetupException("changelog topic " + name + " has " + d.partitions().size()
                + " partitions, fewer than the " + partitions + " this node is configured for: refusing it", null);
        }
        ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, name);
        Map<ConfigResource, Config> configs = await(admin.describeConfigs(Set.of(res)).all(), timeout,
            "describe the configuration of topic " + name);
        ConfigEntry policy = configs.get(res).get(TopicConfig.CLEANUP_POLICY_CONFIG);
        String value = policy == null ? null : policy.value();
        if (!TopicConfig.CLEANUP_POLICY_COMPACT.equals(value)) {
            throw new KafkaSetupException("changelog topic " + name + " has cleanup.policy=" + value
                + "; a changelog must be cleanup.policy=compact only (delete would drop keys not written"
                + " recently): refusing it", null);
        }
    }

    /** Describes the topic; null if it does not exist. */
    private TopicDescription describe(Admin admin, Duration timeout) throws InterruptedException {
        try {
            return await(admin.describeTopics(List.of(name)).allTopicNames(), timeout, "describe topic " + name)
                .get(name);
        } catch (KafkaSetupException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    /**
     * Waits for an admin result; failures and time-outs become a {@link KafkaSetupException} naming the action.
     */
    static <T> T await(org.apache.kafka.common.KafkaFuture<T> f, Duration timeout, String action)
        throws InterruptedException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new KafkaSetupException("could not " + action + ": " + cause, cause);
        } catch (TimeoutException e) {
            throw new KafkaSetupException("could not " + action + " within " + timeout
                + ": no broker answered (are the bootstrap servers right and reachable?)", e);
        }
    }
}
