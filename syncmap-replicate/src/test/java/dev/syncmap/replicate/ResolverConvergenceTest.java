package dev.syncmap.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

/**
 * Resolver convergence: the changes of several origins (each with its own clock, skewed against the others),
 * applied to a replica in many random orders, with duplicates, must leave every replica in the same state for
 * every order-independent resolver; CRDT counters must equal the exact sum of all increments. The
 * order-dependent pass-through policy is the broken control: the oracle must see it diverge.
 */
class ResolverConvergenceTest {

    static final int ORIGINS = 3;
    static final int ORDERS = 40;
    static final String[] KEYS = {"a", "b", "c", "d", "e"};

    /** Each origin writes its keys in its own revision order, with a clock skewed by up to 40 ms. */
    static <V> List<Envelope<String, V>> history(long seed, int perOrigin, BiFunction<Random, Integer, V> value,
                                                  boolean removals) {
        Random r = new Random(seed);
        List<Envelope<String, V>> all = new ArrayList<>();
        for (int o = 0; o < ORIGINS; o++) {
            long[] wall = {1_000_000L + o * 13L};
            long skew = r.nextInt(40);
            HybridLogicalClock clock = new HybridLogicalClock(() -> wall[0] + skew, Duration.ofMillis(100));
            for (int rev = 1; rev <= perOrigin; rev++) {
                wall[0] += r.nextInt(3);
                String key = KEYS[r.nextInt(KEYS.length)];
                V v = removals && r.nextInt(5) == 0 ? null : value.apply(r, rev);
                all.add(Envelope.change("node-" + o, rev, clock.now(), key, v, true));
            }
        }
        return all;
    }

    /** Applies the changes in {@link #ORDERS} random orders (each with some duplicates); returns the distinct outcomes. */
    static <V> Set<Map<String, V>> outcomes(List<Envelope<String, V>> changes, ConflictResolver<String, V> resolver,
                                            long seed) {
        Random r = new Random(seed);
        Set<Map<String, V>> states = new HashSet<>();
        for (int i = 0; i < ORDERS; i++) {
            List<Envelope<String, V>> order = new ArrayList<>(changes);
            for (int d = 0; d < changes.size() / 4; d++) {
                order.add(changes.get(r.nextInt(changes.size()))); // duplicate deliveries
            }
            Collections.shuffle(order, r);
            ConcurrentHashMap<String, V> replica = new ConcurrentHashMap<>();
            MapReplicaSink<String, V> sink = new MapReplicaSink<>("r", replica, ResolverPolicy.of(resolver), null,
                Duration.ofHours(1), () -> 0L);
            for (int from = 0; from < order.size(); from += 7) { // batches of 7
                sink.write(order.subList(from, Math.min(order.size(), from + 7)));
            }
            states.add(new HashMap<>(replica));
        }
        return states;
    }

    @Test
    void lastWriterWinsConverges() {
        List<Envelope<String, String>> h = history(1, 60, (r, rev) -> "v" + r.nextInt(100), true);
        Set<Map<String, String>> s = outcomes(h, Resolvers.lastWriterWins(), 2);
        assertEquals(1, s.size(), () -> "diverged: " + s);
        // and the state is the one with the largest (stamp, origin) per key
        Map<String, Envelope<String, String>> newest = new HashMap<>();
        for (Envelope<String, String> e : h) {
            newest.merge(e.key(), e, (a, b) -> a.toVersioned().compareStampTo(b.toVersioned()) >= 0 ? a : b);
        }
        Map<String, String> expected = new HashMap<>();
        newest.forEach((k, e) -> {
            if (e.value() != null) {
                expected.put(k, e.value());
            }
        });
        assertEquals(expected, s.iterator().next());
    }

    @Test
    void latestUpdateConverges() {
        Set<Map<String, String>> s = outcomes(history(3, 60, (r, rev) -> "v" + r.nextInt(100), true),
            Resolvers.latestUpdate(), 4);
        assertEquals(1, s.size(), () -> "diverged: " + s);
    }

