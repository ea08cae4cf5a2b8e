package dev.syncmap.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The schema in docs/ is the one the CLI ships and the tests validate against. */
class SchemaFileTest {

    @Test
    void docsCopyEqualsTheShippedSchema() throws IOException {
        String shipped;
        try (InputStream in = ResultsJson.openSchema()) {
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String docs = Files.readString(Path.of("../docs/results.schema.json"));
        assertEquals(shipped, docs, "copy syncmap-cli/src/main/resources/dev/syncmap/cli/report/results.schema.json"
                + " to docs/results.schema.json");
    }
}
