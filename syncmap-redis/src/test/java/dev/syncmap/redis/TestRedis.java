package dev.syncmap.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;
import redis.embedded.RedisServerBuilder;

/**
 * A real redis-server (embedded-redis's 7.0.15 binary) for the tests: a free port, files in a test's temporary
 * directory, no background saves; optionally AOF with {@code appendfsync always}. It can be stopped gracefully,
 * killed with SIGKILL, and started again on the same port and directory. Always {@link #close()} it (in a finally
 * or {@code @AfterAll}).
 */
final class TestRedis implements AutoCloseable {

    final int port;
    private final Path dir;
    private final boolean aof;
    private final String password;
    private RedisServer server;

    private TestRedis(Path dir, boolean aof, String password) throws IOException {
        this.port = freePort();
        this.dir = Files.createDirectories(dir);
        this.aof = aof;
        this.password = password;
    }

    /** Starts a server without persistence. */
    static TestRedis start(Path dir) throws IOException {
        return start(dir, false, null);
    }

    /** Starts a server. */
    static TestRedis start(Path dir, boolean aof, String password) throws IOException {
        TestRedis r = new TestRedis(dir, aof, password);
        r.start();
        return r;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts (again) on the same port and directory. */
    void start() {
        RedisServerBuilder b = RedisServer.builder().port(port).bind("127.0.0.1").setting("save \"\"")
            .setting("dir " + dir.toAbsolutePath());
        if (aof) {
            b.setting("appendonly yes").setting("appendfsync always");
        } else {
            b.setting("appendonly no");
        }
        if (password != null) {
            b.setting("requirepass " + password);
        }
        server = b.build();
        server.start();
    }

    /** Stops gracefully (SIGTERM: an AOF server flushes first). */
    void stop() {
        RedisServer s = server;
        server = null;
        if (s != null) {
            s.stop();
        }
    }

    /** Kills the server with SIGKILL (no chance to save anything), then resets the wrapper. */
    void killNine() throws InterruptedException {
        long pid;
        try (Jedis j = client()) {
            String info = j.info("server");
            pid = info.lines().filter(l -> l.startsWith("process_id:")).map(l -> Long.parseLong(l.substring(11).trim()))
                .findFirst().orElseThrow(() -> new IllegalStateException("no process_id in INFO server"));
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent()) {
            h.get().destroyForcibly();
            h.get().onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        }
        stop();
    }

    Jedis client() {
        Jedis j = new Jedis("127.0.0.1", port, (int) Duration.ofSeconds(2).toMillis());
        if (password != null) {
            j.auth(password);
        }
        return j;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
