package dev.syncmap.testkit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The peer: the JDK's map must pass the fault-injection kit. Declared as documented: {@code putAll} puts one
 * mapping at a time and {@code replaceAll} one key at a time (not failure-atomic), and a mapping function "must not
 * attempt to update any other mappings of this map", which it detects only in some cases.
 */
class ConcurrentHashMapFaultTest {

    @TestFactory
    Stream<DynamicNode> faults() {
        return FaultInjection.forMap("ConcurrentHashMap", ConcurrentHashMap::new)
                .batchesMayApplyPart()
                .recursiveUpdatesUnchecked()
                .dynamicTests();
    }
}
