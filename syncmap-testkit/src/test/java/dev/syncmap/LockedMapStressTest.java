package dev.syncmap;

import dev.syncmap.testkit.AbstractMapStressTest;

/** {@link LockedMap} under the kit's stress oracles. */
class LockedMapStressTest extends AbstractMapStressTest {
    LockedMapStressTest() {
        super("LockedMap", LockedMap::new);
    }
}
