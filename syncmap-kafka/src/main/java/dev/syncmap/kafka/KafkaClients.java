package dev.syncmap.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Settings shared by the Kafka clients a node makes (producer, consumer, admin). */
final class KafkaClients {

    private KafkaClients() {}

    /**
     * Checks that client settings name the bootstrap servers.
     *
     * @param props the caller's settings
     * @return the same map
     */
    static Map<String, Object> checked(Map<String, Object> props) {
        Objects.requireNonNull(props, "clientProps");
        Object servers = props.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || String.valueOf(servers).isBlank()) {
            throw new IllegalArgumentException("clientProps: " + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG
                + " is required");
        }
        return props;
    }

    /**
     * Admin settings: the caller's, with request and API timeouts short enough for a bounded start.
     *
     * @param props the caller's settings
     * @return the admin client's settings
     */
    static Properties adminProperties(Map<String, Object> props) {
        Properties p = new Properties();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        p.putAll(checked(props));
        return p;
    }

    /**
     * The bootstrap servers, for messages.
     *
     * @param props the settings
     * @return the servers as configured
     */
    static String servers(Map<String, Object> props) {
        return String.valueOf(props.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }
}
