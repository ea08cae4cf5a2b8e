package dev.syncmap;

import dev.syncmap.testkit.FaultInjection;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link ReadDirtyMap} under the fault-injection kit; its putAll puts one key at a time and its replaceAll is
 * atomic per key only (as documented), so a failed batch may have applied part.
 */
class ReadDirtyMapFaultTest {

    @TestFactory
    Stream<DynamicNode> faults() {
        return FaultInjection.forMap("ReadDirtyMap", ReadDirtyMap::new).batchesMayApplyPart().dynamicTests();
    }
}
