package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LongSummaryStatistics;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jol.datamodel.DataModel;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.layouters.HotSpotLayouter;

/**
 * Checks with JOL that {@link Sequencer}'s hot fields (the word every commit CASes, the size and the history's
 * bookkeeping) are padded on both sides by at least 128 bytes (a pair of lines, against the adjacent-line
 * prefetcher) and fit in one line, in this JVM's layout and in HotSpot's other 64-bit layouts.
 */
class SequencerLayoutTest {

    private static final Set<String> HOT_FIELDS = Set.of("state", "size", "historyOldest", "historyBytes");
    private static final long PADDING = 128;

    @Test
    void hotSequencerFieldsArePaddedOnBothSidesInThisJvm() {
        assertPadded(ClassLayout.parseClass(Sequencer.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.syncmap.StripedMapLayoutTest#otherDataModels")
    void hotSequencerFieldsArePaddedOnBothSidesInOtherHotSpotLayouts(DataModel model) {
        assertPadded(ClassLayout.parseClass(Sequencer.class, new HotSpotLayouter(model, 17)));
        assertPadded(ClassLayout.parseClass(Sequencer.class, new HotSpotLayouter(model, 21)));
    }

    private static void assertPadded(ClassLayout layout) {
        LongSummaryStatistics starts = new LongSummaryStatistics();
        LongSummaryStatistics ends = new LongSummaryStatistics();
        layout.fields().stream().filter(f -> HOT_FIELDS.contains(f.name())).forEach(f -> {
            starts.accept(f.offset());
            ends.accept(f.offset() + f.size());
        });
        String printable = layout.toPrintable();
        assertEquals(HOT_FIELDS.size(), starts.getCount(), "every hot field is found\n" + printable);
        long before = starts.getMin();
        long after = layout.instanceSize() - ends.getMax();
        assertTrue(before >= PADDING && after >= PADDING,
            "hot fields need " + PADDING + " bytes on each side, have " + before + " and " + after + "\n" + printable);
        assertTrue(ends.getMax() - before <= 64, "hot fields share one line\n" + printable);
    }
}
