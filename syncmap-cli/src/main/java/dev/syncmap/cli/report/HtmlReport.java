package dev.syncmap.cli.report;

import dev.syncmap.cli.bench.KeyCount;
import java.awt.AWTError;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Renders a results document as one self-contained HTML page: the recommendation, the charts (inline PNG
 * {@code data:} URIs), the verdict per scenario, every result, latency and footprint tables, failures, and the
 * environment. No script, no external resource: it renders the same offline, in any browser, years later.
 *
 * <p>Stateless and thread-safe.
 */
public final class HtmlReport {

    private HtmlReport() {
    }

    /**
     * Renders the report.
     *
     * @param doc the results
     * @return the HTML page
     */
    public static String render(ResultsDocument doc) {
        StringBuilder h = new StringBuilder(64 * 1024);
        String ci = Format.percent(doc.options().confidence());
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>syncmap bench report</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;")
                .append("margin:2em auto;max-width:1180px;padding:0 1em;color:#222;line-height:1.45}\n")
                .append("h1{margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}\n")
                .append("table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.92em;display:block;overflow-x:auto;max-width:100%}\n")
                .append("th,td{padding:.25em .7em;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}\n")
                .append("th{background:#f6f6f6;text-align:left}td:first-child{text-align:left}\n")
                .append("td.text{text-align:left;white-space:normal;min-width:10em}\n")
                .append(".headline{font-size:1.15em;background:#eef5ff;border-left:4px solid #4e79a7;")
                .append("padding:.7em 1em;margin:1em 0}\n")
                .append(".partial{background:#fff3cd;border-left:4px solid #e0a800;padding:.7em 1em}\n")
                .append(".win{color:#1b7a2f;font-weight:600}.tie{color:#8a6d00;font-weight:600}\n")
                .append("figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}\n")
                .append("figcaption{color:#555;font-size:.9em}.muted{color:#666}\n")
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>syncmap bench</h1>\n<p class=\"muted\">")
                .append(esc(doc.environment().date())).append(" · ").append(esc(doc.environment().jvm()))
                .append(" · ").append(doc.environment().cores()).append(" cores · ")
                .append(esc(doc.environment().os())).append("</p>\n");
        if (doc.partial()) {
            h.append("<p class=\"partial\"><strong>Partial results.</strong> The run stopped after ")
                    .append(doc.progress().completedConfigurations()).append(" of ")
                    .append(doc.progress().plannedConfigurations())
                    .append(" configurations; everything below covers only what finished.</p>\n");
        }

