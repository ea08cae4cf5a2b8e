package dev.syncmap.cli.report;

import dev.syncmap.cli.bench.KeyCount;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints a results document as plain-text tables for the terminal. Stateless and thread-safe. */
public final class TerminalTable {

    private TerminalTable() {
    }

    /**
     * Prints every scenario's table with its verdict, then latency, footprint, failures and the recommendation.
     *
     * @param doc the results
     * @param out where to print
     */
    public static void print(ResultsDocument doc, PrintStream out) {
        String ci = "±" + Format.percent(doc.options().confidence());
        Map<String, List<ResultsDocument.Result>> byScenario = new LinkedHashMap<>();
        for (ResultsDocument.Result r : doc.results()) {
            byScenario.computeIfAbsent(key(r.mix(), r.keys(), r.dist(), r.threads()), k -> new ArrayList<>()).add(r);
        }
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        for (Verdict v : doc.recommendation().scenarios()) {
            verdicts.put(key(v.mix(), v.keys(), v.dist(), v.threads()), v);
        }
        if (doc.partial()) {
            out.printf(Locale.ROOT, "PARTIAL RESULTS: %d of %d configurations finished.%n",
                    doc.progress().completedConfigurations(), doc.progress().plannedConfigurations());
        }
        for (Map.Entry<String, List<ResultsDocument.Result>> e : byScenario.entrySet()) {
            out.println();
            out.println(e.getKey());
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"map", "ops/s (" + ci + ")", "× CHM", "B/op"});
            for (ResultsDocument.Result r : e.getValue()) {
                rows.add(new String[] {r.map(), Format.scoreWithError(r.score(), r.error() == null ? Double.NaN
                        : r.error()), Format.ratio(r.ratioToCHM(), r.ratioError()), Format.bytes(r.allocBytesPerOp())});
            }
            printRows(rows, out);
            Verdict v = verdicts.get(e.getKey());
            if (v != null) {
                out.println("  → " + v.text());
            }
        }
        if (!doc.latency().isEmpty()) {
            var first = doc.latency().get(0);
            out.println();
            out.printf(Locale.ROOT, "Latency from intended start, open loop at %s ops/s (97.3:2.7 mix, %s keys, %s); "
                    + "\"in GC\": share of the requests at or above p99 / p99.9 that overlapped a GC pause%n",
                    Format.si(first.targetOpsPerSecond()), KeyCount.format(first.keys()), first.dist());
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"map", "threads", "p50", "p90", "p99", "p99.9", "max", "in GC", "achieved ops/s",
                "dropped", "service p99.9"});
            for (var l : doc.latency()) {
                rows.add(new String[] {l.map(), Integer.toString(l.threads()), Format.nanos(l.p50Ns()),
                        Format.nanos(l.p90Ns()), Format.nanos(l.p99Ns()), Format.nanos(l.p999Ns()),
                        Format.nanos(l.maxNs()), Format.gcShares(l), Format.si(l.achievedOpsPerSecond()),
                        Long.toString(l.dropped()), Format.nanos(l.serviceP999Ns())});
            }
            printRows(rows, out);
        }
        if (!doc.footprint().isEmpty()) {
            out.println();
            out.printf(Locale.ROOT, "Memory per entry (JOL, %s entries, keys and values included)%n",
                    KeyCount.format(doc.footprint().get(0).keys()));
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"map", "bytes/entry"});
            for (var f : doc.footprint()) {
                rows.add(new String[] {f.map(), String.format(Locale.ROOT, "%.1f", f.bytesPerEntry())});
            }
            printRows(rows, out);
        }
        if (!doc.failures().isEmpty()) {
            out.println();
            out.println("Failed:");
            for (var f : doc.failures()) {
                out.println("  " + f.what() + ": " + f.message());
            }
        }
        out.println();
        out.println("Recommendation: " + doc.recommendation().headline());
        for (TailVerdict t : doc.recommendation().tails()) {
            out.println("  Tails: " + t.text());
        }
        for (var a : doc.recommendation().requirements()) {
            out.println(a.headline());
            if (a.scenarios().size() > 1) {
                for (Verdict v : a.scenarios()) {
                    out.println("  " + Recommender.label(v) + ": " + v.text());
                }
            }
        }
    }

    private static String key(String mix, int keys, String dist, int threads) {
        return mix + " · " + KeyCount.format(keys) + " keys · " + dist + " · " + threads
                + (threads == 1 ? " thread" : " threads");
    }

    private static void printRows(List<String[]> rows, PrintStream out) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder("  ");
            for (int i = 0; i < cols; i++) {
                sb.append(i == 0 ? pad(r[i], width[i]) : padLeft(r[i], width[i]));
                sb.append(i == cols - 1 ? "" : "   ");
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(w - s.length());
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(w - s.length()) + s;
    }
}
