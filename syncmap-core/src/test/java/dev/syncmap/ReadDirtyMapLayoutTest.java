package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jol.datamodel.DataModel;
import org.openjdk.jol.datamodel.Model64;
import org.openjdk.jol.datamodel.Model64_Lilliput;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.FieldLayout;
import org.openjdk.jol.layouters.HotSpotLayouter;

/**
 * Checks with JOL that the fields {@link ReadDirtyMap} writes under its lock on every slow path sit at least
 * 128 bytes (two cache lines, for the adjacent-line prefetcher) from both ends of their holder object, so
 * those writes never invalidate a line that lock-free readers load. Checked in this JVM's layout and in the
 * other 64-bit HotSpot layouts JOL can simulate.
 */
class ReadDirtyMapLayoutTest {

    private static final Set<String> GUARDED = Set.of("dirty", "misses", "count", "promotions");
    private static final long PADDING = 128;

    private static Class<?> writerState() throws ClassNotFoundException {
        return Class.forName(ReadDirtyMap.class.getName() + "$WriterState");
    }

    @Test
    void lockGuardedFieldsArePaddedInThisJvm() throws ClassNotFoundException {
        assertPadded(ClassLayout.parseClass(writerState()));
    }

    static Stream<DataModel> dataModels() {
        return Stream.of(new Model64(true, true), new Model64(false, true), new Model64(false, false),
            new Model64_Lilliput());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dataModels")
    void lockGuardedFieldsArePaddedInOtherLayouts(DataModel model) throws ClassNotFoundException {
        for (int jdk : new int[] {17, 21}) {
            assertPadded(ClassLayout.parseClass(writerState(), new HotSpotLayouter(model, jdk)));
        }
    }

    private static void assertPadded(ClassLayout layout) {
        List<FieldLayout> guarded = layout.fields().stream().filter(f -> GUARDED.contains(f.name())).toList();
        assertEquals(GUARDED.size(), guarded.size(), "all guarded fields found\n" + layout.toPrintable());
        long first = guarded.stream().mapToLong(FieldLayout::offset).min().orElseThrow();
        long end = guarded.stream().mapToLong(f -> f.offset() + f.size()).max().orElseThrow();
        assertTrue(first >= PADDING, "guarded fields start at " + first + "\n" + layout.toPrintable());
        assertTrue(layout.instanceSize() - end >= PADDING,
            "guarded fields end " + (layout.instanceSize() - end) + " bytes before the end\n" + layout.toPrintable());
    }
}
