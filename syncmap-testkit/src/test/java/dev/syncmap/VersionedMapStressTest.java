package dev.syncmap;

import dev.syncmap.testkit.AbstractMapStressTest;

/** {@link VersionedMap} under the kit's stress oracles. */
class VersionedMapStressTest extends AbstractMapStressTest {
    VersionedMapStressTest() {
        super("VersionedMap", VersionedMap::new);
    }
}
