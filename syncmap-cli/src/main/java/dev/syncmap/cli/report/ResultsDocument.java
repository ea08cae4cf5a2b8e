package dev.syncmap.cli.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.syncmap.cli.bench.FootprintMeasurement;
import dev.syncmap.cli.bench.LatencyMeasurement;
import java.util.List;

/**
 * The content of {@code results.json}, schema {@value #SCHEMA}; documented in {@code docs/results-schema.md}
 * and specified by {@code results.schema.json}. Immutable. The HTML report is rendered from this document
 * alone, so a report can be regenerated from a saved {@code results.json}.
 *
 * <p>Compatibility: a consumer may rely on every field listed in the schema; new optional fields may be added
 * within {@code syncmap-bench/1}; removing or changing the meaning of a field bumps the version.
 *
 * @param schema always {@value #SCHEMA}
 * @param partial true when the run was interrupted or failed before every configuration finished
 * @param progress how much of the plan finished
 * @param environment the machine and JVM measured on
 * @param options what was asked for
 * @param results one entry per finished throughput configuration
 * @param failures configurations and probes that produced no result
 * @param latency open-loop latency percentiles per contender (empty when not measured)
 * @param footprint memory per entry per contender (empty when not measured)
 * @param recommendation the verdicts and the headline
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"schema", "partial", "progress", "environment", "options", "results", "failures", "latency",
        "footprint", "recommendation"})
public record ResultsDocument(String schema, boolean partial, Progress progress, Environment environment,
                              Options options, List<Result> results, List<FailureEntry> failures,
                              List<LatencyMeasurement> latency, List<FootprintMeasurement> footprint,
                              Recommendation recommendation) {

    /** The schema identifier this version writes. */
    public static final String SCHEMA = "syncmap-bench/1";

    /**
     * Copies the lists.
     *
     * @throws NullPointerException if a list is null
     */
    public ResultsDocument {
        results = List.copyOf(results);
        failures = List.copyOf(failures);
        latency = List.copyOf(latency);
        footprint = List.copyOf(footprint);
    }

    /**
     * How much of the plan finished.
     *
     * @param plannedConfigurations throughput configurations planned
     * @param completedConfigurations configurations with a result
     * @param failedConfigurations configurations that failed
     * @param elapsedSeconds wall-clock seconds from start to this document
     */
    public record Progress(int plannedConfigurations, int completedConfigurations, int failedConfigurations,
                           double elapsedSeconds) {
    }

    /**
     * The machine and JVM the numbers come from.
     *
     * @param jdk {@code java.version}
     * @param jvm the VM name and version
     * @param jvmVendor the VM vendor
     * @param os the operating system name and version
     * @param arch the CPU architecture
     * @param cores available processors
     * @param date when the run started, ISO-8601 UTC
     * @param syncmapVersion the syncmap version, or {@code "dev"}
     * @param jmhVersion the JMH version
     * @param commandLine the arguments given to {@code syncmap bench}
     */
    public record Environment(String jdk, String jvm, String jvmVendor, String os, String arch, int cores,
                              String date, String syncmapVersion, String jmhVersion, String commandLine) {
    }

    /**
     * What was asked for, after defaults and the workload file were applied.
     *
     * @param mixes read:write mixes
     * @param keys key counts
     * @param threads thread counts
     * @param dists key distributions
     * @param maps contenders
     * @param quick whether {@code --quick} was given
     * @param workload the workload file, or null
     * @param workloadName the workload's name, or null
     * @param needSnapshots whether snapshots are required
     * @param needFeed whether a change feed is required
     * @param confidence the confidence level of every error
     * @param warmupIterations JMH warm-up iterations
     * @param warmupTimeMs warm-up iteration length
     * @param iterations JMH measurement iterations
     * @param iterationTimeMs measurement iteration length
     * @param forks JMH forks per configuration
     * @param gc whether allocation was profiled
     * @param latency whether latency was measured
     * @param footprint whether memory per entry was measured
     * @param latencyTargetOpsPerSecond the open-loop rate, or null
     * @param latencyDurationMs the open-loop run length, or null
     * @param latencyThreads the open-loop threads, or null
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Options(List<String> mixes, List<Integer> keys, List<Integer> threads, List<String> dists,
                          List<String> maps, boolean quick, String workload, String workloadName,
                          boolean needSnapshots, boolean needFeed, double confidence, int warmupIterations,
                          long warmupTimeMs, int iterations, long iterationTimeMs, int forks, boolean gc,
                          boolean latency, boolean footprint, Double latencyTargetOpsPerSecond,
                          Long latencyDurationMs, Integer latencyThreads) {
    }

    /**
     * One throughput result.
     *
     * @param benchmark the JMH benchmark
     * @param map the contender
     * @param mix the read:write mix
     * @param keys the key count
     * @param dist the key distribution
     * @param threads the thread count
     * @param score mean throughput
     * @param error half-width of the confidence interval, or null when unknown
     * @param unit the score unit
     * @param iterations measurement iterations averaged
     * @param ratioToCHM score over ConcurrentHashMap's in the same scenario, or null without a baseline
     * @param ratioError the ratio's propagated error, or null
     * @param allocBytesPerOp bytes allocated per operation, or null when not profiled
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Result(String benchmark, String map, String mix, int keys, String dist, int threads, double score,
                         Double error, String unit, long iterations, Double ratioToCHM, Double ratioError,
                         Double allocBytesPerOp) {
    }

    /**
     * A configuration or probe without a result.
     *
     * @param what what failed
     * @param map the contender
     * @param message why
     */
    public record FailureEntry(String what, String map, String message) {
    }
}
