package dev.syncmap;

import dev.syncmap.testkit.MapContract;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** {@link CopyOnWriteMap} against the whole Map/ConcurrentMap contract (Guava testlib). */
class CopyOnWriteMapContractTest {

    @TestFactory
    Stream<DynamicNode> contract() {
        return MapContract.suite("CopyOnWriteMap", CopyOnWriteMap::new);
    }
}
