package dev.syncmap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.syncmap.copy.Codecs;
import dev.syncmap.replicate.Envelope;
import dev.syncmap.replicate.RocksSpillQueue;

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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The replication pipeline's durable spill queue ({@link RocksSpillQueue}, RocksDB): how fast a writer can spill
 * a down sink's batches, and how fast it drains them back (read, decode, delete) when the sink returns.
 *
 * <p>Each shot moves {@value #ENTRIES} batches of {@link #changesPerBatch} changes (integer keys, 16-character
 * string values, one origin): {@link #spill} appends them to an empty queue; {@link #drain} reads and removes
 * them from a queue filled before the shot. Score: <b>milliseconds per shot</b>; changes per second =
 * {@value #ENTRIES} × {@code changesPerBatch} / shot time. {@code sync=true} fsyncs every append.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, batchSize = SpillQueueBenchmark.ENTRIES)
@Measurement(iterations = 8, batchSize = SpillQueueBenchmark.ENTRIES)
@Fork(1)
public class SpillQueueBenchmark {

    /** Batches per shot. */
    static final int ENTRIES = 200;

    /** Changes per spilled batch (the replicator's default batch size is 500). */
    @Param({"500"})
    public int changesPerBatch;

    /** Whether every append is fsynced. */
    @Param({"false", "true"})
    public boolean sync;

    private Path dir;
    private RocksSpillQueue<Integer, String> queue;
    private List<Envelope<Integer, String>> batch;

    /**
     * Opens a queue in a temporary directory.
     *
     * @throws IOException if RocksDB cannot open it
     */
    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("syncmap-spill-bench");
        queue = RocksSpillQueue.open(dir, Codecs.INTEGER, Codecs.STRING, Long.MAX_VALUE, Duration.ofDays(365), sync);
        batch = new ArrayList<>(changesPerBatch);
        for (int i = 0; i < changesPerBatch; i++) {
            batch.add(Envelope.change("node-a", 1_000 + i / 4, 42L << 16, i * 7919, "value-" + (1_000_000_000 + i),
                i % 4 == 3));
        }
    }

    /**
     * Empties the queue, then (for {@link #drain}) fills it with a shot's batches.
     *
     * @param params which benchmark runs
     * @throws IOException if RocksDB fails
     */
    @Setup(Level.Iteration)
    public void prepare(BenchmarkParams params) throws IOException {
        queue.clear();
        if (params.getBenchmark().endsWith(".drain")) {
            for (int i = 0; i < ENTRIES; i++) {
                queue.append(batch, System.currentTimeMillis());
            }
        }
    }

    /**
     * Closes and deletes the queue.
     *
     * @throws IOException if the directory cannot be deleted
     */
    @TearDown(Level.Trial)
    public void close() throws IOException {
        queue.close();
        RocksSpillQueue.destroy(dir);
    }

    /**
     * Spills one batch (encodes, CRC32C, one RocksDB write batch).
     *
     * @return the queue's length
     * @throws IOException if RocksDB fails
     */
    @Benchmark
    public long spill() throws IOException {
        queue.append(batch, System.currentTimeMillis());
        return queue.entries();
    }

    /**
     * Drains one batch (reads, checks, decodes, deletes).
     *
     * @return the batch's size
     * @throws IOException if RocksDB fails
     */
    @Benchmark
    public int drain() throws IOException {
        List<Envelope<Integer, String>> b = queue.peek();
        queue.removeHead();
        return b.size();
    }
}
