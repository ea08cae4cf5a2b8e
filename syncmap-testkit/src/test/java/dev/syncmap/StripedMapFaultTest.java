package dev.syncmap;

import dev.syncmap.testkit.FaultInjection;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link StripedMap} under the fault-injection kit, with its default stripes and with one stripe (every key shares
 * one lock). Its batches are atomic per stripe only, as documented.
 */
class StripedMapFaultTest {

    @TestFactory
    Stream<DynamicNode> faults() {
        return FaultInjection.forMap("StripedMap", StripedMap::new).batchesMayApplyPart().dynamicTests();
    }

    @TestFactory
    Stream<DynamicNode> oneStripe() {
        return FaultInjection.forMap("StripedMap(1)", () -> new StripedMap<>(0, 1)).batchesMayApplyPart().dynamicTests();
    }
}
