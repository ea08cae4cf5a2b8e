package dev.syncmap;

import dev.syncmap.testkit.FaultInjection;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** {@link LockedMap} under the fault-injection kit: throwing keys, functions, sources and Errors. */
class LockedMapFaultTest {

    @TestFactory
    Stream<DynamicNode> faults() {
        return FaultInjection.suite("LockedMap", LockedMap::new);
    }
}
