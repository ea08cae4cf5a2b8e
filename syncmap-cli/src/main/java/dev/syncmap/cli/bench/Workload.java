package dev.syncmap.cli.bench;

import dev.syncmap.bench.Mix;
import java.util.List;
import java.util.Objects;

/**
 * A user's workload, read from a {@code --workload} file (YAML or JSON, see {@code docs/workload.md}). Every
 * field is optional; a missing field falls back to the default matrix, and a command-line option overrides the
 * field. Immutable.
 *
 * @param name a label shown in the report, or null
 * @param mixes read:write mixes, or empty
 * @param keys key counts, or empty
 * @param threads thread counts, or empty
 * @param dists key distributions, or empty
 * @param maps contenders, or empty for all
 * @param needs what the workload requires of a map besides speed
 */
public record Workload(String name, List<Mix> mixes, List<Integer> keys, List<Integer> threads, List<Dist> dists,
                       List<String> maps, Plan.Needs needs) {

    /**
     * Copies the lists.
     *
     * @throws NullPointerException if a list or needs is null
     */
    public Workload {
        mixes = List.copyOf(mixes);
        keys = List.copyOf(keys);
        threads = List.copyOf(threads);
        dists = List.copyOf(dists);
        maps = List.copyOf(maps);
        Objects.requireNonNull(needs, "needs");
    }
}
