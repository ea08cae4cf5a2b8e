package dev.syncmap;

import dev.syncmap.testkit.FaultInjection;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link CopyOnWriteMap} under the fault-injection kit; its batches are one publish, so failure-atomic.
 */
class CopyOnWriteMapFaultTest {

    @TestFactory
    Stream<DynamicNode> faults() {
        return FaultInjection.suite("CopyOnWriteMap", CopyOnWriteMap::new);
    }
}
