package dev.syncmap.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syncmap.bench.Mix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadReaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void readsAFullYamlWorkload() throws IOException {
        // Unquoted 97:3 and 50:50 would be base-60 integers in YAML 1.1; they must still read as mixes.
        Path f = write("w.yaml", """
                schema: syncmap-workload/1
                name: session store
                mixes: [97:3, "90:10", 50:50]
                keys: [100k, 1000000]
                threads: [1, 2, 4]
                dist: zipf
                maps: [ConcurrentHashMap, StripedMap]
                needs:
                  snapshots: true
                  changeFeed: false
                """);
        Workload w = WorkloadReader.read(f);
        assertEquals("session store", w.name());
        assertEquals(List.of(new Mix(97, 3), new Mix(90, 10), new Mix(50, 50)), w.mixes());
        assertEquals(List.of(100_000, 1_000_000), w.keys());
        assertEquals(List.of(1, 2, 4), w.threads());
        assertEquals(List.of(Dist.ZIPF), w.dists());
        assertEquals(List.of("ConcurrentHashMap", "StripedMap"), w.maps());
        assertTrue(w.needs().snapshots());
        assertFalse(w.needs().changeFeed());
    }

    @Test
    void readsJsonAndSingleValues() throws IOException {
        Path f = write("w.json", """
                {"mixes": "99:1", "keys": 1000, "threads": 8, "needs": {"changeFeed": true}}
                """);
        Workload w = WorkloadReader.read(f);
        assertEquals(List.of(new Mix(99, 1)), w.mixes());
        assertEquals(List.of(1000), w.keys());
        assertEquals(List.of(8), w.threads());
        assertTrue(w.dists().isEmpty());
        assertTrue(w.maps().isEmpty());
        assertTrue(w.needs().changeFeed());
        assertFalse(w.needs().snapshots());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mixes: [97:4]                 | mixes[0]: invalid mix '97:4'",
        "mixes: [fast]                 | mixes[0]: invalid mix 'fast'",
        "threads: [2, 0]               | threads[1]: invalid thread count 0",
        "keys: [10q]                   | keys[0]: invalid key count '10q'",
        "dist: gaussian                | dist[0]: unknown key distribution 'gaussian'",
        "mixs: [97:3]                  | unknown field 'mixs'",
        "mixes: []                     | mixes is an empty list",
        "needs: {snapshots: [1]}       | needs.snapshots has the wrong type",
        "schema: syncmap-workload/9    | schema 'syncmap-workload/9' is not supported",
        "'mixes: [97:3'                | is not valid YAML",
    })
    void rejectsInvalidFilesWithOneLineNamingTheProblem(String content, String expected) throws IOException {
        Path f = write("bad.yaml", content + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkloadReader.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains("bad.yaml"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void rejectsMissingAndEmptyFiles() throws IOException {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> WorkloadReader.read(dir.resolve("nope.yaml")));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
        Path empty = write("empty.yaml", "  \n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkloadReader.read(empty));
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
    }

    @Test
    void theDocumentedExampleReads() throws IOException {
        Path example = Path.of("../docs/workload-example.yaml");
        Workload w = WorkloadReader.read(example);
        assertFalse(w.mixes().isEmpty());
        assertTrue(w.needs().snapshots());
    }
}
