package dev.syncmap;

import dev.syncmap.testkit.AbstractMapLincheckTest;

/** {@link CopyOnWriteMap}: every per-key operation and {@code size} linearizable. */
public class CopyOnWriteMapLincheckTest extends AbstractMapLincheckTest {
    /** A fresh map per run. */
    public CopyOnWriteMapLincheckTest() {
        super(new CopyOnWriteMap<>());
    }
}
