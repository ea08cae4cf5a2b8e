package dev.syncmap;

import dev.syncmap.testkit.AbstractMapLincheckTest;

/**
 * {@link LockedMap}: every per-key operation and {@code size} linearizable. (The kit found that {@code equals}
 * locked before checking its argument, which Lincheck's model checker reported as a hang; fixed in LockedMap.)
 */
public class LockedMapLincheckTest extends AbstractMapLincheckTest {
    /** A fresh map per run. */
    public LockedMapLincheckTest() {
        super(new LockedMap<>());
    }
}
