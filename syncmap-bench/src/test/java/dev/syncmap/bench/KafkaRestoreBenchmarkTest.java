package dev.syncmap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KafkaRestoreBenchmark} at a tiny scale (2,000 keys): every contender runs and the JSON is written. */
class KafkaRestoreBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void everyContenderRestoresTheTopicAndTheJsonIsWritten() throws Exception {
        Path out = dir.resolve("kafka-restore.json");
        Map<String, Object> r = KafkaRestoreBenchmark.run(KafkaRestoreBenchmark.Options.parse("--keys", "2000",
            "--updates", "1000", "--rounds", "1", "--out", out.toString()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> restore = (List<Map<String, Object>>) r.get("restore");
        assertEquals(List.of("plain-consumer", "globalktable-default", "globalktable-tuned", "replicatedmap",
            "replicatedmap-snapshot"), restore.stream().map(m -> m.get("contender")).toList());
        for (int i : new int[] {0, 3, 4}) {
            assertEquals(2000L, restore.get(i).get("entries"), () -> restore.toString());
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steady = (List<Map<String, Object>>) r.get("steady");
        assertEquals(2, steady.size());
        String json = Files.readString(out);
        assertTrue(json.contains("\"schema\": \"syncmap-kafka-restore/1\""), json);
        assertTrue(json.contains("\"steadyRatioReplicatedMapToGlobalKTableTuned\""), json);
    }
}
