package dev.syncmap.cli.bench;

/**
 * A measurement that did not produce a result. Immutable.
 *
 * @param what what failed: a configuration's label, or {@code "latency MAP"} / {@code "footprint MAP"}
 * @param map the contender
 * @param scenario the scenario, or null for latency and footprint runs
 * @param message why, in one line (details are in the run's log)
 */
public record Failure(String what, String map, Scenario scenario, String message) {
}
