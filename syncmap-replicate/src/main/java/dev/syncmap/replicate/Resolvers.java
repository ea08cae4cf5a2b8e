package dev.syncmap.replicate;

import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.ToLongFunction;

/**
 * The built-in {@link ConflictResolver}s.
 *
 * <table>
 * <caption>Resolvers and what they guarantee</caption>
 * <tr><th>resolver</th><th>the replica keeps</th><th>order-independent</th></tr>
 * <tr><td>{@link #lastWriterWins()}</td><td>the write with the larger (HLC stamp, origin id)</td><td>yes</td></tr>
 * <tr><td>{@link #latestUpdate()}</td><td>the write with the later wall-clock millisecond, ties by origin id,
 *     then stamp (coarser than last-writer-wins: ignores the logical counter across origins)</td><td>yes</td></tr>
 * <tr><td>{@link #gCounter()}</td><td>per origin the largest contribution; the value is their sum
 *     ({@code Long})</td><td>yes</td></tr>
 * <tr><td>{@link #pnCounter()}</td><td>per origin the largest {@link PnCount} (per part); the value is their
 *     sum</td><td>yes</td></tr>
 * <tr><td>{@link #higherVersion(ToLongFunction)}</td><td>the value with the larger user version (ties by
 *     stamp); a removal against a value by stamp</td><td>only without removals</td></tr>
 * <tr><td>{@link #putIfAbsent()}</td><td>a live value once there; the incoming one otherwise</td><td>no</td></tr>
 * <tr><td>{@link #passThrough()}</td><td>always the incoming change</td><td>no</td></tr>
 * </table>
 *
 * <p>The order-dependent ones (Hazelcast's merge policies of the same names) are for replicas fed by one
 * origin, whose pipeline delivers in revision order; with several origins, replicas can differ.
 */
public final class Resolvers {

    private Resolvers() {}

    /**
     * Last-writer-wins by hybrid logical clock: the version with the larger stamp wins, the larger origin id on
     * equal stamps. A removal is a write like any other (its tombstone wins or loses by its stamp).
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the resolver
     */
    public static <K, V> ConflictResolver<K, V> lastWriterWins() {
        return named("last-writer-wins", true,
            (key, current, incoming) -> current == null || incoming.compareStampTo(current) > 0 ? incoming : current);
    }

    /**
     * Latest update by wall-clock millisecond (the stamp's physical part), ties by origin id, then by full
     * stamp.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the resolver
     */
    public static <K, V> ConflictResolver<K, V> latestUpdate() {
        return named("latest-update", true, (key, current, incoming) -> {
            if (current == null) {
                return incoming;
            }
            long a = HybridLogicalClock.physicalMillis(incoming.stamp());
            long b = HybridLogicalClock.physicalMillis(current.stamp());
            int c = a != b ? Long.compare(a, b) : incoming.origin().compareTo(current.origin());
            if (c == 0) {
                c = Long.compare(incoming.stamp(), current.stamp());
            }
            return c > 0 ? incoming : current;
        });
    }

    /**
     * The value with the higher version, as the user's function reads it from the value (an entity's version
     * column, say); equal versions by stamp. Each origin's writes must carry growing versions (see
     * {@link ConflictResolver}: replicas skip an origin's older writes). A removal and a value are ordered by stamp (a tombstone has no
     * user version), which is why this resolver is order-independent only for workloads without removals.
     *
     * @param versionOf reads the version of a (non-null) value
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the resolver
     */
    public static <K, V> ConflictResolver<K, V> higherVersion(ToLongFunction<? super V> versionOf) {
        Objects.requireNonNull(versionOf, "versionOf");
        return named("higher-version", false, (key, current, incoming) -> {
            if (current == null) {
                return incoming;
            }
            int c = 0;
            if (!current.isTombstone() && !incoming.isTombstone()) {
                c = Long.compare(versionOf.applyAsLong(incoming.value()), versionOf.applyAsLong(current.value()));
            }
            if (c == 0) {
                c = incoming.compareStampTo(current);
            }
            return c > 0 ? incoming : current;
        });
    }

    /**
     * Keeps a live value once the replica has one; takes the incoming change otherwise (also over a
     * tombstone). Depends on arrival order.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the resolver
     */
    public static <K, V> ConflictResolver<K, V> putIfAbsent() {
        return named("put-if-absent", false,
            (key, current, incoming) -> current == null || current.isTombstone() ? incoming : current);
    }

    /**
     * Always takes the incoming change. Depends on arrival order; right for one origin, whose changes the
     * pipeline delivers in revision order.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return the resolver
     */
    public static <K, V> ConflictResolver<K, V> passThrough() {
        return named("pass-through", false, (key, current, incoming) -> incoming);
    }

