package dev.syncmap;

import dev.syncmap.testkit.AbstractPerKeyMapLincheckTest;

/**
 * {@link StripedMap}: every per-key operation linearizable. Not {@code size()}, which sums the stripes' counters
 * one after the other and is documented as not linearizable under concurrent writes;
 * {@link StripedMapSizeIsNotLinearizableTest} shows the history that proves it.
 */
public class StripedMapLincheckTest extends AbstractPerKeyMapLincheckTest {
    /** A fresh map per run. */
    public StripedMapLincheckTest() {
        super(new StripedMap<>());
    }
}
