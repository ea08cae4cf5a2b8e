package dev.syncmap;

import dev.syncmap.testkit.FaultInjection;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link LockedMap} under the fault-injection kit: throwing keys, functions, sources and Errors. Its batches stop at
 * the first throw and keep what they wrote (issue 8, failure 6: "the entries already written stay"), so they are
 * declared not failure-atomic; what must hold is that snapshots, iteration and size agree with what stayed.
 */
class LockedMapFaultTest {

    @TestFactory
    Stream<DynamicNode> faults() {
        return FaultInjection.forMap("LockedMap", LockedMap::new).batchesMayApplyPart().dynamicTests();
    }
}
