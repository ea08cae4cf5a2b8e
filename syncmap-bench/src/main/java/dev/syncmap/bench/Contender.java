package dev.syncmap.bench;

import dev.syncmap.Snapshottable;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import scala.collection.concurrent.TrieMap;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The maps the benchmarks compare: the JVM peers, then the syncmap maps, each with its factory and what it offers
 * beyond {@code Map}.
 *
 * <p>Implementation notes. A constant's name is the contender's name exactly as JMH's {@code -p map=}, the CLI's
 * {@code --maps} and {@code results.json} spell it (hence the type-like capitalisation): JMH fills an enum
 * {@code @Param} without values with every constant, so a benchmark's {@code map} parameter needs no list of names
 * to keep in step with this one. Because {@code SynchronizedMap} is not a {@code ConcurrentMap}, {@link #create()}
 * returns {@code Map<Integer, Integer>} and the benchmarks use only {@code Map} methods ({@code get}, {@code put},
 * {@code remove}, {@code computeIfAbsent}, {@code size}, iteration), which every contender implements atomically.
 *
 * <p>Immutable and thread-safe.
 */
public enum Contender {

    /** {@code java.util.concurrent.ConcurrentHashMap}: the {@linkplain #BASELINE baseline}. */
    ConcurrentHashMap(java.util.concurrent.ConcurrentHashMap::new, "java.util.concurrent.ConcurrentHashMap"),
    /** {@code Collections.synchronizedMap(new HashMap<>())}: not a {@code ConcurrentMap}; one monitor. */
    SynchronizedMap(() -> Collections.synchronizedMap(new HashMap<>()),
            "Collections.synchronizedMap(new HashMap<>()): one monitor around everything"),
    /** JCTools {@code org.jctools.maps.NonBlockingHashMap}. */
    NonBlockingHashMap(org.jctools.maps.NonBlockingHashMap::new,
            "JCTools NonBlockingHashMap (Cliff Click's lock-free open-addressing table)"),
    /** Scala's {@code TrieMap}, seen through {@code CollectionConverters.asJava} as a {@code ConcurrentMap}. */
    TrieMap(() -> CollectionConverters.asJava(new TrieMap<Integer, Integer>()),
            "Scala concurrent TrieMap (lock-free Ctrie with O(1) snapshots), via asJava", Capability.SNAPSHOTS),
    /** {@link dev.syncmap.LockedMap}. */
    LockedMap(dev.syncmap.LockedMap::new, "one read-write lock around a hash table (Go: RWMutex + map)",
            Capability.SNAPSHOTS),
    /** {@link dev.syncmap.StripedMap}. */
    StripedMap(dev.syncmap.StripedMap::new,
            "independent lock-striped tables chosen by a spread hash (Go: sharded map)"),
    /** {@link dev.syncmap.ReadDirtyMap}. */
    ReadDirtyMap(dev.syncmap.ReadDirtyMap::new,
            "lock-free read map plus a locked dirty map, promoted on misses (Go: sync.Map)"),
    /** {@link dev.syncmap.CopyOnWriteMap}. */
    CopyOnWriteMap(dev.syncmap.CopyOnWriteMap::new, "an atomically swapped immutable map (Go: atomic.Value)",
            Capability.SNAPSHOTS),
    /** {@link dev.syncmap.VersionedMap}. */
    VersionedMap(dev.syncmap.VersionedMap::new, "revisions, O(1) snapshots and a watchable change feed",
            Capability.SNAPSHOTS, Capability.CHANGE_FEED);

    /** The peer every ratio is taken against. */
    public static final Contender BASELINE = ConcurrentHashMap;

    /** What a contender offers beyond the {@code Map} contract. */
    private enum Capability {
        /** A consistent point-in-time snapshot while writers run. */
        SNAPSHOTS,
        /** An ordered change feed ({@code changesSince}/{@code watch}). */
        CHANGE_FEED
    }

    private final Supplier<Map<Integer, Integer>> factory;
    private final String description;
    private final Set<Capability> capabilities;

    Contender(Supplier<Map<Integer, Integer>> factory, String description, Capability... capabilities) {
        this.factory = factory;
        this.description = description;
        this.capabilities = capabilities.length == 0 ? EnumSet.noneOf(Capability.class)
                : EnumSet.copyOf(Arrays.asList(capabilities));
    }

    /**
     * Returns the contender of that name.
     *
     * @param name a constant's name; matched exactly, else ignoring case and surrounding blanks
     * @return the contender
     * @throws IllegalArgumentException if the name is unknown, listing the valid names
     */
    public static Contender named(String name) {
        if (name != null) {
            for (Contender contender : values()) {
                if (contender.name().equals(name) || contender.name().equalsIgnoreCase(name.strip())) {
                    return contender;
                }
            }
        }
        throw new IllegalArgumentException("unknown map '" + name + "'; valid names: "
                + Arrays.stream(values()).map(Contender::name).collect(Collectors.joining(", ")));
    }

    /**
     * Creates a new, empty map of this contender. Each call returns a fresh instance.
     *
     * @return a new empty map; a {@code ConcurrentMap} for every contender except {@link #SynchronizedMap}
     */
    public Map<Integer, Integer> create() {
        return factory.get();
    }

    /**
     * Whether this contender can produce a consistent point-in-time snapshot while writers run: the syncmap maps
     * that implement {@link Snapshottable}, and {@code TrieMap} ({@code readOnlySnapshot()}). The cost differs
     * (O(1) for an immutable or versioned structure, an O(n) copy under a lock for others: see each class, and
     * {@link SnapshotCopyBenchmark} for the measured cost).
     *
     * @return true if {@link #snapshot(Map)} works for its maps
     */
    public boolean offersSnapshots() {
        return capabilities.contains(Capability.SNAPSHOTS);
    }

    /**
     * Whether this contender offers an ordered change feed ({@code changesSince}/{@code watch}).
     *
     * @return true for {@link #VersionedMap} only
     */
    public boolean offersChangeFeed() {
        return capabilities.contains(Capability.CHANGE_FEED);
    }

    /**
     * A one-line description, for reports.
     *
     * @return what the contender is
     */
    public String description() {
        return description;
    }

    /**
     * Takes a consistent point-in-time snapshot of a map this contender {@linkplain #create() created}:
     * {@link Snapshottable#snapshot()} for syncmap maps, {@code TrieMap.readOnlySnapshot()} (seen as a
     * {@code java.util.Map}) for the Scala map. Does not copy.
     *
     * @param map a map from {@link #create()} of this contender
     * @return an immutable view of the map's content at one instant
     * @throws UnsupportedOperationException if this contender does not {@linkplain #offersSnapshots() offer
     *         snapshots}, or the map is not one of its maps
     */
    public Map<Integer, Integer> snapshot(Map<Integer, Integer> map) {
        if (offersSnapshots()) {
            if (map instanceof Snapshottable<?, ?>) {
                @SuppressWarnings("unchecked") // a Snapshottable Map<Integer, Integer> snapshots the same types
                Snapshottable<Integer, Integer> snapshottable = (Snapshottable<Integer, Integer>) map;
                return snapshottable.snapshot();
            }
            if (map instanceof ConcurrentMap<Integer, Integer> concurrent
                    && CollectionConverters.asScala(concurrent) instanceof TrieMap<Integer, Integer> trieMap) {
                return CollectionConverters.asJava(trieMap.readOnlySnapshot());
            }
        }
        throw new UnsupportedOperationException(name() + " cannot take snapshots of " + map.getClass().getName());
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
}
