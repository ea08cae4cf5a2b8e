package dev.syncmap.cli.bench;

import java.util.Objects;

/**
 * One JMH run: a contender measured on a scenario. Immutable.
 *
 * @param map the contender's name, as listed by the name of its {@code dev.syncmap.bench.Contender}
 * @param scenario the workload point
 */
public record Configuration(String map, Scenario scenario) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if either is null
     */
    public Configuration {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(scenario, "scenario");
    }

    /** Returns {@code "map @ scenario label"}. */
    public String label() {
        return map + " @ " + scenario.label();
    }
}
