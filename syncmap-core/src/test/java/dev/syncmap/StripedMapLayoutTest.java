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
 * Checks with JOL, in the running JVM's actual layout, that a stripe's hot fields are padded: at least 128 bytes
 * from the start and from the end of the stripe object, so hot fields of two stripes (or of a stripe and any
 * neighbouring object) never share a cache line, nor a pair of lines fetched together by the adjacent-line
 * prefetcher. Also checked in the layouts HotSpot uses with other flags, simulated by JOL.
 */
class StripedMapLayoutTest {

    private static final Set<String> HOT_FIELDS =
        Set.of("lock", "readLock", "writeLock", "computationDone", "table", "size", "computingThread");

    private static final long PADDING = 128;

    @Test
    void hotStripeFieldsArePaddedOnBothSidesInThisJvm() {
        ClassLayout layout = ClassLayout.parseClass(StripedMap.Stripe.class);
        assertPadded(layout);
    }

    /** The other 64-bit HotSpot layouts: no compressed oops (heaps over 32 GB), no compressed class pointers, compact headers. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("otherDataModels")
    void hotStripeFieldsArePaddedOnBothSidesInOtherHotSpotLayouts(DataModel model) {
        assertPadded(ClassLayout.parseClass(StripedMap.Stripe.class, new HotSpotLayouter(model, 17)));
        assertPadded(ClassLayout.parseClass(StripedMap.Stripe.class, new HotSpotLayouter(model, 21)));
    }

    static Stream<DataModel> otherDataModels() {
        return Stream.of(new Model64(true, true), new Model64(false, true), new Model64(false, false),
            new Model64_Lilliput());
    }

    private static void assertPadded(ClassLayout layout) {
        List<FieldLayout> hot = layout.fields().stream().filter(f -> HOT_FIELDS.contains(f.name())).toList();
        assertEquals(HOT_FIELDS.size(), hot.size(), "every hot field is found: " + hot);

        long firstHot = hot.stream().mapToLong(FieldLayout::offset).min().orElseThrow();
        long endOfHot = hot.stream().mapToLong(f -> f.offset() + f.size()).max().orElseThrow();
        long size = layout.instanceSize();
        String printable = layout.toPrintable();

        assertTrue(firstHot >= PADDING, "hot fields start at byte " + firstHot + ", want >= " + PADDING + "\n" + printable);
        assertTrue(size - endOfHot >= PADDING,
            "hot fields end " + (size - endOfHot) + " bytes before the end of the stripe\n" + printable);
        // The hot fields stay together: at most two cache lines hold them all.
        assertTrue(endOfHot - firstHot <= 64, "hot fields span " + (endOfHot - firstHot) + " bytes\n" + printable);
    }
}
