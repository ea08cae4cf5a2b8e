package dev.syncmap.cli.bench;

import dev.syncmap.bench.Contender;
import dev.syncmap.bench.Mix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Turns what the user asked for (command-line options, a workload file, {@code --quick}) into a {@link Plan}.
 *
 * <p>Precedence, per dimension: a command-line value, else the workload file's, else the default matrix. When
 * the user fixed none of mixes, keys, threads and distribution, the default matrix also adds a small key-count
 * sweep so the report can chart throughput against key count. {@code ConcurrentHashMap} is always measured: it
 * is the baseline every ratio is taken against.
 *
 * <p>Not thread-safe: a builder is filled and used by one thread.
 */
public final class PlanBuilder {

    /** The baseline contender every ratio is relative to, by name. */
    public static final String BASELINE = Contender.BASELINE.name();

    /** The default matrix's mixes: read-only, the 97:3 mix from the source writing, and half writes. */
    static final List<Mix> DEFAULT_MIXES = List.of(new Mix(100, 0), new Mix(97, 3), new Mix(50, 50));
    static final List<Mix> QUICK_MIXES = List.of(new Mix(97, 3), new Mix(50, 50));
    static final List<Integer> DEFAULT_KEYS = List.of(100_000);
    static final List<Integer> DEFAULT_THREADS = List.of(1, 2, 4);
    static final List<Integer> QUICK_THREADS = List.of(1, 2);
    static final List<Dist> DEFAULT_DISTS = List.of(Dist.UNIFORM);
    /** The key-count sweep added to the default matrix: at 97:3, two threads. */
    static final List<Integer> SWEEP_KEYS = List.of(1_000, 1_000_000);
    static final List<Integer> QUICK_SWEEP_KEYS = List.of(1_000);
    static final Mix SWEEP_MIX = new Mix(97, 3);
    static final int SWEEP_THREADS = 2;

    private final List<String> available;
    private List<Mix> mixes;
    private List<Integer> keys;
    private List<Integer> threads;
    private List<Dist> dists;
    private List<String> maps;
    private Workload workload;
    private boolean quick;
    private Boolean needSnapshots;
    private Boolean needFeed;
    private Integer warmupIterations;
    private Duration warmupTime;
    private Integer iterations;
    private Duration iterationTime;
    private int forks = 1;
    private boolean gc = true;
    private double confidence = 0.95;
    private boolean latency = true;
    private Double latencyRate;
    private Duration latencyDuration;
    private boolean footprint = true;

    /**
     * Creates a builder for the contenders present on the class path.
     *
     * @param available the contenders' names, as {@link Contender#name()} spells them
     */
    public PlanBuilder(Collection<String> available) {
        this.available = List.copyOf(available);
    }

    /** @param v the mixes the user gave, or null @return this */
    public PlanBuilder mixes(List<Mix> v) {
        this.mixes = emptyToNull(v);
        return this;
    }

    /** @param v the key counts the user gave, or null @return this */
    public PlanBuilder keys(List<Integer> v) {
        this.keys = emptyToNull(v);
        return this;
    }

    /** @param v the thread counts the user gave, or null @return this */
    public PlanBuilder threads(List<Integer> v) {
        this.threads = emptyToNull(v);
        return this;
    }

    /** @param v the distributions the user gave, or null @return this */
    public PlanBuilder dists(List<Dist> v) {
        this.dists = emptyToNull(v);
        return this;
    }

    /** @param v the contenders the user named, or null for all @return this */
    public PlanBuilder maps(List<String> v) {
        this.maps = emptyToNull(v);
        return this;
    }

    /** @param v the workload file's content, or null @return this */
    public PlanBuilder workload(Workload v) {
        this.workload = v;
        return this;
    }

    /** @param v whether to use the quick matrix and short iterations @return this */
    public PlanBuilder quick(boolean v) {
        this.quick = v;
        return this;
    }

    /** @param v true when the user needs snapshots, null when not said (the workload decides) @return this */
    public PlanBuilder needSnapshots(Boolean v) {
        this.needSnapshots = v;
        return this;
    }

    /** @param v true when the user needs a change feed, null when not said @return this */
    public PlanBuilder needFeed(Boolean v) {
        this.needFeed = v;
        return this;
    }

    /** @param v warm-up iterations, or null for the default @return this */
    public PlanBuilder warmupIterations(Integer v) {
        this.warmupIterations = v;
        return this;
    }

    /** @param v warm-up iteration time, or null for the default @return this */
    public PlanBuilder warmupTime(Duration v) {
        this.warmupTime = v;
        return this;
    }

    /** @param v measurement iterations, or null for the default @return this */
    public PlanBuilder iterations(Integer v) {
        this.iterations = v;
        return this;
    }

    /** @param v measurement iteration time, or null for the default @return this */
    public PlanBuilder iterationTime(Duration v) {
        this.iterationTime = v;
        return this;
    }

    /** @param v JMH forks per configuration @return this */
    public PlanBuilder forks(int v) {
        this.forks = v;
        return this;
    }

    /** @param v whether to profile allocation @return this */
    public PlanBuilder gc(boolean v) {
        this.gc = v;
        return this;
    }

    /** @param v the confidence level of errors @return this */
    public PlanBuilder confidence(double v) {
        this.confidence = v;
        return this;
    }

    /** @param v whether to measure open-loop latency @return this */
    public PlanBuilder latency(boolean v) {
        this.latency = v;
        return this;
    }

    /** @param v the open-loop target rate, or null for the default @return this */
    public PlanBuilder latencyRate(Double v) {
        this.latencyRate = v;
        return this;
    }

