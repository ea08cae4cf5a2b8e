package dev.syncmap;

import dev.syncmap.testkit.AbstractMapStressTest;

/** {@link ReadDirtyMap} under the kit's stress oracles. */
class ReadDirtyMapStressTest extends AbstractMapStressTest {
    ReadDirtyMapStressTest() {
        super("ReadDirtyMap", ReadDirtyMap::new);
    }
}
