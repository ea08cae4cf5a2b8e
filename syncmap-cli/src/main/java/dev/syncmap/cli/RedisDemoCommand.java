package dev.syncmap.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import dev.syncmap.VersionedMap;
import dev.syncmap.copy.Codecs;
import dev.syncmap.redis.RedisSink;
import dev.syncmap.replicate.Replicator;
import dev.syncmap.replicate.VersionedMapSource;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.embedded.RedisServer;

/**
 * {@code syncmap demo redis}: starts a redis-server (embedded-redis's 7.0.15 binary) on a free port, replicates a
 * {@link VersionedMap} into it through the {@link RedisSink}, and reads the replica back the way a service in any
 * language would: plain {@code SCAN} and {@code GET}, no syncmap code. Then Redis is restarted empty; the sink
 * notices (its epoch marker is gone), the pipeline re-anchors, and Redis is read back again. Each verdict is
 * checked; a failed one makes the command exit with status 1.
 */
@Command(name = "redis", mixinStandardHelpOptions = true,
        description = "Replicates a map into an embedded redis-server and reads the replica back from Redis.")
public final class RedisDemoCommand implements Callable<Integer> {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("syncmap-demo-redis");
        RedisServer server = server(port, dir);
        int failed = 0;
        try {
            server.start();
            out.println("redis-server 7.0.15 (embedded) on 127.0.0.1:" + port + ", no persistence");
            VersionedMap<String, String> users = VersionedMap.<String, String>builder().historyCount(1 << 16).build();
            for (int i = 0; i < 1_000; i++) {
                users.put("user:" + i, "{\"name\":\"user " + i + "\",\"visits\":0}");
            }
            try (RedisSink<String, String> sink = RedisSink.<String, String>builder().name("redis")
                     .address("127.0.0.1", port).keyPrefix("demo:").codecs(Codecs.STRING, Codecs.STRING).build();
                 Replicator<String, String> rep = Replicator.<String, String>builder().name("demo")
                     .source(new VersionedMapSource<>(users, "node-a")).sink(sink)
                     .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(200)).build()) {
                rep.start();
                for (int i = 0; i < 5_000; i++) {
                    int k = i % 1_200;
                    if (k % 7 == 3) {
                        users.remove("user:" + k);
                    } else {
                        users.put("user:" + k, "{\"name\":\"user " + k + "\",\"visits\":" + i + "}");
                    }
                }
                check(rep.awaitCaughtUp(WAIT), "the replicator caught up", out);
                out.println("source: " + users.size() + " users after 5,000 changes (puts and removals)");
                failed += verdict("replicated", users, port, out);
                try (Jedis j = client(port)) {
                    out.println("  redis-cli GET demo:user:42          -> " + j.get("demo:user:42"));
                    out.println("  redis-cli GET syncmap-meta:demo:v:user:42 -> " + j.get("syncmap-meta:demo:v:user:42")
                        + "   (revision:stamp:origin)");
                }
                server.stop();
                server = server(port, dir);
                server.start();
                out.println("redis-server restarted empty (no persistence): " + dbSize(port) + " keys");
                users.put("user:1", "{\"name\":\"user 1\",\"visits\":-1}"); // something to write after the loss
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (sink.epochLosses() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                check(sink.epochLosses() > 0, "the sink noticed the loss (epoch marker gone) and asked for an anchor",
                    out);
                failed += awaitVerdict("re-anchored", users, port, out);
            }
        } finally {
            server.stop();
            deleteTree(dir);
        }
        out.println(failed == 0 ? "Redis demo: all checks held." : "Redis demo: " + failed + " check(s) FAILED.");
        out.flush();
        return failed == 0 ? 0 : SyncmapCommand.EXIT_FAILURE;
    }

    private static RedisServer server(int port, Path dir) {
        return RedisServer.builder().port(port).bind("127.0.0.1").setting("save \"\"").setting("appendonly no")
            .setting("dir " + dir.toAbsolutePath()).build();
    }

    private static Jedis client(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
            .autoNegotiateProtocol(false).build());
    }

    private static long dbSize(int port) {
        try (Jedis j = client(port)) {
            return j.dbSize();
        }
    }

    /** Reads every demo:* key with plain SCAN + GET, as a reader outside the JVM would. */
    private static Map<String, String> readBack(int port) {
        Map<String, String> out = new HashMap<>();
        try (Jedis j = client(port)) {
            ScanParams p = new ScanParams().match("demo:*").count(500);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = j.scan(cursor, p);
                List<String> keys = page.getResult();
                if (!keys.isEmpty()) {
                    List<String> values = j.mget(keys.toArray(new String[0]));
                    for (int i = 0; i < keys.size(); i++) {
                        if (values.get(i) != null) {
                            out.put(keys.get(i).substring("demo:".length()), values.get(i));
                        }
                    }
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
        return out;
    }

    private static int verdict(String what, VersionedMap<String, String> users, int port, PrintWriter out) {
        Map<String, String> redis = readBack(port);
        boolean equal = redis.equals(new HashMap<>(users.snapshot()));
        out.println("read back from Redis (" + what + "): " + redis.size() + " keys -> "
            + (equal ? "equal to the source" : "DIFFERENT from the source"));
        return equal ? 0 : 1;
    }

    /** Waits (bounded) for Redis to equal the source, then gives the verdict. */
    private static int awaitVerdict(String what, VersionedMap<String, String> users, int port, PrintWriter out)
        throws InterruptedException {
        Map<String, String> expected = new HashMap<>(users.snapshot());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!readBack(port).equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return verdict(what, users, port, out);
    }

    private static void check(boolean ok, String what, PrintWriter out) {
        out.println((ok ? "  ok: " : "  FAILED: ") + what);
        if (!ok) {
            throw new IllegalStateException("demo check failed: " + what);
        }
    }

    /** Deletes a directory and everything under it (also used by {@link ReplicateDemoCommand}). */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