    @Test
    void higherVersionConvergesWithoutRemovals() {
        // a version column: each origin's writes carry growing versions (the premise, as stamps are for LWW)
        Set<Map<String, Integer>> s = outcomes(history(5, 60, (r, rev) -> rev * 10 + r.nextInt(10), false),
            Resolvers.higherVersion(Integer::longValue), 6);
        assertEquals(1, s.size(), () -> "diverged: " + s);
    }

    @Test
    void customResolverConverges() {
        Set<Map<String, Integer>> s = outcomes(history(7, 60, (r, rev) -> rev * 10 + r.nextInt(10), false),
            new MaxValueResolver(),
            8);
        assertEquals(1, s.size(), () -> "diverged: " + s);
    }

    @Test
    void gCounterEqualsTheExactSumOfIncrements() {
        // each origin's value is its running total for the key
        Random r = new Random(9);
        List<Envelope<String, Long>> h = new ArrayList<>();
        Map<String, Long> expected = new HashMap<>();
        for (int o = 0; o < ORIGINS; o++) {
            Map<String, Long> totals = new HashMap<>();
            for (int rev = 1; rev <= 80; rev++) {
                String key = KEYS[r.nextInt(KEYS.length)];
                long inc = 1 + r.nextInt(10);
                long total = totals.merge(key, inc, Long::sum);
                expected.merge(key, inc, Long::sum);
                h.add(Envelope.change("node-" + o, rev, 1000L * rev + o, key, total, true));
            }
        }
        Set<Map<String, Long>> s = outcomes(h, Resolvers.gCounter(), 10);
        assertEquals(Set.of(expected), s);
    }

    @Test
    void pnCounterEqualsTheExactSumOfIncrementsAndDecrements() {
        Random r = new Random(11);
        List<Envelope<String, PnCount>> h = new ArrayList<>();
        Map<String, Long> expected = new HashMap<>();
        for (int o = 0; o < ORIGINS; o++) {
            Map<String, PnCount> totals = new HashMap<>();
            for (int rev = 1; rev <= 80; rev++) {
                String key = KEYS[r.nextInt(KEYS.length)];
                long delta = r.nextInt(21) - 10;
                PnCount total = totals.merge(key, PnCount.of(delta), PnCount::plus);
                expected.merge(key, delta, Long::sum);
                h.add(Envelope.change("node-" + o, rev, 1000L * rev + o, key, total, true));
            }
        }
        Set<Map<String, PnCount>> s = outcomes(h, Resolvers.pnCounter(), 12);
        assertEquals(1, s.size(), () -> "diverged: " + s);
        Map<String, Long> values = new HashMap<>();
        s.iterator().next().forEach((k, v) -> values.put(k, v.value()));
        assertEquals(expected, values);
    }

    /** Broken control: pass-through depends on arrival order, and the oracle must say so. */
    @Test
    void anOrderDependentResolverIsCaught() {
        Set<Map<String, String>> s = outcomes(history(13, 60, (r, rev) -> "v" + r.nextInt(100), true),
            Resolvers.passThrough(), 14);
        assertTrue(s.size() > 1, "pass-through must diverge across arrival orders; the oracle saw one state");
        assertTrue(!Resolvers.<String, String>passThrough().isOrderIndependent());
    }

    /**
     * A custom resolver: the larger value wins, ties by stamp (a high-water mark). Order-independent where each
     * origin's values grow, as a watermark's do: replicas skip an origin's older writes once they have seen a
     * newer one, so a resolver that could prefer an origin's older write over its newer one would depend on
     * which arrived first.
     */
    public static final class MaxValueResolver implements ConflictResolver<String, Integer> {
        @Override
        public Versioned<Integer> resolve(String key, Versioned<Integer> current, Versioned<Integer> incoming) {
            if (current == null) {
                return incoming;
            }
            int c = Integer.compare(incoming.value(), current.value());
            if (c == 0) {
                c = incoming.compareStampTo(current);
            }
            return c > 0 ? incoming : current;
        }
    }
}
