package dev.syncmap.testkit;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The control: the JDK's map must pass every stress oracle, except the bound on {@code size()} while writers
 * run, which {@link ConcurrentHashMap} documents as an estimate (see {@link MapStress#sizeIsAnEstimate()}).
 */
class ConcurrentHashMapStressTest extends AbstractMapStressTest {
    ConcurrentHashMapStressTest() {
        super("ConcurrentHashMap", ConcurrentHashMap::new);
    }

    @Override
    protected MapStress stress() {
        return super.stress().sizeIsAnEstimate();
    }
}
