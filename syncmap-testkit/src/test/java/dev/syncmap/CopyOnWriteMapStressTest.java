package dev.syncmap;

import dev.syncmap.testkit.AbstractMapStressTest;

/** {@link CopyOnWriteMap} under the kit's stress oracles. */
class CopyOnWriteMapStressTest extends AbstractMapStressTest {
    CopyOnWriteMapStressTest() {
        super("CopyOnWriteMap", CopyOnWriteMap::new);
    }
}
