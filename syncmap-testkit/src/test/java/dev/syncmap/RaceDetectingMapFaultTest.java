package dev.syncmap;

import dev.syncmap.testkit.FaultInjection;
import java.util.HashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** {@link RaceDetectingMap} around a {@link java.util.HashMap} under the fault-injection kit, called from one thread at a time:
 * every failure must pass through as the {@code HashMap}'s does, and no call that ended by a throw may stay
 * registered (later calls from other threads would be reported as races). The {@code HashMap}'s batches are not
 * failure-atomic, and it detects a write from a mapping function only when it is structural (a value overwritten
 * goes unnoticed), so the recursion checks are left out. */
class RaceDetectingMapFaultTest {

    @TestFactory
    Stream<DynamicNode> faults() {
        return FaultInjection.forNonConcurrentMap("RaceDetectingMap(HashMap)", () -> RaceDetectingMap.of(new HashMap<>()))
                .batchesMayApplyPart()
                .recursiveUpdatesUnchecked()
                .withoutFaultHooks()
                .dynamicTests();
    }
}
