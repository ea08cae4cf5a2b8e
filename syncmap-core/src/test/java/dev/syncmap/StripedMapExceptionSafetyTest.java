package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.internal.FaultHooks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StripedMapExceptionSafetyTest extends AbstractExceptionSafetyTest {

    StripedMapExceptionSafetyTest() {
        super(StripedMap::new, PartialPutAll.SOME); // stripe by stripe, see StripedMap.putAll
    }

    private static ExceptionSafety.MapCall computeCall(String name, ThrowingKey key) {
        return switch (name) {
            case "compute" -> m -> m.compute(key, (k, v) -> "computed");
            case "computeIfAbsent" -> m -> m.computeIfAbsent(key, k -> "computed");
            case "computeIfPresent" -> m -> m.computeIfPresent(key, (k, v) -> "computed");
            default -> m -> m.merge(key, "merged", (a, b) -> "" + a + b);
        };
    }

    /** Issue 8, failure 3: the stored key's equals throws in the lookup made under the stripe's write lock. */
    @ParameterizedTest
    @ValueSource(strings = {"compute", "computeIfAbsent", "computeIfPresent", "merge"})
    void stripedComputeWithThrowingEqualsReleasesStripeLock(String name) {
        sweepComputeFamily(name, true, (k, n) -> k.armEquals(n, () -> new IllegalStateException("equals")));
    }

    /** Issue 8, failure 7 (StripedMap part): the key's hashCode throws in the lookup under the write lock. */
    @ParameterizedTest
    @ValueSource(strings = {"compute", "computeIfAbsent", "computeIfPresent", "merge"})
    void stripedComputeWithThrowingHashCodeReleasesStripeLock(String name) {
        sweepComputeFamily(name, false, (k, n) -> k.armHashCode(n, () -> new IllegalStateException("hashCode")));
    }

    /**
     * Sweeps the failure point of the stored key (or the query key) through one call of the compute family. The
     * query key collides with the stored one: equal to it for computeIfPresent, which needs a present key, and
     * another key for computeIfAbsent, which needs an absent one.
     */
    private void sweepComputeFamily(String name, boolean armStored, ExceptionSafety.Arming arming) {
        ThrowingKey stored = ThrowingKey.hashed("s", SHARED_HASH);
        ThrowingKey query = ThrowingKey.hashed(name.equals("computeIfAbsent") ? "t" : "s", SHARED_HASH);
        int points = ExceptionSafety.sweep(this::newMap, m -> setUp(m, stored), armStored ? stored : query, arming,
            computeCall(name, query), List.of(query));
        assertTrue(points > 0, "the call never reached the armed key");
    }

    /**
     * replaceAll promises each stripe keeps its old values when the function throws; its store of the new values
     * called the keys' hashCode again, so a key that threw there left the stripe half replaced.
     */
    @Test
    void stripedReplaceAllWithThrowingHashCodeInItsStoreKeepsTheStripeAllOrNothing() {
        ThrowingKey[] keys = new ThrowingKey[6];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ThrowingKey.named("k" + i);
        }
        for (ThrowingKey armed : keys) {
            StripedMap<Object, Object> map = new StripedMap<>(0, 1);
            Map<Object, Object> before = new HashMap<>();
            Map<Object, Object> after = new HashMap<>();
            for (ThrowingKey k : keys) {
                map.put(k, 1);
                before.put(k, 1);
                after.put(k, 2);
            }
            armed.armHashCode(1, () -> new IllegalStateException("injected"));
            try {
                map.replaceAll((k, v) -> 2);
            } catch (IllegalStateException e) {
                assertSame(armed.thrown(), e);
            } finally {
                armed.reset();
            }
            Map<Object, Object> model = new HashMap<>(map).equals(after) ? after : before;
            ExceptionSafety.assertIntact(map, model, List.of(), "replaceAll with " + armed + " armed");
        }
    }

    /** One stripe, twelve keys: the thirteenth insert grows that stripe's table. */
    @Test
    void stripedPutWhoseTableGrowthRunsOutOfMemoryLeavesSizeAndContentAgreeing() {
        assertInjectedErrorChangesNothing(FaultHooks.Site.TABLE_GROWTH, keys(12), m -> m.put("new", 1));
    }

    @Test
    void stripedComputeWhoseStoreRunsOutOfMemoryEndsItsComputation() {
        assertInjectedErrorChangesNothing(FaultHooks.Site.NODE_ALLOCATION, keys(5), m -> m.compute("new", (k, v) -> 1));
        assertInjectedErrorChangesNothing(FaultHooks.Site.TABLE_GROWTH, keys(12),
            m -> m.merge("new", 1, (a, b) -> 2));
    }

    @Test
    void stripedPutAllWhoseNodeAllocationRunsOutOfMemoryLeavesSizeAndContentAgreeing() {
        assertInjectedErrorChangesNothing(FaultHooks.Site.NODE_ALLOCATION, keys(3), m -> {
            m.putAll(Map.of("a", 1));
            return null;
        });
    }

    @Override
    ConcurrentMap<Object, Object> newMapForInjection() {
        return new StripedMap<>(0, 1);
    }
}
