package dev.syncmap.testkit;

import com.google.common.collect.testing.testers.CollectionAddAllTester;
import com.google.common.collect.testing.testers.CollectionAddTester;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The control: the JDK's map must pass the contract suite as the kit builds it for syncmap's maps.
 *
 * <p>One documented extension is suppressed: {@code ConcurrentHashMap.entrySet().add(e)} inserts the mapping
 * (see its Javadoc) where the contract suite expects the view to refuse additions.
 */
class ConcurrentHashMapContractTest {

    @TestFactory
    Stream<DynamicNode> contract() {
        return MapContract.forMap("ConcurrentHashMap", ConcurrentHashMap::new)
                .suppressing(CollectionAddTester.class, "testAdd_unsupportedNotPresent")
                .suppressing(CollectionAddAllTester.class, "testAddAll_unsupportedNonePresent")
                .suppressing(CollectionAddAllTester.class, "testAddAll_unsupportedSomePresent")
                .dynamicTests();
    }
}
