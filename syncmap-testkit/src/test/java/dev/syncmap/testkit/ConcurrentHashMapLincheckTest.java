package dev.syncmap.testkit;

import java.util.concurrent.ConcurrentHashMap;

/** The control: the JDK's map must be linearizable on every operation the kit checks. */
public class ConcurrentHashMapLincheckTest extends AbstractMapLincheckTest {
    /** A fresh map per run. */
    public ConcurrentHashMapLincheckTest() {
        super(new ConcurrentHashMap<>());
    }
}
