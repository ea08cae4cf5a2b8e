package dev.syncmap.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles of a map under an open-loop load: requests arrive on a Poisson schedule whether or not
 * earlier ones have finished, at the 97.3:2.7 read:write mix ({@link #READ_FRACTION}), and each latency is measured from the
 * request's <em>intended</em> start on that schedule. A map that stalls for 200 ms therefore shows every request
 * that should have started during the stall as late, as a real client would see it, instead of only the one
 * request that hit the stall ("coordinated omission", which a closed-loop harness that times each call from its
 * actual start suffers from).
 *
 * <p>Implementation notes.
 * <ul>
 *   <li><b>Schedule.</b> Each of {@code threads} workers owns an independent Poisson stream of rate
 *       {@code target / threads}; their superposition is a Poisson stream of rate {@code target}. A request waits
 *       only for its own worker (like one client connection per worker, as wrk2 does). Inter-arrival gaps are
 *       exponential, precomputed (65,536 per worker, rescaled so their mean is exactly {@code 1 / rate}) and
 *       cycled, so no random number is drawn while measuring.</li>
 *   <li><b>Operations.</b> The same precomputed streams as {@link MixBenchmark} (see {@link OpStream}): 97.3 %
 *       gets, 2.7 % writes split evenly between put and remove, about half of the keys present.</li>
 *   <li><b>Timing.</b> A worker waits for the intended start (parking while more than 200 µs early, until
 *       about 100 µs before it, then spinning; a late wake-up counts as latency, as in a real client), runs
 *       the operation and records {@code done - intended} into its own HdrHistogram (3 significant digits), and,
 *       separately, the service time {@code done - issued} that a closed-loop tool
 *       would report. When a worker is behind it issues immediately; the wait shows up in the latency.</li>
 *   <li><b>Bounded duration.</b> Requests are scheduled over {@code warmup + duration}; only those intended
 *       after the warm-up are recorded. A worker that falls behind keeps draining its backlog until a deadline of
 *       {@code duration} after the schedule's end; requests still not issued then are recorded with the lower
 *       bound {@code deadline - intended} and counted as {@code dropped}. The wall time is therefore at most
 *       {@code warmup + 2 * duration} (plus setup).</li>
 *   <li><b>Tail attribution.</b> Each worker also keeps every recorded request's completion time and latency
 *       (arrays sized before the run from the schedule, so nothing is allocated while measuring), and the run
 *       records the collector's pauses ({@link GcPauses}); the requests at or above the 99th and 99.9th percentiles
 *       are then split into those that overlapped a pause and the rest ({@link TailAttribution}).</li>
 *   <li><b>Thread-safety.</b> Each worker writes only its own histograms and counters; the caller reads them
 *       after {@code join()}, which orders the writes before the reads.</li>
 * </ul>
 */
public final class OpenLoopLatency {

    /** The share of reads of the source writing's latency claim: the 97.3:2.7 read:write mix. */
    public static final double READ_FRACTION = 0.973;

    private static final int GAP_COUNT = 1 << 16;
    private static final long PARK_THRESHOLD_NS = 200_000;
    private static final long PARK_MARGIN_NS = 100_000;
    private static final long START_DELAY_NS = 20_000_000;

    private OpenLoopLatency() {
    }

    /**
     * The outcome of one open-loop run. Latencies are in nanoseconds, from intended start to completion, over the
     * measured (post-warm-up) part of the schedule.
     *
     * @param p50Ns median latency
     * @param p90Ns 90th percentile
     * @param p99Ns 99th percentile
     * @param p999Ns 99.9th percentile
     * @param maxNs the largest latency recorded
     * @param count completed requests recorded
     * @param dropped requests not issued by the deadline (recorded with a lower-bound latency, not in count)
     * @param targetOpsPerSecond the schedule's rate
     * @param achievedOpsPerSecond completed requests per second of the measured window (less than the target when
     *        the map could not keep up)
     * @param serviceP50Ns median service time (issue to completion): what a closed-loop harness would report
     * @param serviceP99Ns 99th percentile service time
     * @param serviceP999Ns 99.9th percentile service time
     * @param tail which share of the requests at or above the 99th and 99.9th percentiles overlapped a
     *        garbage-collection pause ({@link TailAttribution})
     */
    public record LatencyResult(long p50Ns, long p90Ns, long p99Ns, long p999Ns, long maxNs, long count,
                                long dropped, double targetOpsPerSecond, double achievedOpsPerSecond,
                                long serviceP50Ns, long serviceP99Ns, long serviceP999Ns, TailAttribution tail) {

        /** A one-line summary in microseconds. */
        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "p50=%.1fus p90=%.1fus p99=%.1fus p99.9=%.1fus max=%.1fus count=%d dropped=%d "
                            + "target=%.0f/s achieved=%.0f/s (service p99.9=%.1fus) "
                            + "gc: %d pauses, %.1fms, %.0f%% of the p99 tail, %.0f%% of the p99.9 tail",
                    p50Ns / 1e3, p90Ns / 1e3, p99Ns / 1e3, p999Ns / 1e3, maxNs / 1e3, count, dropped,
                    targetOpsPerSecond, achievedOpsPerSecond, serviceP999Ns / 1e3, tail.pauses(),
                    tail.pauseNs() / 1e6, 100 * tail.p99GcShare(), 100 * tail.p999GcShare());
        }
    }

    /**
     * Runs an open-loop schedule against a new, pre-populated map of the named contender, with a warm-up of a
     * fifth of the duration (at most 2 s) that is run but not recorded. The heap is collected after the map is
     * filled and the schedule built ({@link Contender#settleHeap()}), so that every contender starts from a
     * collected heap: a collection during the run is then one its own operations caused.
     *
     * @param map the contender
     * @param keys the key space (about half present)
     * @param dist {@code uniform} or {@code zipf}
     * @param targetOpsPerSecond the arrival rate, all workers together
     * @param threads the number of workers
     * @param duration the measured part of the schedule
     * @return the percentiles
     * @throws IllegalArgumentException for a bad argument
     */
    public static LatencyResult run(Contender map, int keys, String dist, double targetOpsPerSecond, int threads,
                                    Duration duration) {
        Duration warmup = duration.dividedBy(5);
        if (warmup.compareTo(Duration.ofSeconds(2)) > 0) {
            warmup = Duration.ofSeconds(2);
        }
        Schedule schedule = prepare(map.create(), keys, dist, targetOpsPerSecond, threads, true);
        Contender.settleHeap();
        return schedule.execute(duration, warmup);
    }

    /**
     * Prepares a schedule against a given map: validates the arguments, optionally fills the map with the
     * standard initial population and builds every worker's operations and gaps. The returned schedule can be
     * executed several times (each execution continues on the same map).
     *
     * @param map the map under test; it must accept {@code Integer} keys in {@code [0, keys)}
     * @param keys the key space
     * @param dist {@code uniform} or {@code zipf}
     * @param targetOpsPerSecond the arrival rate, all workers together, in (0, 1e9]
     * @param threads the number of workers, at least 1
     * @param populate whether to put the initial population (about half of the keys) into the map first
     * @return the prepared schedule
     * @throws IllegalArgumentException for a bad argument
     */
    public static Schedule prepare(Map<Integer, Integer> map, int keys, String dist, double targetOpsPerSecond,
                                   int threads, boolean populate) {
        if (!(targetOpsPerSecond > 0) || targetOpsPerSecond > 1e9) {
            throw new IllegalArgumentException("target rate must be in (0, 1e9] operations per second, was "
                    + targetOpsPerSecond);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        String distribution = Keys.normalizeDistribution(dist);
        Integer[] boxed = Keys.boxed(keys);
        if (populate) {
            OpStream.populate(map, boxed);
        }
        double meanGapNs = 1e9 * threads / targetOpsPerSecond;
        List<Worker> workers = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            long seed = OpStream.threadSeed(t);
            workers.add(new Worker(map, OpStream.generate(READ_FRACTION, distribution, boxed, OpStream.STREAM_LENGTH,
                    seed), exponentialGaps(meanGapNs, seed)));
        }
        return new Schedule(workers, targetOpsPerSecond);
    }

    /** {@code GAP_COUNT} exponential gaps with mean exactly {@code meanGapNs}. */
    static double[] exponentialGaps(double meanGapNs, long seed) {
        SplittableRandom random = new SplittableRandom(OpStream.mix64(seed ^ 0xA55A_A55AL));
        double[] gaps = new double[GAP_COUNT];
        double sum = 0;
        for (int i = 0; i < GAP_COUNT; i++) {
            gaps[i] = -Math.log(1.0 - random.nextDouble()); // 1 - u in (0, 1]: finite
            sum += gaps[i];
        }
        double scale = meanGapNs * GAP_COUNT / sum;
        for (int i = 0; i < GAP_COUNT; i++) {
            gaps[i] *= scale;
        }
        return gaps;
    }

    /**
     * A prepared open-loop schedule: workers with their operations and inter-arrival gaps. Not thread-safe:
     * execute it from one thread at a time.
     */
    public static final class Schedule {
        private final List<Worker> workers;
        private final double targetOpsPerSecond;

        Schedule(List<Worker> workers, double targetOpsPerSecond) {
            this.workers = workers;
            this.targetOpsPerSecond = targetOpsPerSecond;
        }

        /**
         * Runs the schedule: {@code warmup} unrecorded, then {@code duration} recorded. Blocks until every
         * worker has finished (at most {@code warmup + 2 * duration} after the start).
         *
         * @param duration the recorded part, positive
         * @param warmup the unrecorded lead-in, zero or positive
         * @return the merged percentiles
         * @throws IllegalArgumentException for a non-positive duration or a negative warm-up
         * @throws IllegalStateException if a map operation threw (the first failure is the cause)
         */
        public LatencyResult execute(Duration duration, Duration warmup) {
            if (duration.isNegative() || duration.isZero() || warmup.isNegative()) {
                throw new IllegalArgumentException("duration must be positive and warm-up not negative, were "
                        + duration + " and " + warmup);
            }
            long start = System.nanoTime() + START_DELAY_NS;
            long measureFrom = start + warmup.toNanos();
            long end = measureFrom + duration.toNanos();
            long deadline = end + duration.toNanos();
            List<Thread> threads = new ArrayList<>(workers.size());
            for (int i = 0; i < workers.size(); i++) {
                Worker worker = workers.get(i);
                worker.reset(start, measureFrom, end, deadline);
                Thread thread = new Thread(worker, "syncmap-open-loop-" + i);
                thread.setDaemon(true);
                threads.add(thread);
            }
            GcPauses gc = GcPauses.open();
            try {
                threads.forEach(Thread::start);
                joinAll(threads);
            } finally {
                gc.close(); // waits for the notifications of the last pauses
            }
            List<GcPauses.Pause> pauses = gc.pauses();

            Histogram response = new Histogram(3);
            Histogram service = new Histogram(3);
            long count = 0;
            long dropped = 0;
            long lastDone = end;
            RuntimeException failure = null;
            for (Worker worker : workers) {
                if (worker.failure != null) {
                    if (failure == null) {
                        failure = new IllegalStateException("a map operation failed during the schedule",
                                worker.failure);
                    } else {
                        failure.addSuppressed(worker.failure);
                    }
                }
                response.add(worker.response);
                service.add(worker.service);
                count += worker.completed;
                dropped += worker.dropped;
                lastDone = Math.max(lastDone, worker.lastDone);
            }
            if (failure != null) {
                throw failure;
            }
            double seconds = (lastDone - measureFrom) / 1e9;
            long p99 = response.getValueAtPercentile(99);
            long p999 = response.getValueAtPercentile(99.9);
            TailAttribution tail = attribute(response.lowestEquivalentValue(p99), response.lowestEquivalentValue(p999),
                    pauses, measureFrom, lastDone);
            return new LatencyResult(response.getValueAtPercentile(50), response.getValueAtPercentile(90),
                    p99, p999, response.getMaxValue(), count, dropped, targetOpsPerSecond, count / seconds,
                    service.getValueAtPercentile(50), service.getValueAtPercentile(99),
                    service.getValueAtPercentile(99.9), tail);
        }

        /** Attributes the slow requests of every worker to the collector or not; see {@link TailAttribution}. */
        private TailAttribution attribute(long p99, long p999, List<GcPauses.Pause> pauses, long from, long to) {
            int total = 0;
            for (Worker w : workers) {
                total += w.samples;
            }
            long[] done = new long[total];
            long[] latency = new long[total];
            int at = 0;
            for (Worker w : workers) {
                System.arraycopy(w.sampleDone, 0, done, at, w.samples);
                System.arraycopy(w.sampleLatency, 0, latency, at, w.samples);
                at += w.samples;
            }
            return TailAttribution.of(done, latency, total, p99, p999, pauses, from, to);
        }

        private static void joinAll(List<Thread> threads) {
            boolean interrupted = false;
            for (Thread thread : threads) {
                while (true) {
                    try {
                        thread.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the workers stop by the deadline; finish joining, then re-assert
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One worker: its own Poisson stream, operations and histograms. */
    static final class Worker implements Runnable {
        private final Map<Integer, Integer> map;
        private final byte[] kinds;
        private final Integer[] keys;
        private final int opMask;
        private final double[] gaps;
        private final Histogram response = new Histogram(3);
        private final Histogram service = new Histogram(3);
        /** Each recorded request's completion time and latency, for {@link TailAttribution}: sized in reset(). */
        long[] sampleDone = new long[0];
        long[] sampleLatency = new long[0];
        int samples;
        private long start;
        private long measureFrom;
        private long end;
        private long deadline;
        private int slot;
        private int gapIndex;
        long completed;
        long dropped;
        long lastDone;
        Throwable failure;

        Worker(Map<Integer, Integer> map, OpStream ops, double[] gaps) {
            this.map = map;
            this.kinds = ops.kinds();
            this.keys = ops.keys();
            this.opMask = ops.mask();
            this.gaps = gaps;
        }

        void reset(long start, long measureFrom, long end, long deadline) {
            this.start = start;
            this.measureFrom = measureFrom;
            this.end = end;
            this.deadline = deadline;
            response.reset();
            service.reset();
            completed = 0;
            dropped = 0;
            lastDone = 0;
            failure = null;
            int expected = measuredRequests();
            if (sampleDone.length < expected) { // allocated before the run, never during it
                sampleDone = new long[expected];
                sampleLatency = new long[expected];
            }
            samples = 0;
        }

        /** The number of requests the schedule intends in the measured window: every one is recorded once. */
        private int measuredRequests() {
            double t = start;
            int g = gapIndex;
            int n = 0;
            while (true) {
                t += gaps[g++ & (GAP_COUNT - 1)];
                long intended = (long) t;
                if (intended >= end) {
                    return n;
                }
                if (intended >= measureFrom) {
                    n++;
                }
            }
        }

        private void sample(long done, long latency) {
            sampleDone[samples] = done;
            sampleLatency[samples++] = latency;
        }

        @Override
        public void run() {
            try {
                runSchedule();
            } catch (Throwable t) {
                failure = t; // reported by Schedule.execute after join
            }
        }

        private void runSchedule() {
            double intendedExact = start;
            while (true) {
                intendedExact += gaps[gapIndex++ & (GAP_COUNT - 1)];
                long intended = (long) intendedExact;
                if (intended >= end) {
                    return;
                }
                long now = System.nanoTime();
                if (now >= deadline) {
                    recordUnissued(intendedExact);
                    return;
                }
                if (now < intended) {
                    now = waitUntil(intended, now);
                }
                operate();
                long done = System.nanoTime();
                if (intended >= measureFrom) {
                    response.recordValue(done - intended);
                    service.recordValue(done - now);
                    sample(done, done - intended);
                    completed++;
                    lastDone = done;
                }
            }
        }

        /** Every request of the schedule not issued by the deadline: latency at least deadline - intended. */
        private void recordUnissued(double intendedExact) {
            long intended = (long) intendedExact;
            while (intended < end) {
                if (intended >= measureFrom) {
                    response.recordValue(deadline - intended);
                    sample(deadline, deadline - intended);
                    dropped++;
                }
                intendedExact += gaps[gapIndex++ & (GAP_COUNT - 1)];
                intended = (long) intendedExact;
            }
        }

        private static long waitUntil(long intended, long now) {
            while (intended - now > PARK_THRESHOLD_NS) {
                LockSupport.parkNanos(intended - now - PARK_MARGIN_NS);
                now = System.nanoTime();
            }
            while (now < intended) {
                Thread.onSpinWait();
                now = System.nanoTime();
            }
            return now;
        }

        private void operate() {
            int s = slot++ & opMask;
            Integer key = keys[s];
            switch (kinds[s]) {
                case OpStream.GET:
                    map.get(key);
                    break;
                case OpStream.PUT:
                    map.put(key, key);
                    break;
                default:
                    map.remove(key);
                    break;
            }
        }
    }

    /**
     * Runs one schedule and prints its summary.
     *
     * @param args {@code map keys dist opsPerSecond threads seconds}, e.g.
     *        {@code ConcurrentHashMap 100000 zipf 200000 2 5}
     */
    public static void main(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: OpenLoopLatency MAP KEYS uniform|zipf OPS_PER_SECOND THREADS SECONDS");
            System.exit(2);
        }
        LatencyResult result = run(Contender.named(args[0]), Integer.parseInt(args[1]), args[2], Double.parseDouble(args[3]),
                Integer.parseInt(args[4]), Duration.ofMillis((long) (Double.parseDouble(args[5]) * 1000)));
        System.out.println(args[0] + ": " + result);
    }
}
