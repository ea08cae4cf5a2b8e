package dev.syncmap.bench;

import dev.syncmap.Snapshottable;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

import org.jctools.maps.NonBlockingHashMap;
import scala.collection.concurrent.TrieMap;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The registry of maps the benchmarks compare, by name: the syncmap maps and the JVM peers.
 *
 * <table>
 *   <caption>Contenders</caption>
 *   <tr><th>name</th><th>what is created</th></tr>
 *   <tr><td>ConcurrentHashMap</td><td>{@code new ConcurrentHashMap<>()}</td></tr>
 *   <tr><td>SynchronizedMap</td><td>{@code Collections.synchronizedMap(new HashMap<>())} (not a
 *       {@code ConcurrentMap}: every method, compute included, holds one monitor)</td></tr>
 *   <tr><td>NonBlockingHashMap</td><td>JCTools {@code org.jctools.maps.NonBlockingHashMap}</td></tr>
 *   <tr><td>TrieMap</td><td>Scala {@code scala.collection.concurrent.TrieMap} seen through
 *       {@code CollectionConverters.asJava} as a {@code java.util.concurrent.ConcurrentMap}</td></tr>
 *   <tr><td>LockedMap, StripedMap, ReadDirtyMap, CopyOnWriteMap, VersionedMap</td><td>the {@code dev.syncmap}
 *       class of that name, through its public no-argument constructor</td></tr>
 * </table>
 *
 * <p>The syncmap maps are looked up reflectively by class name, so this module builds and runs with whichever of
 * them are on the class path; {@link #names()} lists only the available ones. Because {@code SynchronizedMap} is
 * not a {@code ConcurrentMap}, {@link #create(String)} returns {@code Map<Integer, Integer>} and the benchmarks use
 * only {@code Map} methods ({@code get}, {@code put}, {@code remove}, {@code computeIfAbsent}, {@code size},
 * iteration), which every contender implements atomically.
 *
 * <p>All methods are static and thread-safe. The registry itself is immutable after class initialisation.
 */
public final class Contenders {

    /** The peer every ratio is taken against. */
    public static final String BASELINE = "ConcurrentHashMap";

    /** One registered map: its factory and what it offers beyond {@code Map}. */
    private record Contender(String name, Supplier<Map<Integer, Integer>> factory, boolean snapshots,
                             boolean changeFeed, String description) {
    }

    /** The syncmap maps in display order, with whether each has a change feed and a one-line description. */
    private static final String[][] SYNCMAP_MAPS = {
        {"LockedMap", "false", "one read-write lock around a hash table (Go: RWMutex + map)"},
        {"StripedMap", "false", "independent lock-striped tables chosen by a spread hash (Go: sharded map)"},
        {"ReadDirtyMap", "false", "lock-free read map plus a locked dirty map, promoted on misses (Go: sync.Map)"},
        {"CopyOnWriteMap", "false", "an atomically swapped immutable map (Go: atomic.Value)"},
        {"VersionedMap", "true", "revisions, O(1) snapshots and a watchable change feed"},
    };

    private static final Map<String, Contender> REGISTRY = buildRegistry();
    private static final List<String> NAMES = List.copyOf(REGISTRY.keySet());

    private Contenders() {
    }

    /**
     * Collects garbage after a contender was built and filled, so that the first collection of a freshly filled map
     * (whose cost depends on what the filling left behind, up to hundreds of milliseconds with G1 at a million
     * entries) does not land in the measured part of one contender's run and not another's.
     */
    public static void settleHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
    }

    private static Map<String, Contender> buildRegistry() {
        Map<String, Contender> registry = new LinkedHashMap<>();
        add(registry, new Contender(BASELINE, ConcurrentHashMap::new, false, false,
                "java.util.concurrent.ConcurrentHashMap"));
        add(registry, new Contender("SynchronizedMap", () -> Collections.synchronizedMap(new HashMap<>()), false,
                false, "Collections.synchronizedMap(new HashMap<>()): one monitor around everything"));
        add(registry, new Contender("NonBlockingHashMap", NonBlockingHashMap::new, false, false,
                "JCTools NonBlockingHashMap (Cliff Click's lock-free open-addressing table)"));
        add(registry, new Contender("TrieMap", Contenders::newTrieMap, true, false,
                "Scala concurrent TrieMap (lock-free Ctrie with O(1) snapshots), via asJava"));
        for (String[] syncmap : SYNCMAP_MAPS) {
            Class<?> type = loadSyncmapClass(syncmap[0]);
            if (type != null) {
                add(registry, new Contender(syncmap[0], reflectiveFactory(type),
                        Snapshottable.class.isAssignableFrom(type), Boolean.parseBoolean(syncmap[1]), syncmap[2]));
            }
        }
        return Collections.unmodifiableMap(registry);
    }

    private static void add(Map<String, Contender> registry, Contender contender) {
        registry.put(contender.name(), contender);
    }

    private static Map<Integer, Integer> newTrieMap() {
        return CollectionConverters.asJava(new TrieMap<Integer, Integer>());
    }

    private static Class<?> loadSyncmapClass(String simpleName) {
        try {
            Class<?> type = Class.forName("dev.syncmap." + simpleName, false, Contenders.class.getClassLoader());
            if (!Map.class.isAssignableFrom(type)) {
                throw new IllegalStateException("dev.syncmap." + simpleName + " is not a java.util.Map");
            }
            return type;
        } catch (ClassNotFoundException notBuiltYet) {
            return null; // not on the class path: the contender is simply not offered
        }
    }

    private static Supplier<Map<Integer, Integer>> reflectiveFactory(Class<?> type) {
        return () -> {
            try {
                @SuppressWarnings("unchecked") // checked in loadSyncmapClass; keys and values are unconstrained
                Map<Integer, Integer> map = (Map<Integer, Integer>) type.getConstructor().newInstance();
                return map;
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("constructor of " + type.getName() + " failed", e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(type.getName() + " has no usable public no-arg constructor", e);
            }
        };
    }

    /**
     * The names of the contenders available on the class path, in display order: the JVM peers first
     * ({@value #BASELINE} first of all), then the syncmap maps.
     *
     * @return an immutable list
     */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * Creates a new, empty map of the named contender. Each call returns a fresh instance.
     *
     * @param name a name from {@link #names()}; matched exactly, else case-insensitively
     * @return a new empty map; a {@code ConcurrentMap} for every contender except {@code SynchronizedMap}
     * @throws IllegalArgumentException if the name is unknown, listing the valid names
     */
    public static Map<Integer, Integer> create(String name) {
        return lookup(name).factory().get();
    }

    /**
     * Whether the named contender can produce a consistent point-in-time snapshot while writers run: the syncmap
     * maps that implement {@link Snapshottable}, and {@code TrieMap} ({@code readOnlySnapshot()}). The cost differs
     * (O(1) for an immutable or versioned structure, an O(n) copy under a lock for others: see each class, and
     * {@link SnapshotCopyBenchmark} for the measured cost).
     *
     * @param name a contender name
     * @return true if {@link #snapshot(Map)} works for its maps
     * @throws IllegalArgumentException if the name is unknown
     */
    public static boolean offersSnapshots(String name) {
        return lookup(name).snapshots();
    }

    /**
     * Whether the named contender offers an ordered change feed ({@code changesSince}/{@code watch}):
     * {@code VersionedMap} only.
     *
     * @param name a contender name
     * @return true if it has a change feed
     * @throws IllegalArgumentException if the name is unknown
     */
    public static boolean offersChangeFeed(String name) {
        return lookup(name).changeFeed();
    }

    /**
     * A one-line description of the named contender, for reports.
     *
     * @param name a contender name
     * @return what the contender is
     * @throws IllegalArgumentException if the name is unknown
     */
    public static String describe(String name) {
        return lookup(name).description();
    }

    /**
     * Returns the canonical spelling of a contender name.
     *
     * @param name a contender name, any case
     * @return the name as listed by {@link #names()}
     * @throws IllegalArgumentException if the name is unknown, listing the valid names
     */
    public static String canonicalName(String name) {
        return lookup(name).name();
    }

    /**
     * Takes a consistent point-in-time snapshot of a map created by this registry, if its contender
     * {@linkplain #offersSnapshots(String) offers snapshots}: {@link Snapshottable#snapshot()} for syncmap maps,
     * {@code TrieMap.readOnlySnapshot()} (seen as a {@code java.util.Map}) for the Scala map. Does not copy.
     *
     * @param map a map from {@link #create(String)}
     * @return an immutable view of the map's content at one instant
     * @throws UnsupportedOperationException if the map cannot take snapshots
     */
    public static Map<Integer, Integer> snapshot(Map<Integer, Integer> map) {
        if (map instanceof Snapshottable<?, ?>) {
            @SuppressWarnings("unchecked") // a Snapshottable Map<Integer, Integer> snapshots the same types
            Snapshottable<Integer, Integer> snapshottable = (Snapshottable<Integer, Integer>) map;
            return snapshottable.snapshot();
        }
        if (map instanceof ConcurrentMap<Integer, Integer> concurrent) {
            scala.collection.concurrent.Map<Integer, Integer> scalaMap = CollectionConverters.asScala(concurrent);
            if (scalaMap instanceof TrieMap<Integer, Integer> trieMap) {
                return CollectionConverters.asJava(trieMap.readOnlySnapshot());
            }
        }
        throw new UnsupportedOperationException(map.getClass().getName() + " cannot take snapshots");
    }

    private static Contender lookup(String name) {
        if (name != null) {
            Contender exact = REGISTRY.get(name);
            if (exact != null) {
                return exact;
            }
            for (Contender contender : REGISTRY.values()) {
                if (contender.name().equalsIgnoreCase(name.trim())) {
                    return contender;
                }
            }
            for (String[] syncmap : SYNCMAP_MAPS) {
                if (syncmap[0].equalsIgnoreCase(name.trim())) {
                    throw new IllegalArgumentException("map '" + name + "' (dev.syncmap." + syncmap[0]
                            + ") is not on the class path; valid names: " + String.join(", ", NAMES));
                }
            }
        }
        throw new IllegalArgumentException("unknown map '" + name + "'; valid names: " + String.join(", ", NAMES));
    }

    /**
     * Lists the available contenders with their capabilities (a quick check of the class path).
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        List<String> lines = new ArrayList<>();
        for (String name : NAMES) {
            lines.add(String.format(Locale.ROOT, "%-20s snapshots=%-5s feed=%-5s %s", name, offersSnapshots(name),
                    offersChangeFeed(name), describe(name)));
        }
        lines.forEach(System.out::println);
    }
}
