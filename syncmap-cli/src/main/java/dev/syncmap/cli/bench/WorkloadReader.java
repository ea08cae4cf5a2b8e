package dev.syncmap.cli.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.syncmap.bench.Mix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reads and validates a workload file. The format is documented in {@code docs/workload.md}: a YAML (or, for a
 * {@code .json} file, JSON) object with the optional fields {@code name}, {@code mixes}, {@code keys},
 * {@code threads}, {@code dist}, {@code maps} and {@code needs: {snapshots, changeFeed}}; each list field also
 * accepts a single value. Unknown fields are errors, so a typo never silently falls back to a default.
 *
 * <p>Stateless and thread-safe.
 */
public final class WorkloadReader {

    /** The workload format's version tag, accepted in an optional {@code schema} field. */
    public static final String SCHEMA = "syncmap-workload/1";

    private WorkloadReader() {
    }

    /** The file's shape as bound by Jackson, before validation. */
    private static final class RawWorkload {
        @JsonProperty("schema") String schema;
        @JsonProperty("name") String name;
        @JsonProperty("mixes") List<String> mixes;
        @JsonProperty("keys") List<String> keys;
        @JsonProperty("threads") List<String> threads;
        @JsonProperty("dist") List<String> dist;
        @JsonProperty("maps") List<String> maps;
        @JsonProperty("needs") RawNeeds needs;
    }

    /** The {@code needs} object as bound by Jackson. */
    private static final class RawNeeds {
        @JsonProperty("snapshots") Boolean snapshots;
        @JsonProperty("changeFeed") Boolean changeFeed;
    }

    /**
     * Reads and validates a workload file. Map names are not checked here (the available contenders are known
     * only to the plan); everything else is.
     *
     * @param file a {@code .yaml}, {@code .yml} or {@code .json} file
     * @return the workload
     * @throws InvalidWorkloadException with a one-line message naming the file and the problem
     */
    public static Workload read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidWorkloadException("workload file '" + file + "' not found");
        } catch (IOException e) {
            throw new InvalidWorkloadException("workload file '" + file + "' cannot be read: " + e.getMessage(), e);
        }
        if (text.isBlank()) {
            throw new InvalidWorkloadException("workload file '" + file + "' is empty");
        }
        Path name = file.getFileName();
        boolean json = name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".json");
        ObjectMapper mapper = (json ? JsonMapper.builder() : YAMLMapper.builder())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        RawWorkload raw;
        try {
            raw = mapper.readValue(text, RawWorkload.class);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidWorkloadException("workload file '" + file + "': unknown field '" + e.getPropertyName()
                    + "'" + at(e.getLocation()) + "; known fields: schema, name, mixes, keys, threads, dist, maps, "
                    + "needs (snapshots, changeFeed)", e);
        } catch (MismatchedInputException e) {
            throw new InvalidWorkloadException("workload file '" + file + "': " + fieldPath(e) + " has the wrong type"
                    + at(e.getLocation()), e);
        } catch (JsonProcessingException e) {
            throw new InvalidWorkloadException("workload file '" + file + "' is not valid " + (json ? "JSON" : "YAML")
                    + at(e.getLocation()) + ": " + rootMessage(e), e);
        }
        if (raw == null) {
            throw new InvalidWorkloadException("workload file '" + file + "' is empty");
        }
        String prefix = "workload file '" + file + "': ";
        if (raw.schema != null && !raw.schema.equals(SCHEMA)) {
            throw new InvalidWorkloadException(prefix + "schema '" + raw.schema + "' is not supported; expected "
                    + SCHEMA);
        }
        List<Mix> mixes = parseAll(raw.mixes, "mixes", Mix::parse, prefix);
        List<Integer> keys = parseAll(raw.keys, "keys", KeyCount::parse, prefix);
        List<Integer> threads = parseAll(raw.threads, "threads", WorkloadReader::parseThreads, prefix);
        List<Dist> dists = parseAll(raw.dist, "dist", Dist::parse, prefix);
        List<String> maps = parseAll(raw.maps, "maps", WorkloadReader::parseMapName, prefix);
        Plan.Needs needs = raw.needs == null ? Plan.Needs.NONE
                : new Plan.Needs(Boolean.TRUE.equals(raw.needs.snapshots), Boolean.TRUE.equals(raw.needs.changeFeed));
        return new Workload(raw.name, mixes, keys, threads, dists, maps, needs);
    }

    /**
     * Parses a thread count.
     *
     * @param text a whole number
     * @return the count, at least 1
     * @throws IllegalArgumentException naming the text when it is not a positive whole number
     */
    public static int parseThreads(String text) {
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid thread count '" + text + "': expected a whole number", e);
        }
        if (n < 1) {
            throw new IllegalArgumentException("invalid thread count " + n + ": must be 1 or more");
        }
        if (n > 1024) {
            throw new IllegalArgumentException("invalid thread count " + n + ": must be 1024 or less");
        }
        return n;
    }

    private static String parseMapName(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("empty map name");
        }
        return text.strip();
    }

    private static <T> List<T> parseAll(List<String> values, String field, Function<String, T> parser,
                                        String prefix) {
        if (values == null) {
            return List.of();
        }
        if (values.isEmpty()) {
            throw new InvalidWorkloadException(prefix + field + " is an empty list; leave it out to use the defaults");
        }
        List<T> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v == null) {
                throw new InvalidWorkloadException(prefix + field + "[" + i + "] is null");
            }
            try {
                T parsed = parser.apply(v);
                if (!out.contains(parsed)) {
                    out.add(parsed);
                }
            } catch (IllegalArgumentException e) {
                throw new InvalidWorkloadException(prefix + field + "[" + i + "]: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static String rootMessage(JsonProcessingException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root instanceof JsonProcessingException j ? j.getOriginalMessage() : root.getMessage();
        return msg == null ? root.getClass().getSimpleName() : msg.lines().findFirst().orElse("").strip();
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "the document" : sb.toString();
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? "" : " (line " + location.getLineNr() + ")";
    }

    /** A workload file that is missing, unreadable or invalid; the message is one line, fit for the user. */
    public static final class InvalidWorkloadException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidWorkloadException(String message) {
            super(message);
        }

        InvalidWorkloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
