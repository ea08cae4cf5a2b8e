package dev.syncmap.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import dev.syncmap.copy.Codecs;
import dev.syncmap.redis.RedisSink;
import dev.syncmap.replicate.Envelope;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.embedded.RedisServer;

/**
 * The Redis sink's version-checked apply beside the physical limit of the same client on the same server: one
 * operation is one batch of {@link #batch} changes over {@link #keys} keys (uniform, precomputed), values of
 * {@link #valueBytes} bytes, written to a redis-server 7.0.15 (embedded-redis) that each fork starts on a free
 * port without persistence.
 * <ul>
 *   <li>{@link #versionedApply}: {@link RedisSink#write} (coalesce per key, one script call per 200 changes,
 *       pipelined; every change newer than what Redis holds, so every one is applied);</li>
 *   <li>{@link #pipelinedSet}: plain {@code SET}s of the same keys and values, one pipeline per batch (Jedis);</li>
 *   <li>{@link #naiveSet}: one {@code SET} and one round trip per change (Jedis), the writer the sink must beat.</li>
 * </ul>
 * Mode {@code SampleTime}: the score is the time per batch, with p50/p99 (apply latency per batch); changes per
 * second = {@code batch} / mean time. Compare the three from one run: the machine is shared and noisy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RedisApplyBenchmark {

    /** Keys written. */
    @Param({"100000"})
    public int keys;

    /** Changes per batch. */
    @Param({"500"})
    public int batch;

    /** Bytes per value. */
    @Param({"100"})
    public int valueBytes;

    private RedisServer server;
    private Jedis jedis;
    private RedisSink<String, String> sink;
    private String[] keyNames;
    private byte[][] plainKeys;
    private String[] values;
    private byte[][] valueBytesOf;
    private int[] order;
    private int cursor;
    private long revision;
    private final List<Envelope<String, String>> envelopes = new ArrayList<>();

    /**
     * Starts the server and the clients, precomputes keys, values and the key order.
     *
     * @throws IOException if no port is free
     */
    @Setup(Level.Trial)
    public void start() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        server = RedisServer.builder().port(port).bind("127.0.0.1").setting("save \"\"").setting("appendonly no")
            .build();
        server.start();
        jedis = new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
            .autoNegotiateProtocol(false).build());
        sink = RedisSink.<String, String>builder().address("127.0.0.1", port).keyPrefix("bench:")
            .codecs(Codecs.STRING, Codecs.STRING).build();
        keyNames = new String[keys];
        plainKeys = new byte[keys][];
        for (int i = 0; i < keys; i++) {
            keyNames[i] = "key-" + i;
            plainKeys[i] = ("plain:key-" + i).getBytes(StandardCharsets.UTF_8);
        }
        values = new String[16];
        valueBytesOf = new byte[values.length][];
        for (int v = 0; v < values.length; v++) {
            char[] c = new char[valueBytes];
            Arrays.fill(c, (char) ('a' + v));
            values[v] = new String(c);
            valueBytesOf[v] = values[v].getBytes(StandardCharsets.UTF_8);
        }
        SplittableRandom rnd = new SplittableRandom(42);
        order = new int[1 << 20];
        for (int i = 0; i < order.length; i++) {
            order[i] = rnd.nextInt(keys);
        }
    }

    /** Stops the clients and the server. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            sink.close();
            jedis.close();
        } finally {
            server.stop();
        }
    }

    private int nextKey() {
        int k = order[cursor];
        cursor = (cursor + 1) & (order.length - 1);
        return k;
    }

    /**
     * One batch through the sink's version-checked script.
     *
     * @return how many changes the sink has applied so far (consumed by JMH)
     * @throws IOException if Redis fails
     */
    @Benchmark
    public long versionedApply() throws IOException {
        envelopes.clear();
        long stamp = System.currentTimeMillis() << 16;
        for (int i = 0; i < batch; i++) {
            revision++;
            int k = nextKey();
            envelopes.add(Envelope.change("node-a", revision, stamp, keyNames[k], values[k & 15], true));
        }
        sink.write(envelopes);
        return sink.applied();
    }

    /**
     * One batch of plain SETs in one pipeline.
     *
     * @return the number of keys set
     */
    @Benchmark
    public int pipelinedSet() {
        try (Pipeline p = jedis.pipelined()) {
            for (int i = 0; i < batch; i++) {
                int k = nextKey();
                p.set(plainKeys[k], valueBytesOf[k & 15]);
            }
            p.sync();
        }
        return batch;
    }

    /**
     * One batch of SETs, one round trip each.
     *
     * @return the number of keys set
     */
    @Benchmark
    public int naiveSet() {
        for (int i = 0; i < batch; i++) {
            int k = nextKey();
            jedis.set(plainKeys[k], valueBytesOf[k & 15]);
        }
        return batch;
    }
}
