package dev.syncmap;

import dev.syncmap.testkit.FaultInjection;
import dev.syncmap.testkit.FaultKey;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link VersionedMap} under the fault-injection kit, on the kit's executor: keys, functions, sources, Errors in *
 * its commit sections, failing listeners, subscribers and executors.
 */
class VersionedMapFaultTest {

    @TestFactory
    Stream<DynamicNode> faults() {
        return FaultInjection.forVersionedMap("VersionedMap",
                executor -> VersionedMap.<FaultKey, Integer>builder().executor(executor).build()).dynamicTests();
    }
}
