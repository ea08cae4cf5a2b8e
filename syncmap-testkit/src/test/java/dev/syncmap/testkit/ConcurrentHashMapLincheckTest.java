package dev.syncmap.testkit;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The control: the JDK's map must be linearizable on every per-key operation. Not on {@code size()}, which
 * {@link ConcurrentHashMap} documents as an estimate under concurrent updates; the kit found that on its own,
 * and {@link ConcurrentHashMapSizeIsNotLinearizableTest} pins it.
 */
public class ConcurrentHashMapLincheckTest extends AbstractPerKeyMapLincheckTest {
    /** A fresh map per run. */
    public ConcurrentHashMapLincheckTest() {
        super(new ConcurrentHashMap<>());
    }
}
