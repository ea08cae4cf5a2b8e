package dev.syncmap.cli.bench;

import java.time.Duration;
import java.util.Objects;

/**
 * How each configuration is measured and which extra measurements run. Immutable.
 *
 * @param warmupIterations JMH warm-up iterations per configuration, at least 0
 * @param warmupTime the length of one warm-up iteration
 * @param iterations JMH measurement iterations per configuration, at least 1 (3 or more to get an error)
 * @param iterationTime the length of one measurement iteration
 * @param forks JMH forks per configuration; 0 runs in this JVM (for debugging only)
 * @param gc whether to attach JMH's GC profiler, giving allocated bytes per operation
 * @param confidence the confidence level of the reported errors, in (0, 1)
 * @param latency whether to run the open-loop latency measurement
 * @param latencyRate the open-loop target rate, operations per second, for all latency threads together
 * @param latencyDuration how long each latency run lasts
 * @param latencyThreads the most threads issuing the open-loop load: each contender runs at 1 thread and, when
 *                       this is more, at this many (by default the machine's cores)
 * @param footprint whether to measure memory per entry with JOL
 */
public record RunSettings(int warmupIterations, Duration warmupTime, int iterations, Duration iterationTime,
                          int forks, boolean gc, double confidence, boolean latency, double latencyRate,
                          Duration latencyDuration, int latencyThreads, boolean footprint) {

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException when a count or a duration is out of range
     */
    public RunSettings {
        Bounds.atLeast(0, warmupIterations, "warm-up iterations");
        Bounds.atLeast(1, iterations, "iterations");
        Bounds.atLeast(0, forks, "forks");
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be between 0 and 1 exclusive, got " + confidence);
        }
        Bounds.positive(latencyRate, "latency rate");
        Bounds.atLeast(1, latencyThreads, "latency threads");
        Bounds.positive(Objects.requireNonNull(warmupTime, "warmupTime"), "warm-up time");
        Bounds.positive(Objects.requireNonNull(iterationTime, "iterationTime"), "iteration time");
        Bounds.positive(Objects.requireNonNull(latencyDuration, "latencyDuration"), "latency duration");
    }
}
