package dev.syncmap.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.syncmap.VersionedMap;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end replication throughput, in changes per second <em>applied at the replica</em>: a
 * {@link VersionedMap} → the full pipeline (last-writer-wins, checkpoints on, one {@code MapReplicaSink} over a
 * {@link ConcurrentHashMap}), against the upper bound measured in the same run, a bare
 * {@link VersionedMap#watch watch} whose listener puts each change into a {@code ConcurrentHashMap}
 * ({@link ReplicationRig}). Targets: at least 5 M changes/s, and at least 0.5&times; the bare watch.
 *
 * <p><b>What one operation is.</b> One invocation commits {@value #CHUNK} changes from the benchmark thread (the
 * single writer: {@code put}s, or {@code putAll}s of {@code batch} keys, one revision each, over {@code keys}
 * uniformly drawn keys), then one fence {@code put} of a key outside the key space, and returns only when the
 * fence is visible in the replica. The replica is written in source order by one thread, so the fence's arrival
 * means every change of the chunk has been applied: the invocation's time is commit + replication of the whole
 * chunk, and with {@code @OperationsPerInvocation(CHUNK)} the score is changes applied at the replica per second
 * (the writer's own cost included, as for the bare watch). Pipelining across chunks is lost at each fence (the
 * pipeline drains while the writer waits); a chunk of 100,000 changes keeps that to a few percent. The history is
 * large enough that neither path falls behind it (the tear-down prints anchors: 1 means no re-anchor).
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is then bytes per change; the bare watch's figure is the
 * writer's and the feed's share, the difference the pipeline's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ReplicationThroughputBenchmark {

    /** Changes per invocation (divisible by every {@link #batch}). */
    public static final int CHUNK = 100_000;
    private static final int FENCE = -1;
    private static final int STREAM = 1 << 20;
    private static final long WAIT_LIMIT_NS = TimeUnit.SECONDS.toNanos(60);

    /** {@code pipeline} or {@code bareWatch}. */
    @Param({ReplicationRig.PIPELINE, ReplicationRig.BARE_WATCH})
    public String path;

    /** Keys per revision: 1 for single puts, more for {@code putAll} batches; must divide {@value #CHUNK}. */
    @Param({"1", "100"})
    public int batch;

    /** The key space (all present from the start: every change is an update). */
    @Param({"100000"})
    public int keys;

    /** The pipeline's ring size. */
    @Param({"16384"})
    public int ringSize;

    /** The pipeline's largest sink batch. */
    @Param({"500"})
    public int sinkBatch;

    private VersionedMap<Integer, Integer> source;
    private ConcurrentHashMap<Integer, Integer> replica;
    private ReplicationRig<Integer> rig;
    private Integer[] stream;
    private Map<Integer, Integer>[] batches;
    private int position;
    private int fence;

    /**
     * Fills the source, starts the path and waits until the replica has the content.
     */
    @Setup(Level.Trial)
    public void start() {
        if (batch < 1 || CHUNK % batch != 0) {
            throw new IllegalArgumentException("batch must divide " + CHUNK + ", was " + batch);
        }
        source = VersionedMap.<Integer, Integer>builder().historyCount(1 << 20).expectedSize(keys).build();
        replica = new ConcurrentHashMap<>(2 * keys);
        Integer[] boxed = Keys.boxed(keys);
        Map<Integer, Integer> all = new HashMap<>();
        for (Integer k : boxed) {
            all.put(k, k);
        }
        source.putAll(all);
        SplittableRandom random = new SplittableRandom(42);
        stream = new Integer[STREAM];
        for (int i = 0; i < STREAM; i++) {
            stream[i] = boxed[random.nextInt(keys)];
        }
        if (batch > 1) {
            @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array
            Map<Integer, Integer>[] bs = new Map[STREAM / batch];
            for (int b = 0; b < bs.length; b++) {
                Map<Integer, Integer> m = new HashMap<>(2 * batch);
                while (m.size() < batch) {
                    Integer k = boxed[random.nextInt(keys)];
                    m.put(k, k);
                }
                bs[b] = m;
            }
            batches = bs;
        }
        rig = ReplicationRig.start(path, source, replica, ringSize, sinkBatch);
        Contender.settleHeap();
    }

    /** Stops the path and prints what it did. */
    @TearDown(Level.Trial)
    public void stop() {
        rig.close();
    }

    /**
     * Commits {@value #CHUNK} changes and waits until the replica has applied them all.
     *
     * @return the fence value (consumed by JMH)
     */
    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public int writeChunkUntilApplied() {
        VersionedMap<Integer, Integer> m = source;
        if (batch == 1) {
            Integer[] s = stream;
            int p = position;
            for (int i = 0; i < CHUNK; i++) {
                Integer k = s[p++ & (STREAM - 1)];
                m.put(k, k);
            }
            position = p;
        } else {
            Map<Integer, Integer>[] bs = batches;
            int p = position;
            for (int i = 0; i < CHUNK / batch; i++) {
                m.putAll(bs[p++ % bs.length]);
            }
            position = p;
        }
        Integer f = ++fence;
        m.put(FENCE, f);
        long deadline = System.nanoTime() + WAIT_LIMIT_NS;
        while (!f.equals(replica.get(FENCE))) {
            if (System.nanoTime() > deadline || rig.broken()) {
                throw new IllegalStateException("the replica did not catch up within 60 s: " + rig.describe());
            }
            LockSupport.parkNanos(20_000);
        }
        return f;
    }
}
