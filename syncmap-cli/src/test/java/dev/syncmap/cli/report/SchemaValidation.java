package dev.syncmap.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/** Validates JSON text against the shipped {@code results.schema.json}. */
public final class SchemaValidation {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SchemaValidation() {
    }

    /**
     * Validates a results document.
     *
     * @param json the document's text
     * @return the violations, empty when valid
     */
    public static Set<ValidationMessage> validate(String json) {
        try (InputStream schemaText = ResultsJson.openSchema()) {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaText);
            JsonNode node = MAPPER.readTree(json);
            return schema.validate(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