    /** @param v the open-loop run length, or null for the default @return this */
    public PlanBuilder latencyDuration(Duration v) {
        this.latencyDuration = v;
        return this;
    }

    /** @param v whether to measure memory per entry @return this */
    public PlanBuilder footprint(boolean v) {
        this.footprint = v;
        return this;
    }

    /**
     * Builds the plan.
     *
     * @return the plan
     * @throws IllegalArgumentException with a one-line message when a map is unknown or a setting is out of range
     */
    public Plan build() {
        Workload w = workload;
        List<Mix> ms = firstNonNull(mixes, w == null ? null : emptyToNull(w.mixes()), quick ? QUICK_MIXES : DEFAULT_MIXES);
        List<Integer> ks = firstNonNull(keys, w == null ? null : emptyToNull(w.keys()), DEFAULT_KEYS);
        List<Integer> ts = firstNonNull(threads, w == null ? null : emptyToNull(w.threads()),
                quick ? QUICK_THREADS : DEFAULT_THREADS);
        List<Dist> ds = firstNonNull(dists, w == null ? null : emptyToNull(w.dists()), DEFAULT_DISTS);
        boolean defaultMatrix = mixes == null && keys == null && threads == null && dists == null
                && (w == null || (w.mixes().isEmpty() && w.keys().isEmpty() && w.threads().isEmpty()
                && w.dists().isEmpty()));
        for (int t : ts) {
            if (t < 1) {
                throw new IllegalArgumentException("invalid thread count " + t + ": must be 1 or more");
            }
        }

        List<String> contenders = resolveMaps(firstNonNull(maps, w == null ? null : emptyToNull(w.maps()), available));

        Set<Scenario> scenarios = new LinkedHashSet<>();
        for (Dist d : ds) {
            for (int k : ks) {
                for (Mix m : ms) {
                    for (int t : ts) {
                        scenarios.add(new Scenario(m, k, d, t));
                    }
                }
            }
        }
        if (defaultMatrix) {
            for (int k : quick ? QUICK_SWEEP_KEYS : SWEEP_KEYS) {
                scenarios.add(new Scenario(SWEEP_MIX, k, Dist.UNIFORM, SWEEP_THREADS));
            }
        }
        List<Configuration> configurations = new ArrayList<>();
        for (Scenario s : scenarios) {
            for (String map : contenders) {
                configurations.add(new Configuration(map, s));
            }
        }

        RunSettings settings = new RunSettings(
                orElse(warmupIterations, 1),
                orElse(warmupTime, Duration.ofMillis(quick ? 200 : 300)),
                orElse(iterations, 3),
                orElse(iterationTime, Duration.ofMillis(quick ? 200 : 300)),
                forks, gc, confidence, latency,
                orElse(latencyRate, 50_000.0),
                orElse(latencyDuration, Duration.ofMillis(quick ? 800 : 1_000)),
                Math.max(1, Runtime.getRuntime().availableProcessors()),
                footprint);

        // Latency and footprint run once per contender, at the first key count and distribution asked for.
        // (Not at fewer keys to save time: bytes per entry move with table sizing, e.g. NonBlockingHashMap
        // measures 71 B at 10k entries and 48 B at 100k.)
        int mainKeys = ks.get(0);
        Dist mainDist = ds.get(0);
        List<Plan.LatencyRun> latencyRuns = new ArrayList<>();
        List<Plan.FootprintRun> footprintRuns = new ArrayList<>();
        for (String map : contenders) {
            if (latency) {
                // one load thread, then as many as the machine has cores: a tail that appears only when the
                // threads contend is the map's own waiting, the one a service owner feels under load
                for (int threads : settings.latencyThreads() == 1 ? new int[] {1} : new int[] {1,
                    settings.latencyThreads()}) {
                    latencyRuns.add(new Plan.LatencyRun(map, mainKeys, mainDist, threads, settings.latencyRate(),
                            settings.latencyDuration()));
                }
            }
            if (footprint) {
                footprintRuns.add(new Plan.FootprintRun(map, mainKeys));
            }
        }

        Plan.Needs fromWorkload = w == null ? Plan.Needs.NONE : w.needs();
        Plan.Needs needs = new Plan.Needs(
                needSnapshots != null ? needSnapshots : fromWorkload.snapshots(),
                needFeed != null ? needFeed : fromWorkload.changeFeed());
        return new Plan(contenders, configurations, latencyRuns, footprintRuns, settings, needs);
    }

    /**
     * Resolves user-given map names (case-insensitively) to the available contenders' names, keeping the user's
     * order and adding the baseline at the front when it is missing.
     */
    private List<String> resolveMaps(List<String> requested) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : requested) {
            String found = null;
            for (String a : available) {
                if (a.equalsIgnoreCase(name.strip())) {
                    found = a;
                    break;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("unknown map '" + name + "': available maps are "
                        + String.join(", ", available));
            }
            out.add(found);
        }
        List<String> result = new ArrayList<>(out);
        if (!result.contains(BASELINE) && available.contains(BASELINE)) {
            result.add(0, BASELINE);
        }
        return result;
    }

    private static <T> List<T> emptyToNull(List<T> v) {
        return v == null || v.isEmpty() ? null : v;
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... candidates) {
        for (T c : candidates) {
            if (c != null) {
                return c;
            }
        }
        throw new IllegalStateException("no default");
    }

    private static <T> T orElse(T v, T fallback) {
        return v != null ? v : Objects.requireNonNull(fallback);
    }

    /** Formats a duration for people: {@code 4 min 05 s}, {@code 38 s}. */
    public static String formatDuration(long millis) {
        long s = Math.round(millis / 1000.0);
        if (s < 60) {
            return s + " s";
        }
        return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
}
