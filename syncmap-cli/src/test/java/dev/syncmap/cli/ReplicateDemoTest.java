package dev.syncmap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code syncmap demo replicate} end to end, with a shorter load phase: a broker and three node processes, one
 * killed with {@code kill -9} and restarted, live status lines, and the EQUAL verdict with exit status 0.
 */
class ReplicateDemoTest {

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theReplicateDemoEndsWithEqualViews() {
        CliTest.Outcome o = CliTest.run("demo", "replicate", "--seconds", "3", "--rate", "500");
        System.out.println(o.out());
        assertEquals(0, o.status(), o.toString());
        assertTrue(o.out().contains("kill -9 node-2 (exit 137)"), o.out());
        assertTrue(o.out().contains("node-1 lag "), o.out());
        assertTrue(o.out().contains("EQUAL: the 3 nodes hold the same"), o.out());
    }
}
