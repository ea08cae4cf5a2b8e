package dev.syncmap;

import dev.syncmap.testkit.AbstractMapLincheckTest;
import dev.syncmap.testkit.LincheckBudget;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * {@link VersionedMap}: every per-key operation and {@code size} linearizable, and so are {@code snapshot()}
 * (its revision and sorted content), {@code revision()} and {@code changesSince(r)} (the changes as text).
 *
 * <p>The sequential specification is this class over a {@link VersionedMap} used by one thread at a time: the
 * map's sequential behaviour (revision numbering, history content) is pinned by the unit tests in syncmap-core,
 * so this test checks that concurrent histories match some sequential order of the same operations. Multi-key
 * batches are not in the model: they are atomic for snapshots and the feed but, documented, not for single-key
 * reads, so a history with a {@code putAll} and two {@code get}s could legitimately fail the check.
 */
@Param(name = "since", gen = IntGen.class, conf = "0:4")
public class VersionedMapLincheckTest extends AbstractMapLincheckTest {

    private final VersionedMap<Integer, Integer> versioned;

    /** A fresh map per run. */
    public VersionedMapLincheckTest() {
        super(new VersionedMap<>());
        this.versioned = (VersionedMap<Integer, Integer>) map();
    }

    /**
     * {@link VersionedMap#snapshot()}: its revision and content in key order.
     *
     * @return e.g. {@code "3:{1=2, 2=4}"}
     */
    @Operation
    public String snapshot() {
        VersionedSnapshot<Integer, Integer> s = versioned.snapshot();
        return s.revision() + ":" + new TreeMap<>(s) + ":" + s.size();
    }

    /**
     * {@link VersionedMap#revision()}.
     *
     * @return the current revision
     */
    @Operation
    public long revision() {
        return versioned.revision();
    }

    /**
     * {@link VersionedMap#changesSince(long)} as text.
     *
     * @param since the revision to continue after
     * @return the changes, e.g. {@code "[1:1:null>2, 2:1:2>null]"}
     */
    @Operation
    public String changesSince(@Param(name = "since") int since) {
        return versioned.changesSince(since).stream()
            .map(c -> c.revision() + ":" + c.key() + ":" + c.oldValue() + ">" + c.newValue())
            .collect(Collectors.joining(", ", "[", "]"));
    }

    @Override
    protected Options<?, ?> modelCheckingOptions() {
        return LincheckBudget.fromSystemProperties().modelChecking().sequentialSpecification(Specification.class);
    }

    @Override
    protected Options<?, ?> stressOptions() {
        return LincheckBudget.fromSystemProperties().stress().sequentialSpecification(Specification.class);
    }

    /** The sequential specification: the same operations on a {@link VersionedMap} used by one thread. */
    public static final class Specification extends VersionedMapLincheckTest {
        /** A fresh map. */
        public Specification() {
            super();
        }
    }
}
