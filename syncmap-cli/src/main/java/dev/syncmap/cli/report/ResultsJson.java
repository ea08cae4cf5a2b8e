package dev.syncmap.cli.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Reads and writes {@code results.json}. Stateless and thread-safe. */
public final class ResultsJson {

    /** The class-path location of the JSON Schema of {@code results.json}. */
    public static final String SCHEMA_RESOURCE = "/dev/syncmap/cli/report/results.schema.json";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // newer minor versions may add fields
            .build();

    private ResultsJson() {
    }

    /**
     * Serializes a document.
     *
     * @param doc the document
     * @return pretty-printed JSON
     */
    public static String toJson(ResultsDocument doc) {
        try {
            return MAPPER.writeValueAsString(doc) + System.lineSeparator();
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize results", e);
        }
    }

    /**
     * Reads a document written by {@link #toJson}.
     *
     * @param file a {@code results.json}
     * @return the document
     * @throws IOException when the file cannot be read or is not a results document
     */
    public static ResultsDocument read(Path file) throws IOException {
        ResultsDocument doc = MAPPER.readValue(file.toFile(), ResultsDocument.class);
        if (doc == null || !ResultsDocument.SCHEMA.equals(doc.schema())) {
            throw new IOException(file + " is not a " + ResultsDocument.SCHEMA + " results file");
        }
        return doc;
    }

    /**
     * Opens the JSON Schema that every {@code results.json} validates against.
     *
     * @return the schema's stream; the caller closes it
     */
    public static InputStream openSchema() {
        InputStream in = ResultsJson.class.getResourceAsStream(SCHEMA_RESOURCE);
        if (in == null) {
            throw new IllegalStateException("missing resource " + SCHEMA_RESOURCE);
        }
        return in;
    }
}
