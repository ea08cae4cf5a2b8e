package dev.syncmap.testkit;

import java.util.concurrent.ConcurrentHashMap;

/** The control: the JDK's map must pass every stress oracle. */
class ConcurrentHashMapStressTest extends AbstractMapStressTest {
    ConcurrentHashMapStressTest() {
        super("ConcurrentHashMap", ConcurrentHashMap::new);
    }
}
