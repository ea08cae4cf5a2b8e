package dev.syncmap.replicate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink that keeps any {@link ConcurrentMap} equal to the replicated source: readers use the replica map as
 * they would any map, while this sink applies the changes, version-checked per key.
 *
 * <p><b>Versions.</b> Beside the replica the sink keeps, per key, the {@link Versioned version} that put its value
 * there (tombstones included, so a late, older write cannot bring back a removed key), and the highest revision
 * seen from each origin that has written the key. A change whose origin revision is not above what the key has
 * seen from that origin is a {@link Outcome#DUPLICATE} and changes nothing: replays after a restart and
 * re-sent batches are harmless. Any other change goes to the {@link ResolverPolicy}'s active resolver, whose
 * decision is applied; a candidate resolver on trial decides too, on the same versions, and disagreements are
 * counted ({@link #stats()}). Changes that meet another origin's version reach the {@link ConflictListener}.
 *
 * <p><b>Anchors.</b> Between {@code ANCHOR_START} and {@code ANCHOR_END} of an origin the sink notes every key the
 * anchor mentions; at the end, each live key whose version came from that origin at a revision below the anchor's
 * and that the anchor did not mention gets a tombstone (the source removed it while the pipeline was not
 * looking).
 *
 * <p><b>Expiry.</b> A version with an {@linkplain Envelope#expiresAtMillis() expiry} is removed from the replica
 * when it passes (checked on every write and when the writer is idle), leaving a tombstone with the same version.
 * Tombstones are forgotten {@code tombstoneGrace} after they were written; a change older than a forgotten
 * tombstone that arrives after that could bring its key back, so the grace must exceed the longest redelivery
 * delay (restarts included).
 *
 * <p><b>Restarts.</b> The version table lives in memory with the sink. A replicator restarted in the same process
 * with the same sink resumes from its checkpoint; a new sink (a new process) {@linkplain #startsEmpty() starts
 * empty} and is anchored whatever its checkpoint says. Give it an empty replica map: keys it finds there that
 * it has no version for are not its to remove.
 *
 * <p><b>Threads.</b> {@link #write} runs on the replicator's writer thread for this sink, never concurrently with
 * itself; {@link #versionOf}, {@link #stats} and {@link #setResolverPolicy} may be called from any thread. The
 * replica and the version table are updated one key at a time, so a reader of the replica may see part of a
 * multi-key revision (use a {@code VersionedMap} source's snapshot when a consistent cut is needed).
 *
 * @param <K> the type of keys
 * @param <V> the type of values
 */
public final class MapReplicaSink<K, V> implements Sink<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(MapReplicaSink.class);

    /** The default time a tombstone is remembered. */
    public static final Duration DEFAULT_TOMBSTONE_GRACE = Duration.ofHours(1);

    private final String name;
    private final ConcurrentMap<K, V> replica;
    private final ConcurrentHashMap<K, Slot<V>> versions = new ConcurrentHashMap<>();
    private volatile ResolverPolicy<K, V> policy;
    private final ConflictListener<K, V> listener;
    private final ResolutionStats stats = new ResolutionStats();
    private final LongSupplier clock;
    private final long tombstoneGraceMillis;
    /** Expiries and tombstone purges, earliest first; touched by the writer thread only. */
    private final PriorityQueue<Timer<K>> timers = new PriorityQueue<>(Timer.BY_TIME);
    /** Open anchors by origin; writer thread only. */
    private final Map<String, Anchor<K>> anchors = new HashMap<>();

    /**
     * A replica sink with last-writer-wins, no conflict listener and the default tombstone grace.
     *
     * @param name the sink's name
     * @param replica the map to keep equal to the source
     */
    public MapReplicaSink(String name, ConcurrentMap<K, V> replica) {
        this(name, replica, ResolverPolicy.of(Resolvers.lastWriterWins()), null, DEFAULT_TOMBSTONE_GRACE,
            System::currentTimeMillis);
    }

    /**
     * A replica sink.
     *
     * @param name the sink's name
     * @param replica the map to keep equal to the source
     * @param policy the resolver policy
     * @param listener sees conflicts, or null
     * @param tombstoneGrace how long a tombstone is remembered, positive
     * @param clock epoch milliseconds (expiry and tombstone grace)
     */
    public MapReplicaSink(String name, ConcurrentMap<K, V> replica, ResolverPolicy<K, V> policy,
                          ConflictListener<K, V> listener, Duration tombstoneGrace, LongSupplier clock) {
        this.name = Names.checkSinkName(name);
        this.replica = Objects.requireNonNull(replica, "replica");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.listener = listener;
        if (tombstoneGrace.isNegative() || tombstoneGrace.isZero()) {
            throw new IllegalArgumentException("tombstoneGrace must be positive, got " + tombstoneGrace);
        }
        this.tombstoneGraceMillis = tombstoneGrace.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Returns the replica map this sink writes.
     *
     * @return the replica
     */
    public ConcurrentMap<K, V> replica() {
        return replica;
    }

    /**
     * Returns the version the replica holds for a key (a tombstone if it was removed and not yet forgotten).
     *
     * @param key the key
     * @return the version, or null if none is known
     */
    public Versioned<V> versionOf(K key) {
        Slot<V> s = versions.get(key);
        return s == null ? null : s.version;
    }

    /**
     * Returns the outcome counters.
     *
     * @return the stats (live)
     */
    public ResolutionStats stats() {
        return stats;
    }

    /**
     * Returns the resolver policy in force.
     *
     * @return the policy
     */
    public ResolverPolicy<K, V> resolverPolicy() {
        return policy;
    }

    /**
     * Installs a new resolver policy (promote or drop a candidate, switch resolvers); takes effect from the
     * next change. Thread-safe.
     *
     * @param newPolicy the policy
     */
    public void setResolverPolicy(ResolverPolicy<K, V> newPolicy) {
        this.policy = Objects.requireNonNull(newPolicy, "policy");
    }

    @Override
    public void write(List<Envelope<K, V>> batch) {
        long now = clock.getAsLong();
        expire(now);
        for (Envelope<K, V> e : batch) {
            switch (e.kind()) {
                case ANCHOR_START:
                    anchors.put(e.origin(), new Anchor<>(e.originRevision(), e.stamp()));
                    break;
                case ANCHOR_END:
                    endAnchor(e, now);
                    break;
                default:
                    Anchor<K> a = anchors.get(e.origin());
                    if (a != null && a.revision == e.originRevision()) {
                        a.mentioned.add(e.key());
                    }
                    apply(e.key(), e.toVersioned(), now);
                    break;
            }
        }
    }

    /**
     * True while this sink has applied nothing: its replica and version table live in memory, so a checkpoint
     * from an earlier process describes a replica that no longer exists, and the replicator anchors instead.
     *
     * @return true if nothing was applied yet
     */
    @Override
    public boolean startsEmpty() {
        return versions.isEmpty();
    }

    @Override
    public void onIdle() {
        expire(clock.getAsLong());
    }

    /**
     * Applies one version to one key: the per-origin duplicate check, the resolver, the replica.
     *
     * @param key the key
     * @param incoming the version arriving
     * @param now the clock's time
     * @return what happened
     */
    Outcome apply(K key, Versioned<V> incoming, long now) {
        Slot<V> slot = versions.get(key);
        if (slot != null && slot.seen(incoming.origin()) >= incoming.originRevision()) {
            stats.record(Outcome.DUPLICATE);
            return Outcome.DUPLICATE;
        }
        ResolverPolicy<K, V> p = policy;
        Versioned<V> current = slot == null ? null : slot.version;
        Versioned<V> result;
        try {
            result = p.active().resolve(key, current, incoming);
            if (p.candidate() != null && p.share().test(key)) {
                Versioned<V> trial = p.candidate().resolve(key, current, incoming);
                stats.recordGray(Objects.equals(trial, result));
            }
        } catch (RuntimeException e) {
            throw new PoisonChangeException("sink " + name + ": resolver of policy " + p + " threw for key " + key
                + " (origin " + incoming.origin() + ", revision " + incoming.originRevision() + ")", e);
        }
        if (result == null) {
            throw new PoisonChangeException("sink " + name + ": resolver " + p.active().name()
                + " returned null for key " + key, null);
        }
        boolean conflict = current != null && !current.origin().equals(incoming.origin());
        Outcome outcome;
        if (result == incoming) {
            outcome = conflict ? Outcome.WON : Outcome.APPLIED;
        } else if (result == current) {
            outcome = Outcome.LOST;
        } else {
            outcome = conflict ? Outcome.MERGED : Outcome.APPLIED;
        }
        // The replica first, then the version: if the replica throws, the version table has not recorded the
        // change, so the retry of the batch applies it again (a put or remove is idempotent). The other order
        // would make the retry skip it as a duplicate and lose it.
        if (result != current) {
            show(key, result, now);
        }
        versions.put(key, new Slot<>(result, slot, incoming));
        stats.record(outcome);
        if (conflict && listener != null) {
            try {
                listener.onConflict(key, current, incoming, result, outcome);
            } catch (RuntimeException | StackOverflowError ex) {
                stats.recordListenerFailure();
                LOG.warn("conflict listener of sink {} threw for key {}; replication goes on", name, key, ex);
            }
        }
        return outcome;
    }

    /** Puts the version's value into the replica, or removes the key for a tombstone or an expired value. */
    private void show(K key, Versioned<V> v, long now) {
        if (v.isTombstone() || v.expiresAtMillis() <= now) {
            replica.remove(key);
            timers.add(new Timer<>(now + tombstoneGraceMillis, key, v, true));
        } else {
            replica.put(key, v.value());
            if (v.expiresAtMillis() != Envelope.NO_EXPIRY) {
                timers.add(new Timer<>(v.expiresAtMillis(), key, v, false));
            }
        }
    }

    private void endAnchor(Envelope<K, V> end, long now) {
        Anchor<K> a = anchors.remove(end.origin());
        if (a == null || a.revision != end.originRevision()) {
            throw new IllegalStateException("sink " + name + ": anchor end at revision " + end.originRevision()
                + " of origin " + end.origin() + " without its start");
        }
        List<K> stale = new ArrayList<>();
        versions.forEach((k, s) -> {
            Versioned<V> v = s.version;
            if (!v.isTombstone() && v.origin().equals(end.origin()) && v.originRevision() < a.revision
                && !a.mentioned.contains(k)) {
                stale.add(k);
            }
        });
        for (K k : stale) {
            apply(k, Versioned.of(null, a.stamp, end.origin(), a.revision, Envelope.NO_EXPIRY), now);
        }
    }

    /** Removes expired values and forgets old tombstones. */
    private void expire(long now) {
        Timer<K> t;
        while ((t = timers.peek()) != null && t.at <= now) {
            timers.poll();
            Slot<V> s = versions.get(t.key);
            if (s == null || s.version != t.version) {
                continue; // superseded since
            }
            if (t.purge) {
                versions.remove(t.key, s);
            } else {
                try {
                    replica.remove(t.key, s.version.value());
                } catch (RuntimeException | Error e) {
                    timers.add(t); // still due: the next sweep tries again
                    throw e;
                }
                Versioned<V> v = s.version;
                Versioned<V> tomb = new Versioned<>(null, v.stamp(), v.origin(), v.originRevision(),
                    Envelope.NO_EXPIRY, Map.of());
                versions.put(t.key, new Slot<>(tomb, s, tomb));
                timers.add(new Timer<>(now + tombstoneGraceMillis, t.key, tomb, true));
                stats.recordExpired();
            }
        }
    }

    /* ---------------- Saving and restoring the version table ---------------- */

    /**
     * Sees one key's stored state, for {@link #forEachVersion}.
     *
     * @param <K> the type of keys
     * @param <V> the type of values
     */
    @FunctionalInterface
    public interface VersionVisitor<K, V> {
        /**
         * Receives one key's state.
         *
         * @param key the key
         * @param version the version the replica holds (a tombstone if removed and not yet forgotten)
         * @param otherOrigins the highest revision seen from each other origin that wrote the key; empty when
         *     there are none; immutable
         */
        void visit(K key, Versioned<V> version, Map<String, Long> otherOrigins);
    }

    /**
     * Visits every key's stored version and the revisions seen from the key's other origins: what a restored
     * sink needs to resume idempotently (see {@link #restoreVersion}). Call on the writer thread, or while no
     * {@link #write} runs, for a consistent cut; concurrently with a write the visit is weakly consistent
     * per key (each key's state is one immutable value).
     *
     * @param visitor receives each key's state
     */
    public void forEachVersion(VersionVisitor<? super K, V> visitor) {
        Objects.requireNonNull(visitor, "visitor");
        versions.forEach((k, s) -> visitor.visit(k, s.version, s.others == null ? Map.of() : Map.copyOf(s.others)));
    }

    /**
     * Restores one key's state saved by {@link #forEachVersion}: the version goes into the version table and, if
     * it is live and not expired, its value into the replica (an expired one becomes a tombstone at the next
     * sweep); a tombstone is remembered for a full tombstone grace from now; the key's other origins' revisions
     * keep later replays of their changes duplicates. Call before the first {@link #write}, on the thread that
     * will write, or before that thread starts.
     *
     * @param key the key, not null
     * @param version its version, not null
     * @param otherOrigins the highest revision seen from each other origin, not null
     * @throws IllegalStateException if the key already has a version (restore into an empty sink only)
     */
    public void restoreVersion(K key, Versioned<V> version, Map<String, Long> otherOrigins) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(version, "version");
        Map<String, Long> others = otherOrigins.isEmpty() ? null : new HashMap<>(otherOrigins);
        if (versions.putIfAbsent(key, new Slot<>(version, others)) != null) {
            throw new IllegalStateException("sink " + name + ": key " + key + " already has a version; restore"
                + " into an empty sink only");
        }
        show(key, version, clock.getAsLong());
    }

    @Override
    public String toString() {
        return "MapReplicaSink[" + name + ", " + replica.size() + " entries]";
    }

    /** A key's stored version and the highest revision seen from each other origin that wrote it. */
    private static final class Slot<V> {
        final Versioned<V> version;
        /** Origins other than version's, with their highest revision seen; null when there are none. */
        final Map<String, Long> others;

        Slot(Versioned<V> version, Slot<V> previous, Versioned<V> incoming) {
            this.version = version;
            String own = version.origin();
            long ownRevision = version.originRevision();
            if ((previous == null || previous.others == null && previous.version.origin().equals(own)
                    && previous.version.originRevision() <= ownRevision)
                && incoming.origin().equals(own) && incoming.originRevision() <= ownRevision) {
                this.others = null; // one origin, the common case: nothing beside the version to remember
                return;
            }
            Map<String, Long> m = previous == null || previous.others == null ? null : new HashMap<>(previous.others);
            if (previous != null) {
                m = note(m, previous.version.origin(), previous.version.originRevision());
            }
            m = note(m, incoming.origin(), incoming.originRevision());
            Long mine = m.get(own);
            if (mine != null && mine <= ownRevision) {
                m.remove(own);
            }
            this.others = m.isEmpty() ? null : m;
        }

        private static Map<String, Long> note(Map<String, Long> m, String origin, long revision) {
            Map<String, Long> out = m == null ? new HashMap<>(4) : m;
            out.merge(origin, revision, Math::max);
            return out;
        }

        /** A restored slot: the version and its other origins as saved. */
        Slot(Versioned<V> version, Map<String, Long> others) {
            this.version = version;
            this.others = others;
        }

        long seen(String origin) {
            long own = version.origin().equals(origin) ? version.originRevision() : -1;
            Long other = others == null ? null : others.get(origin);
            return other == null ? own : Math.max(own, other);
        }
    }

    private static final class Anchor<K> {
        final long revision;
        final long stamp;
        final Set<K> mentioned = new HashSet<>();

        Anchor(long revision, long stamp) {
            this.revision = revision;
            this.stamp = stamp;
        }
    }

    /** A due time for a key; ordered by {@link #BY_TIME} in the queue (no natural order, no equality). */
    private static final class Timer<K> {
        /** Earliest due first. */
        static final Comparator<Timer<?>> BY_TIME = Comparator.comparingLong(t -> t.at);

        final long at;
        final K key;
        final Versioned<?> version;
        final boolean purge;

        Timer(long at, K key, Versioned<?> version, boolean purge) {
            this.at = at;
            this.key = key;
            this.version = version;
            this.purge = purge;
        }
    }
}
