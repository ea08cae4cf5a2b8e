package dev.syncmap;

import dev.syncmap.testkit.AbstractMapLincheckTest;

/** {@link ReadDirtyMap}: every per-key operation and {@code size} linearizable. */
public class ReadDirtyMapLincheckTest extends AbstractMapLincheckTest {
    /** A fresh map per run. */
    public ReadDirtyMapLincheckTest() {
        super(new ReadDirtyMap<>());
    }
}