        Recommendation rec = doc.recommendation();
        h.append("<h2 id=\"recommendation\">Recommendation</h2>\n");
        if (doc.options().workloadName() != null) {
            h.append("<p>Workload: <strong>").append(esc(doc.options().workloadName())).append("</strong></p>\n");
        }
        h.append("<p class=\"headline\">").append(esc(rec.headline())).append("</p>\n");
        for (Recommendation.RequirementAdvice a : rec.requirements()) {
            h.append("<p class=\"headline\">").append(esc(a.headline())).append("</p>\n");
        }
        if (!rec.tails().isEmpty()) {
            h.append("<ul class=\"tails\">\n");
            for (TailVerdict t : rec.tails()) {
                h.append("<li>").append(esc(t.text())).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        h.append("<p class=\"muted\">A winner is named only when its ").append(ci)
                .append(" confidence interval lies wholly above the runner-up's; otherwise the scenario is a tie. ")
                .append("Errors are the half-width of the ").append(ci)
                .append(" confidence interval of the mean over the measurement iterations.</p>\n");

        h.append("<h2 id=\"charts\">Charts</h2>\n");
        try {
            List<Charts.Image> charts = Charts.build(doc);
            if (charts.isEmpty()) {
                h.append("<p class=\"muted\">Not enough data points for a chart (one thread count, one key count, ")
                        .append("no latency or footprint run).</p>\n");
            }
            for (Charts.Image c : charts) {
                h.append("<figure><img alt=\"").append(esc(c.title())).append("\" width=\"").append(c.width())
                        .append("\" height=\"").append(c.height()).append("\" src=\"").append(c.dataUri())
                        .append("\"><figcaption>").append(esc(c.title())).append("</figcaption></figure>\n");
            }
        } catch (IOException | RuntimeException | AWTError | LinkageError e) {
            // The tables below carry every number; a machine without a working font set still gets a report.
            h.append("<p class=\"partial\">Charts could not be drawn on this machine: ").append(esc(String.valueOf(e)))
                    .append("</p>\n");
        }

        h.append("<h2 id=\"verdicts\">Verdict per scenario</h2>\n<table>\n<tr><th>mix</th><th>keys</th>")
                .append("<th>dist</th><th>threads</th><th>outcome</th><th>leader(s)</th><th>margin</th>")
                .append("<th>verdict</th></tr>\n");
        for (Verdict v : rec.scenarios()) {
            h.append("<tr><td>").append(esc(v.mix())).append("</td><td>").append(KeyCount.format(v.keys()))
                    .append("</td><td>").append(esc(v.dist())).append("</td><td>").append(v.threads())
                    .append("</td><td class=\"").append(esc(v.outcome())).append("\">").append(esc(v.outcome()))
                    .append("</td><td class=\"text\">").append(esc(String.join(", ", v.leaders())))
                    .append("</td><td>").append(esc(Format.ratio(v.ratio(), v.ratioError())))
                    .append("</td><td class=\"text\">")
                    .append(esc(v.text())).append("</td></tr>\n");
        }
        h.append("</table>\n");
        for (Recommendation.RequirementAdvice a : rec.requirements()) {
            if (a.scenarios().isEmpty()) {
                continue;
            }
            h.append("<h3>Among maps with ").append(a.requirement().equals("changeFeed") ? "a change feed" : "snapshots")
                    .append("</h3>\n<table>\n<tr><th>scenario</th><th>outcome</th><th>leader(s)</th>")
                    .append("<th>× fastest overall</th><th>verdict</th></tr>\n");
            for (Verdict v : a.scenarios()) {
                h.append("<tr><td>").append(esc(Recommender.label(v))).append("</td><td class=\"")
                        .append(esc(v.outcome())).append("\">").append(esc(v.outcome())).append("</td><td class=\"text\">")
                        .append(esc(String.join(", ", v.leaders()))).append("</td><td>")
                        .append(esc(v.ratioToFastest() == null ? "1.00×"
                                : Format.ratio(v.ratioToFastest(), v.ratioToFastestError())))
                        .append("</td><td class=\"text\">").append(esc(v.text())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }

        h.append("<h2 id=\"results\">Throughput</h2>\n<table>\n<tr><th>map</th><th>mix</th><th>keys</th>")
                .append("<th>dist</th><th>threads</th><th>ops/s</th><th>± ").append(ci)
                .append("</th><th>× ConcurrentHashMap</th><th>B/op</th></tr>\n");
        for (ResultsDocument.Result r : doc.results()) {
            h.append("<tr><td>").append(esc(r.map())).append("</td><td>").append(esc(r.mix())).append("</td><td>")
                    .append(KeyCount.format(r.keys())).append("</td><td>").append(esc(r.dist())).append("</td><td>")
                    .append(r.threads()).append("</td><td>").append(Format.si(r.score())).append("</td><td>")
                    .append(r.error() == null ? "?" : Format.si(r.error())).append("</td><td>")
                    .append(esc(Format.ratio(r.ratioToCHM(), r.ratioError()))).append("</td><td>")
                    .append(esc(Format.bytes(r.allocBytesPerOp()))).append("</td></tr>\n");
        }
        h.append("</table>\n");

        if (!doc.latency().isEmpty()) {
            var first = doc.latency().get(0);
            h.append("<h2 id=\"latency\">Latency under open-loop load</h2>\n<p>Poisson arrivals at ")
                    .append(Format.si(first.targetOpsPerSecond())).append(" ops/s, ")
                    .append(KeyCount.format(first.keys())).append(" keys, ")
                    .append(esc(first.dist())).append("; latency measured from each operation's intended start ")
                    .append("(no coordinated omission), at the 97.3:2.7 mix. <em>Service time</em> is issue to ")
                    .append("completion: what a closed-loop harness would report. <em>Dropped</em>: requests the map ")
                    .append("fell too far behind to issue before the run ended. <em>In GC</em>: the share of the ")
                    .append("requests at or above p99 / p99.9 that overlapped a garbage-collection pause (the rest ")
                    .append("of the tail is the map's own waiting).</p>\n<table>\n<tr><th>map</th><th>threads</th>")
                    .append("<th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>in GC</th>")
                    .append("<th>operations</th>")
                    .append("<th>achieved ops/s</th><th>dropped</th><th>service p50</th><th>service p99</th>")
                    .append("<th>service p99.9</th></tr>\n");
            for (var l : doc.latency()) {
                h.append("<tr><td>").append(esc(l.map())).append("</td><td>").append(l.threads())
                        .append("</td><td>").append(esc(Format.nanos(l.p50Ns())))
                        .append("</td><td>").append(esc(Format.nanos(l.p90Ns()))).append("</td><td>")
                        .append(esc(Format.nanos(l.p99Ns()))).append("</td><td>")
                        .append(esc(Format.nanos(l.p999Ns()))).append("</td><td>")
                        .append(esc(Format.nanos(l.maxNs()))).append("</td><td>").append(esc(Format.gcShares(l)))
                        .append("</td><td>").append(l.count())
                        .append("</td><td>").append(Format.si(l.achievedOpsPerSecond())).append("</td><td>")
                        .append(l.dropped()).append("</td><td>").append(esc(Format.nanos(l.serviceP50Ns())))
                        .append("</td><td>").append(esc(Format.nanos(l.serviceP99Ns()))).append("</td><td>")
                        .append(esc(Format.nanos(l.serviceP999Ns()))).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        if (!doc.footprint().isEmpty()) {
            h.append("<h2 id=\"footprint\">Memory per entry</h2>\n<table>\n<tr><th>map</th><th>entries</th>")
                    .append("<th>bytes/entry</th></tr>\n");
            for (var f : doc.footprint()) {
                h.append("<tr><td>").append(esc(f.map())).append("</td><td>").append(KeyCount.format(f.keys()))
                        .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", f.bytesPerEntry()))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        if (!doc.failures().isEmpty()) {
            h.append("<h2 id=\"failures\">Failed</h2>\n<table>\n<tr><th>what</th><th>why</th></tr>\n");
            for (var f : doc.failures()) {
                h.append("<tr><td>").append(esc(f.what())).append("</td><td class=\"text\">").append(esc(f.message()))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }

        var env = doc.environment();
        var o = doc.options();
        h.append("<h2 id=\"environment\">Environment and options</h2>\n<table>\n");
        row(h, "JDK", env.jdk() + " (" + env.jvm() + ", " + env.jvmVendor() + ")");
        row(h, "OS", env.os() + " · " + env.arch() + " · " + env.cores() + " cores");
        row(h, "date", env.date());
        row(h, "syncmap / JMH", env.syncmapVersion() + " / " + env.jmhVersion());
        row(h, "command", "syncmap bench " + env.commandLine());
        row(h, "maps", String.join(", ", o.maps()));
        row(h, "mixes · keys · threads · dist", String.join(", ", o.mixes()) + " · "
                + String.join(", ", o.keys().stream().map(KeyCount::format).toList()) + " · "
                + String.join(", ", o.threads().stream().map(String::valueOf).toList()) + " · "
                + String.join(", ", o.dists()));
        row(h, "iterations", o.warmupIterations() + " × " + o.warmupTimeMs() + " ms warm-up, " + o.iterations()
                + " × " + o.iterationTimeMs() + " ms measurement, " + o.forks() + " fork(s) per configuration");
        row(h, "extras", "allocation (-prof gc): " + onOff(o.gc()) + " · latency: " + onOff(o.latency())
                + " · footprint: " + onOff(o.footprint()) + " · confidence " + ci);
        row(h, "needs", "snapshots: " + (o.needSnapshots() ? "yes" : "no") + " · change feed: "
                + (o.needFeed() ? "yes" : "no") + (o.workload() == null ? "" : " · workload file " + o.workload()));
        row(h, "run", doc.progress().completedConfigurations() + " of " + doc.progress().plannedConfigurations()
                + " configurations in " + String.format(Locale.ROOT, "%.0f s", doc.progress().elapsedSeconds())
                + (doc.partial() ? " (partial)" : ""));
        h.append("</table>\n<p class=\"muted\">Schema ").append(esc(doc.schema()))
                .append(". Numbers from a busy or shared machine are noisy; compare only numbers from one run.</p>\n")
                .append("</body>\n</html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td class=\"text\">").append(esc(v)).append("</td></tr>\n");
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    /** Escapes text for HTML element content and attribute values. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
