package dev.syncmap;

import dev.syncmap.testkit.AbstractMapLincheckTest;

/** {@link StripedMap}: every per-key operation and {@code size} linearizable. */
public class StripedMapLincheckTest extends AbstractMapLincheckTest {
    /** A fresh map per run. */
    public StripedMapLincheckTest() {
        super(new StripedMap<>());
    }
}
