package dev.syncmap.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.syncmap.bench.Contender;
import dev.syncmap.bench.Footprint;
import dev.syncmap.bench.OpenLoopLatency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The entry point of the child JVM that runs one latency or footprint measurement, so that each contender is
 * measured in a fresh JVM (no profile pollution from other contenders, as with JMH's forks). Writes one JSON
 * object to the file named by its last argument.
 *
 * <pre>
 * latency   MAP KEYS DIST RATE THREADS DURATION_MS OUT_FILE
 * footprint KEYS MAP[,MAP...] OUT_FILE
 * </pre>
 *
 * <p>Footprint measurements of all contenders share one child: JOL's object-graph walk does not depend on JIT
 * state. A contender whose measurement throws gets an entry with an error instead of failing the others.
 */
public final class ProbeMain {

    private ProbeMain() {
    }

    /**
     * One contender's footprint, or why it could not be measured.
     *
     * @param map the contender
     * @param keys the entries measured
     * @param bytesPerEntry bytes per entry, or null on error
     * @param error the error, or null
     */
    record FootprintOutcome(String map, int keys, Double bytesPerEntry, String error) {
    }

    /**
     * Runs one measurement.
     *
     * @param args see the class comment
     * @throws Exception when the measurement fails; the exit status is then non-zero and the stack trace is in
     *                   the parent's log
     */
    public static void main(String[] args) throws Exception {
        ObjectMapper json = JsonMapper.builder().build();
        switch (args.length > 0 ? args[0] : "") {
            case "latency" -> {
                String map = args[1];
                int keys = Integer.parseInt(args[2]);
                String dist = args[3];
                double rate = Double.parseDouble(args[4]);
                int threads = Integer.parseInt(args[5]);
                Duration duration = Duration.ofMillis(Long.parseLong(args[6]));
                OpenLoopLatency.LatencyResult r = OpenLoopLatency.run(Contender.named(map), keys, dist, rate,
                        threads, duration);
                json.writeValue(Path.of(args[7]).toFile(), new LatencyMeasurement(map, keys, dist, threads, rate,
                        r.achievedOpsPerSecond(), r.count(), r.dropped(), r.p50Ns(), r.p90Ns(), r.p99Ns(),
                        r.p999Ns(), r.maxNs(), r.serviceP50Ns(), r.serviceP99Ns(), r.serviceP999Ns(),
                        r.tail().p99GcShare(), r.tail().p999GcShare(), r.tail().pauses(), r.tail().pauseNs()));
            }
            case "footprint" -> {
                int keys = Integer.parseInt(args[1]);
                List<FootprintOutcome> out = new ArrayList<>();
                for (String map : args[2].split(",")) {
                    try {
                        out.add(new FootprintOutcome(map, keys, Footprint.bytesPerEntry(Contender.named(map), keys), null));
                    } catch (RuntimeException | OutOfMemoryError e) {
                        e.printStackTrace(); // to the parent's log
                        out.add(new FootprintOutcome(map, keys, null, String.valueOf(e)));
                    }
                }
                json.writeValue(Path.of(args[3]).toFile(), out);
            }
            default -> throw new IllegalArgumentException("usage: ProbeMain latency|footprint ...");
        }
    }
}