    /**
     * A grow-only counter (CRDT G-counter) over {@code Long} values: each origin's value is its own running
     * total, never decreasing; the replica keeps the largest total seen per origin, and its value is the sum.
     * A removal contributes nothing (a grow-only counter cannot shrink); a negative or decreasing contribution
     * is ignored by the per-origin maximum.
     *
     * @param <K> the type of keys
     * @return the resolver
     */
    public static <K> ConflictResolver<K, Long> gCounter() {
        return new CounterResolver<>("g-counter", Math::max, (a, b) -> Math.addExact(a, b));
    }

    /**
     * A counter that increments and decrements (CRDT PN-counter) over {@link PnCount} values: each origin's
     * value is its own running {@link PnCount}; the replica keeps the per-part maximum per origin, and its value
     * is the sum of the origins' counts ({@link PnCount#value()} is the counter).
     *
     * @param <K> the type of keys
     * @return the resolver
     */
    public static <K> ConflictResolver<K, PnCount> pnCounter() {
        return new CounterResolver<>("pn-counter", PnCount::max, PnCount::plus);
    }

    /**
     * Loads a custom resolver by class name (configuration files name resolvers this way). The class must
     * implement {@link ConflictResolver} and have a public no-argument constructor. The built-in names
     * {@code last-writer-wins}, {@code latest-update}, {@code g-counter}, {@code pn-counter},
     * {@code put-if-absent} and {@code pass-through} are accepted too.
     *
     * @param className a built-in name or a fully qualified class name
     * @param <K> the type of keys
     * @param <V> the type of values
     * @return a new resolver
     * @throws IllegalArgumentException naming the class and the reason if it cannot be loaded or is not a
     *     resolver
     */
    @SuppressWarnings("unchecked")
    public static <K, V> ConflictResolver<K, V> byClassName(String className) {
        Objects.requireNonNull(className, "className");
        switch (className) {
            case "last-writer-wins":
                return lastWriterWins();
            case "latest-update":
                return latestUpdate();
            case "g-counter":
                return (ConflictResolver<K, V>) (ConflictResolver<?, ?>) gCounter();
            case "pn-counter":
                return (ConflictResolver<K, V>) (ConflictResolver<?, ?>) pnCounter();
            case "put-if-absent":
                return putIfAbsent();
            case "pass-through":
                return passThrough();
            default:
                break;
        }
        Class<?> type;
        try {
            type = Class.forName(className, true, Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : Resolvers.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("resolver class " + className + " cannot be loaded: " + e, e);
        }
        if (!ConflictResolver.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("resolver class " + className + " does not implement "
                + ConflictResolver.class.getName());
        }
        try {
            return (ConflictResolver<K, V>) type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("resolver class " + className
                + " needs a public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("resolver class " + className + " failed in its constructor: "
                + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("resolver class " + className + " cannot be instantiated: " + e, e);
        }
    }

    /** The decision of a resolver, as a lambda. */
    @FunctionalInterface
    private interface Decision<K, V> {
        Versioned<V> decide(K key, Versioned<V> current, Versioned<V> incoming);
    }

    private static <K, V> ConflictResolver<K, V> named(String name, boolean orderIndependent, Decision<K, V> d) {
        return new ConflictResolver<>() {
            @Override
            public Versioned<V> resolve(K key, Versioned<V> current, Versioned<V> incoming) {
                return d.decide(key, current, incoming);
            }

            @Override
            public boolean isOrderIndependent() {
                return orderIndependent;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /**
     * A state-based counter CRDT: the state is one contribution per origin, joined by a per-origin maximum;
     * the value is the sum. The result's stamp, origin and revision are those of the newer of the two versions
     * (by stamp, then origin), so the result does not depend on which argument came first.
     */
    private static final class CounterResolver<K, V> implements ConflictResolver<K, V> {
        private final String name;
        private final BinaryOperator<V> join;
        private final BinaryOperator<V> sum;

        CounterResolver(String name, BinaryOperator<V> join, BinaryOperator<V> sum) {
            this.name = name;
            this.join = join;
            this.sum = sum;
        }

        @Override
        public Versioned<V> resolve(K key, Versioned<V> current, Versioned<V> incoming) {
            Map<String, V> merged = new HashMap<>(contributions(incoming));
            if (current != null) {
                contributions(current).forEach((origin, v) -> merged.merge(origin, v, join));
            }
            V total = null;
            for (V v : merged.values()) {
                total = total == null ? v : sum.apply(total, v);
            }
            Versioned<V> meta = current == null || incoming.compareStampTo(current) > 0 ? incoming : current;
            return new Versioned<>(total, meta.stamp(), meta.origin(), meta.originRevision(),
                meta.expiresAtMillis(), merged);
        }

        /** A version's per-origin state: a merged state's map, or a plain change's value under its origin. */
        private static <V> Map<String, V> contributions(Versioned<V> v) {
            if (!v.contributions().isEmpty()) {
                return v.contributions();
            }
            return v.value() == null ? Map.of() : Map.of(v.origin(), v.value());
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
