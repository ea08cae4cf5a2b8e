package dev.syncmap.bench;

import java.time.Duration;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * {@link OpenLoopLatency} under JMH, so that latency runs get JMH's forking, JVM options, warm-up iterations,
 * profilers and JSON output like every other benchmark.
 *
 * <p>Why {@code SingleShotTime}: an open-loop run cannot be a JMH throughput loop, because JMH decides when to
 * call the benchmark method and would impose a closed loop. Instead one invocation runs a whole schedule of
 * {@code seconds} seconds, with its own {@code workers} threads issuing requests on a Poisson schedule of
 * {@code rate} requests per second; JMH runs exactly one benchmark thread ({@code @Threads(1)}, do not pass
 * {@code -t}). Warm-up iterations run the same schedule unrecorded (the JIT warms on the real code path).
 *
 * <p>Results: the primary score is the wall time of a schedule in milliseconds (about {@code seconds * 1000};
 * clearly more means the map fell behind and drained its backlog). The latencies are JMH secondary results
 * (an {@link AuxCounters} state): {@code p50Ns}, {@code p90Ns}, {@code p99Ns}, {@code p999Ns}, {@code maxNs}
 * (from the intended start, coordinated-omission free), {@code achievedOpsPerSecond}, {@code dropped}, and
 * {@code serviceP999Ns} (the closed-loop view, for contrast), {@code p99GcShare} and {@code p999GcShare} (the
 * share of the requests at or above each percentile that overlapped a garbage-collection pause, see
 * {@link TailAttribution}). Each measurement iteration (of each fork) contributes its own percentiles and JMH reports their mean over all of them (see {@link Latency} for how);
 * for a percentile of all requests together use {@link OpenLoopLatency#run} directly, which merges the
 * histograms.
 */
public class OpenLoopLatencyBenchmark extends OpenLoopSchedule {

    /** The contender. */
    @Param
    public Contender map;

    /** The key space (about half present). */
    @Param({"100000"})
    public int keys;

    /** {@code uniform} or {@code zipf}. */
    @Param({"zipf"})
    public String dist;

    /** The arrival rate, all workers together, in requests per second. */
    @Param({"200000"})
    public double rate;

    /** The number of worker threads issuing requests. */
    @Param({"2"})
    public int workers;

    /** The length of one recorded schedule, in seconds. */
    @Param({"5"})
    public double seconds;

    private OpenLoopLatency.Schedule schedule;
    private Duration duration;

    /**
     * Creates and fills the map, and builds the schedule's operations and gaps, once per trial.
     *
     * @param params the run's parameters
     * @throws IllegalStateException if JMH was asked for more than one benchmark thread
     */
    @Setup(Level.Trial)
    public void prepare(BenchmarkParams params) {
        if (params.getThreads() != 1) {
            throw new IllegalStateException("OpenLoopLatencyBenchmark runs its own worker threads: set -p workers=N"
                    + " and leave JMH at one thread (got -t " + params.getThreads() + ")");
        }
        duration = Duration.ofNanos((long) (seconds * 1e9));
        schedule = OpenLoopLatency.prepare(map.create(), keys, dist, rate, workers, true);
    }

    /**
     * The latency percentiles of each schedule, exported as JMH secondary results.
     *
     * <p>JMH merges the {@code EVENTS} counters of all measurement iterations of all forks by <em>summing</em>
     * them (they are meant to count events). To report the mean over those iterations instead, each iteration
     * exports its values divided by {@code forks * measurementIterations}, so that the sum JMH prints is the mean.
     * The per-iteration lines JMH prints while running are scaled by the same factor.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Latency {
        /** Median latency from intended start, ns. */
        public double p50Ns;
        /** 90th percentile, ns. */
        public double p90Ns;
        /** 99th percentile, ns. */
        public double p99Ns;
        /** 99.9th percentile, ns. */
        public double p999Ns;
        /** Largest latency, ns. */
        public double maxNs;
        /** Requests not issued by the deadline. */
        public double dropped;
        /** Completed requests per second of the measured window. */
        public double achievedOpsPerSecond;
        /** 99.9th percentile of service time (issue to completion), ns. */
        public double serviceP999Ns;
        /** Share (0 to 1) of the requests at or above the 99th percentile that overlapped a GC pause. */
        public double p99GcShare;
        /** Share (0 to 1) of the requests at or above the 99.9th percentile that overlapped a GC pause. */
        public double p999GcShare;

        private double share;

        /**
         * Clears the counters before each iteration and computes this iteration's share of the mean.
         *
         * @param params the run's parameters (fork and iteration counts)
         */
        @Setup(Level.Iteration)
        public void clear(BenchmarkParams params) {
            share = iterationShare(params);
            export(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        void export(OpenLoopLatency.LatencyResult r) {
            export(r.p50Ns(), r.p90Ns(), r.p99Ns(), r.p999Ns(), r.maxNs(), r.dropped(), r.achievedOpsPerSecond(),
                    r.serviceP999Ns(), r.tail().p99GcShare(), r.tail().p999GcShare());
        }

        private void export(double p50, double p90, double p99, double p999, double max, double droppedCount,
                            double achieved, double serviceP999, double p99Gc, double p999Gc) {
            p50Ns = p50 * share;
            p90Ns = p90 * share;
            p99Ns = p99 * share;
            p999Ns = p999 * share;
            maxNs = max * share;
            dropped = droppedCount * share;
            achievedOpsPerSecond = achieved * share;
            serviceP999Ns = serviceP999 * share;
            p99GcShare = p99Gc * share;
            p999GcShare = p999Gc * share;
        }
    }

    /**
     * Runs one whole open-loop schedule.
     *
     * @param latency where the percentiles are exported
     * @return the number of requests recorded
     */
    @Benchmark
    public long schedule(Latency latency) {
        OpenLoopLatency.LatencyResult result = schedule.execute(duration, Duration.ZERO);
        latency.export(result);
        return result.count();
    }

    /**
     * One measured iteration's weight in the run's mean of an aux counter: 1 / (forks × measurement iterations).
     *
     * @param params the run's parameters
     * @return the weight
     */
    static double iterationShare(BenchmarkParams params) {
        return 1.0 / ((double) Math.max(1, params.getForks()) * Math.max(1, params.getMeasurement().getCount()));
    }
}
