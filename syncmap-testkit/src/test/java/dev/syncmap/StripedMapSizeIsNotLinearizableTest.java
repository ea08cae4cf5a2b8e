package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.testkit.AbstractMapLincheckTest;
import dev.syncmap.testkit.LincheckScenario;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * What a larger Lincheck budget found when {@code size} was in {@link StripedMap}'s operation set (30 scenarios ×
 * 2,000 invocations; the CI default at the time, 10 × 500, had missed it): {@code size()} reads the stripes' counters one
 * after the other, so while it runs, a key removed from a stripe it has already counted and another added to a
 * stripe it has not yet reached are both counted. Here the map holds one key throughout the parallel part (one
 * removal, then one insertion), yet {@code size()} returns 2. {@link StripedMap} documents this; the test pins it,
 * and {@link StripedMapLincheckTest} leaves {@code size} out.
 */
public class StripedMapSizeIsNotLinearizableTest {

    /** The map under the full operation set, {@code size} included; run only through the scenario below. */
    @Disabled("random scenarios may or may not hit the size race: run only through the pinned scenario")
    public static final class WithSize extends AbstractMapLincheckTest {
        /** A fresh map per run, with 8 stripes: key 1 is in stripe 2, key 3 in stripe 4, counted after it. */
        public WithSize() {
            super(new StripedMap<>(0, 8));
        }
    }

    @Test
    void sizeCanCountARemovedKeyAndAnAddedOne() {
        ExecutionScenario scenario = LincheckScenario.of(WithSize.class)
                .initially("put", 1, 2)
                .thread(0, "remove", 1)
                .thread(0, "put", 3, 3)
                .thread(1, "size")
                .build();
        LincheckAssertionError error = assertThrows(LincheckAssertionError.class,
                () -> LincheckScenario.modelCheck(WithSize.class, scenario));
        String report = error.getMessage();
        assertTrue(report.contains("size(): 2"), report);
    }
}
