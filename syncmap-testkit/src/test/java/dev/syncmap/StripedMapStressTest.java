package dev.syncmap;

import dev.syncmap.testkit.AbstractMapStressTest;

/** {@link StripedMap} under the kit's stress oracles. */
class StripedMapStressTest extends AbstractMapStressTest {
    StripedMapStressTest() {
        super("StripedMap", StripedMap::new);
    }
}
