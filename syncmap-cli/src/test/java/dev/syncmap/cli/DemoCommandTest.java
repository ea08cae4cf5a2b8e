package dev.syncmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The tour runs every map, and every claim it prints holds. */
class DemoCommandTest {

    @Test
    @Timeout(60)
    void demoExercisesEveryMapAndAllItsChecksHold() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = SyncmapCommand.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("demo");
        String text = out.toString();
        assertEquals(0, status, text + err);
        for (String map : new String[] {"LockedMap", "StripedMap", "ReadDirtyMap", "CopyOnWriteMap", "VersionedMap",
            "RaceDetectingMap"}) {
            assertTrue(text.contains("\n" + map + " — "), map + " section missing:\n" + text);
        }
        assertTrue(text.contains("→ total 100,000"), text);
        assertTrue(text.contains("→ 0 torn"), text);
        assertTrue(text.contains("changesSince(2): r3 apples 10→7"), text);
        assertTrue(text.contains("concurrent map writes"), text);
        assertFalse(text.contains("FAILED"), text);
        assertTrue(text.strip().endsWith("All checks held."), text);
    }
}
