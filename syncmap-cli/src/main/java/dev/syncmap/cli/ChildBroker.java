package dev.syncmap.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A one-node Kafka cluster (KRaft, combined broker and controller) in a child JVM: {@code kafka.Kafka} from this
 * process's class path, on free loopback ports, with its log directory under {@code dir}. It can be killed with
 * {@code kill -9} ({@link #kill}) and started again on the same log directory and the <i>same</i> port
 * ({@link #restart}), as a real broker restarts.
 *
 * <p>Settings from the project's real-servers recipe: one replica for the internal topics, and short broker
 * sessions ({@code broker.session.timeout.ms=3000}, {@code broker.heartbeat.interval.ms=500}) so that a restart
 * after {@code kill -9} is not refused with {@code DUPLICATE_BROKER_REGISTRATION} for long. The broker's output
 * goes to {@code dir/broker.log}. Not thread-safe: one thread starts, kills and closes it.
 */
final class ChildBroker implements AutoCloseable {

    private static final Duration READY = Duration.ofSeconds(60);

    private final Path dir;
    private final Path properties;
    private final int port;
    private Process process;

    private ChildBroker(Path dir, Path properties, int port) {
        this.dir = dir;
        this.properties = properties;
        this.port = port;
    }

    /**
     * Writes the broker's settings, formats its storage (a child {@code kafka.tools.StorageTool}) and starts it;
     * returns once it answers.
     *
     * @param dir the broker's directory (settings, log directory, output)
     * @return the running broker
     * @throws IOException if a child cannot be started or the broker does not answer in time
     * @throws InterruptedException if interrupted
     */
    static ChildBroker start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freePort();
        int controller = freePort();
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controller,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dir.resolve("data").toAbsolutePath(),
            "num.partitions=1",
            "auto.create.topics.enable=false",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "broker.session.timeout.ms=3000",
            "broker.heartbeat.interval.ms=500",
            ""));
        Process format = new ProcessBuilder(java("kafka.tools.StorageTool", "format", "-t",
            Uuid.randomUuid().toString(), "-c", props.toString()))
            .redirectErrorStream(true).redirectOutput(dir.resolve("format.log").toFile()).start();
        try {
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IOException("formatting the broker's storage failed (exit "
                    + (format.isAlive() ? "none: timed out" : format.exitValue()) + "): "
                    + Files.readString(dir.resolve("format.log")).strip());
            }
        } finally {
            format.destroyForcibly();
        }
        ChildBroker b = new ChildBroker(dir, props, port);
        b.launch();
        return b;
    }

    /**
     * Returns the bootstrap servers, {@code 127.0.0.1:port}; the same after a restart.
     *
     * @return the bootstrap servers
     */
    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /**
     * Kills the broker with {@code kill -9} and waits until it is gone.
     *
     * @throws InterruptedException if interrupted
     */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Starts the broker again on the same log directory and port; returns once it answers.
     *
     * @throws IOException if it cannot be started or does not answer in time
     * @throws InterruptedException if interrupted
     */
    void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        List<String> cmd = java("-Xmx512m", "kafka.Kafka", properties.toString());
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
        awaitAnswer();
    }

    /** Waits until the broker lists itself as a cluster node. */
    private void awaitAnswer() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY.toNanos();
        Map<String, Object> p = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("the Kafka broker exited with " + process.exitValue() + " at start; see "
                        + dir.resolve("broker.log"));
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the Kafka broker did not answer at " + bootstrapServers() + " within "
                            + READY + "; see " + dir.resolve("broker.log"), e);
                    }
                    Thread.sleep(200); // not up yet: ask again
                }
            }
        }
    }

    /** Kills the broker (its log directory stays; the caller owns {@code dir}). */
    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // SIGKILL was sent; only the wait for it was cut short
        }
    }

    /** A command line running {@code main} with these arguments in a JVM on this process's class path. */
    static List<String> java(String... mainAndArgs) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(mainAndArgs));
        return cmd;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
