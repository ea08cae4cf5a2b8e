package dev.syncmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.copy.Codecs;
import dev.syncmap.copy.MapCopy;
import dev.syncmap.copy.SnapshotFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The code sample of README.md, kept compiling and true. */
class ReadmeExampleTest {

    @Test
    void readmeSample() throws Exception {
        // --- README sample begins ---
        VersionedMap<String, Long> sessions = new VersionedMap<>();
        sessions.put("alice", 1L);
        sessions.merge("alice", 1L, Long::sum);        // atomic; the function runs at most once
        sessions.put("bob", 7L);

        Snapshot<String, Long> snap = sessions.snapshot();   // O(1), immutable, revision 3
        sessions.remove("bob");                               // revision 4; snap still shows bob

        List<Change<String, Long>> feed = sessions.changesSince(snap.revision());
        // feed: [Change[revision=4, key=bob, oldValue=7, newValue=null]], an immutable list

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        SnapshotFormat<String, Long> format = SnapshotFormat.of(Codecs.STRING, Codecs.LONG);
        format.write(snap, file);                             // magic, version, revision, CRC32C
        Snapshot<String, Long> restored = format.read(new ByteArrayInputStream(file.toByteArray()));
        // --- README sample ends ---

        assertEquals(3, snap.revision());
        assertEquals(2L, snap.get("alice"));
        assertTrue(snap.containsKey("bob"));
        assertEquals(1, feed.size());
        assertTrue(feed.get(0).isRemoval());
        assertThrows(UnsupportedOperationException.class, () -> feed.add(feed.get(0)));
        assertEquals(snap, restored);
        assertEquals(3, restored.revision());
        assertEquals(new ArrayList<>(List.of("alice", "bob")),
            new ArrayList<>(MapCopy.of(snap).sorted().toSortedMap().keySet()));
    }
}
