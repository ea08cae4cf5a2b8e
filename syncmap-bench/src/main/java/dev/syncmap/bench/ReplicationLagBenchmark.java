package dev.syncmap.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.syncmap.VersionedMap;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * End-to-end replication lag, from the source commit to the change being visible in the replica, under an
 * open-loop load of {@code rate} changes per second (single {@code put}s from one writer thread on a Poisson
 * schedule, as in {@link OpenLoopLatency}); the full pipeline against a bare watch, as in
 * {@link ReplicationThroughputBenchmark} (see {@link ReplicationRig}). Target: p99 &le; 1 ms at 1 M changes/s.
 *
 * <p><b>How lag is measured.</b> Each value put into the source carries its intended start on the schedule and
 * the moment the writer issued the {@code put}; the replica is a {@code ConcurrentHashMap} whose {@code put}
 * (called by the sink, or by the bare watch's listener, when the change becomes visible) records
 * {@code now - issued} ({@code lag*}: commit to visible) and {@code now - intended} ({@code sched*}: the same plus
 * whatever delay the writer had in issuing it; free of coordinated omission, as a client on the schedule would see
 * it) into HdrHistograms. A change the pipeline folded into a later change to the same key (its resolve stage
 * does that within a batch) never reaches the replica itself and is not recorded: its successor is, so the
 * printed count of changes seen at the replica is below the count issued for the pipeline. The writer does not spin: it parks until the next change is due and then issues every
 * change that is due, so on a small machine it leaves the cores to the pipeline (a park overshoots by tens of
 * microseconds, which shows in {@code sched*} only). Changes intended in the first fifth of the schedule (at most
 * 2 s) warm up and are not recorded.
 *
 * <p>One invocation runs one schedule of {@code seconds} seconds ({@code SingleShotTime}; one JMH thread, do not
 * pass {@code -t}) and then waits until the last change is visible (at most 30 s). Secondary results (mean over
 * the measurement iterations, see {@link OpenLoopLatencyBenchmark.Latency}): {@code lagP50Ns}, {@code lagP99Ns},
 * {@code lagP999Ns}, {@code lagMaxNs}, {@code schedP99Ns}, {@code schedP999Ns}, {@code achievedPerSecond} (changes
 * issued per second, from the end of the warm-up to the last issue: below {@code rate} when the writer itself
 * could not keep up).
 */
public class ReplicationLagBenchmark extends OpenLoopSchedule {

    private static final int STREAM = 1 << 20;
    private static final long DRAIN_LIMIT_NS = TimeUnit.SECONDS.toNanos(30);

    /** {@code pipeline} or {@code bareWatch}. */
    @Param({ReplicationRig.PIPELINE, ReplicationRig.BARE_WATCH})
    public String path;

    /** The offered load, changes per second. */
    @Param({"1000000"})
    public double rate;

    /** The key space (all present from the start). */
    @Param({"100000"})
    public int keys;

    /** The length of one schedule, in seconds. */
    @Param({"5"})
    public double seconds;

    /** The pipeline's ring size. */
    @Param({"16384"})
    public int ringSize;

    /** The pipeline's largest sink batch. */
    @Param({"500"})
    public int sinkBatch;

    /** A value that knows when it was meant to be written and when it was. */
    static final class Stamped {
        final long intended;
        final long issued;
        final boolean measured;

        Stamped(long intended, long issued, boolean measured) {
            this.intended = intended;
            this.issued = issued;
            this.measured = measured;
        }
    }

    /** The replica: records each measured value's lag when it is put. */
    static final class LagRecordingMap extends ConcurrentHashMap<Integer, Stamped> {
        private static final long serialVersionUID = 1L;
        final transient Recorder lag = new Recorder(3);
        final transient Recorder sched = new Recorder(3);

        LagRecordingMap(int capacity) {
            super(capacity);
        }

        @Override
        public Stamped put(Integer key, Stamped value) {
            Stamped old = super.put(key, value);
            if (value.measured) {
                long now = System.nanoTime();
                lag.recordValue(Math.max(0, now - value.issued));
                sched.recordValue(Math.max(0, now - value.intended));
            }
            return old;
        }
    }

    private VersionedMap<Integer, Stamped> source;
    private LagRecordingMap replica;
    private ReplicationRig<Stamped> rig;
    private Integer[] stream;
    private double[] gaps;
    private int position;
    private int gapIndex;

    /**
     * Fills the source, starts the path, builds the key stream and the schedule's gaps.
     *
     * @param params the run's parameters
     */
    @Setup(Level.Trial)
    public void start(BenchmarkParams params) {
        if (params.getThreads() != 1) {
            throw new IllegalStateException("ReplicationLagBenchmark runs its own schedule: leave JMH at one thread");
        }
        source = VersionedMap.<Integer, Stamped>builder().historyCount(1 << 20).expectedSize(keys).build();
        replica = new LagRecordingMap(2 * keys);
        Integer[] boxed = Keys.boxed(keys);
        Map<Integer, Stamped> all = new HashMap<>();
        Stamped initial = new Stamped(0, 0, false);
        for (Integer k : boxed) {
            all.put(k, initial);
        }
        source.putAll(all);
        SplittableRandom random = new SplittableRandom(7);
        stream = new Integer[STREAM];
        for (int i = 0; i < STREAM; i++) {
            stream[i] = boxed[random.nextInt(keys)];
        }
        gaps = OpenLoopLatency.exponentialGaps(1e9 / rate, 7);
        rig = ReplicationRig.start(path, source, replica, ringSize, sinkBatch);
        Contender.settleHeap();
    }

    /** Stops the path and prints what it did. */
    @TearDown(Level.Trial)
    public void stop() {
        rig.close();
    }

    /** The percentiles of each schedule, exported as JMH secondary results (mean over measurement iterations). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Lag {
        /** Median commit-to-visible lag, ns. */
        public double lagP50Ns;
        /** 99th percentile, ns. */
        public double lagP99Ns;
        /** 99.9th percentile, ns. */
        public double lagP999Ns;
        /** Largest, ns. */
        public double lagMaxNs;
        /** 99th percentile from the intended start, ns. */
        public double schedP99Ns;
        /** 99.9th percentile from the intended start, ns. */
        public double schedP999Ns;
        /** Changes issued per second of the schedule. */
        public double achievedPerSecond;

        private double share;

        /**
         * Clears the counters and computes this iteration's share of the mean.
         *
         * @param params the run's parameters
         */
        @Setup(Level.Iteration)
        public void clear(BenchmarkParams params) {
            share = OpenLoopLatencyBenchmark.iterationShare(params);
            lagP50Ns = 0;
            lagP99Ns = 0;
            lagP999Ns = 0;
            lagMaxNs = 0;
            schedP99Ns = 0;
            schedP999Ns = 0;
            achievedPerSecond = 0;
        }
    }

    /**
     * Runs one schedule and waits until its last change is visible in the replica.
     *
     * @param out where the percentiles go
     * @return the number of changes recorded
     */
    @Benchmark
    public long schedule(Lag out) {
        Duration duration = Duration.ofNanos((long) (seconds * 1e9));
        long warmup = Math.min(duration.toNanos() / 5, TimeUnit.SECONDS.toNanos(2));
        long start = System.nanoTime() + 1_000_000;
        long measureFrom = start + warmup;
        long end = measureFrom + duration.toNanos();
        replica.lag.reset();
        replica.sched.reset();
        VersionedMap<Integer, Stamped> m = source;
        double next = start;
        long issued = 0;
        Integer lastKey = null;
        Stamped last = null;
        while (true) {
            long now = System.nanoTime();
            while ((long) next <= now) {
                long intended = (long) next;
                if (intended >= end) {
                    break;
                }
                Integer k = stream[position++ & (STREAM - 1)];
                Stamped v = new Stamped(intended, System.nanoTime(), intended >= measureFrom);
                m.put(k, v);
                lastKey = k;
                last = v;
                if (v.measured) {
                    issued++;
                }
                next += gaps[gapIndex++ & (gaps.length - 1)];
            }
            if ((long) next >= end) {
                break;
            }
            long wait = (long) next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        long finished = System.nanoTime();
        long deadline = finished + DRAIN_LIMIT_NS;
        while (lastKey != null && replica.get(lastKey) != last) {
            if (System.nanoTime() > deadline || rig.broken()) {
                throw new IllegalStateException("the last change did not reach the replica within 30 s: "
                        + rig.describe());
            }
            LockSupport.parkNanos(50_000);
        }
        Histogram lag = replica.lag.getIntervalHistogram();
        Histogram sched = replica.sched.getIntervalHistogram();
        double issuing = (Math.max(finished, end) - measureFrom) / 1e9;
        double s = out.share;
        out.lagP50Ns = lag.getValueAtPercentile(50) * s;
        out.lagP99Ns = lag.getValueAtPercentile(99) * s;
        out.lagP999Ns = lag.getValueAtPercentile(99.9) * s;
        out.lagMaxNs = lag.getMaxValue() * s;
        out.schedP99Ns = sched.getValueAtPercentile(99) * s;
        out.schedP999Ns = sched.getValueAtPercentile(99.9) * s;
        out.achievedPerSecond = issued / issuing * s;
        System.out.printf("%n# %s: lag p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us; from schedule p99 %.1f us,"
                        + " p99.9 %.1f us; %d changes issued at %.0f/s (%.0f/s offered), %d seen at the replica%n", path, lag.getValueAtPercentile(50) / 1e3,
                lag.getValueAtPercentile(99) / 1e3, lag.getValueAtPercentile(99.9) / 1e3, lag.getMaxValue() / 1e3,
                sched.getValueAtPercentile(99) / 1e3, sched.getValueAtPercentile(99.9) / 1e3, issued, issued / issuing, rate, lag.getTotalCount());
        return issued;
    }
}
