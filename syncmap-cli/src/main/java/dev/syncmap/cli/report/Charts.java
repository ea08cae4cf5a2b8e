package dev.syncmap.cli.report;

import dev.syncmap.cli.bench.KeyCount;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the report's charts with XChart and encodes each as a PNG {@code data:} URI, so the HTML report is a
 * single file that renders offline. Stateless and thread-safe (each call builds its own charts).
 *
 * <p>Every contender keeps one colour across all charts. Throughput axes turn logarithmic when the values span
 * more than a factor of 50, so a slow copy-on-write map does not flatten everyone else.
 */
public final class Charts {

    /** Tableau-10 and a few more: distinct, print-safe colours, one per contender. */
    private static final Color[] PALETTE = {
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
        new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC),
        new Color(0x2F4B7C), new Color(0x665191),
    };
    private static final int WIDTH = 860;
    private static final int HEIGHT = 440;
    /** Pixels per CSS pixel of the rendered images. */
    private static final int SCALE = 2;

    private Charts() {
    }

    /**
     * One rendered chart.
     *
     * @param title the chart's title
     * @param dataUri the image as a {@code data:image/png;base64,...} URI
     * @param width the width to show it at, CSS pixels
     * @param height the height to show it at, CSS pixels
     */
    public record Image(String title, String dataUri, int width, int height) {
    }

    /**
     * Builds every chart the data allows: throughput against threads (one per mix, key count and distribution
     * with two or more thread counts), throughput against key count (one per mix, distribution and thread count
     * with two or more key counts), latency percentiles, memory per entry, and allocation per operation.
     *
     * @param doc the results
     * @return the charts, in report order
     * @throws IOException when a chart cannot be encoded
     */
    public static List<Image> build(ResultsDocument doc) throws IOException {
        List<Image> out = new ArrayList<>();
        Map<String, Color> colors = colors(doc);
        addSweeps(out, doc, "Throughput vs threads — ", "threads",
                r -> r.mix() + " · " + KeyCount.format(r.keys()) + " keys · " + r.dist(),
                ResultsDocument.Result::threads, String::valueOf, colors);
        addSweeps(out, doc, "Throughput vs key count — ", "keys",
                r -> r.mix() + " · " + r.dist() + " · " + r.threads() + (r.threads() == 1 ? " thread" : " threads"),
                ResultsDocument.Result::keys, KeyCount::format, colors);
        if (!doc.latency().isEmpty()) {
            out.add(latencyChart(doc, colors));
        }
        if (!doc.footprint().isEmpty()) {
            out.add(footprintChart(doc, colors));
        }
        return out;
    }

    /**
     * Adds a throughput chart against {@code x} for each group of results (the other dimensions fixed) that
     * measured two values of {@code x} or more.
     */
    private static void addSweeps(List<Image> out, ResultsDocument doc, String titlePrefix, String xTitle,
                                  Function<ResultsDocument.Result, String> fixed,
                                  Function<ResultsDocument.Result, Integer> x, Function<Integer, String> xLabel,
                                  Map<String, Color> colors) throws IOException {
        for (Map.Entry<String, List<ResultsDocument.Result>> e : group(doc.results(), fixed).entrySet()) {
            TreeSet<Integer> xs = new TreeSet<>();
            e.getValue().forEach(r -> xs.add(x.apply(r)));
            if (xs.size() >= 2) {
                out.add(throughputChart(titlePrefix + e.getKey(), xTitle, e.getValue(), new ArrayList<>(xs), x,
                        xLabel, colors));
            }
        }
    }

    private static Image throughputChart(String title, String xTitle, List<ResultsDocument.Result> results,
                                         List<Integer> xs, Function<ResultsDocument.Result, Integer> x,
                                         Function<Integer, String> xLabel, Map<String, Color> colors)
            throws IOException {
        XYChart chart = newXyChart(title, xTitle, "ops/s (higher is better)",
                xs.stream().map(xLabel).toList());
        Map<String, List<ResultsDocument.Result>> byMap = group(results, ResultsDocument.Result::map);
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (Map.Entry<String, Color> series : colors.entrySet()) {
            String map = series.getKey();
            List<ResultsDocument.Result> points = byMap.get(map);
            if (points == null) {
                continue;
            }
            List<Double> px = new ArrayList<>();
            List<Double> py = new ArrayList<>();
            List<Double> pe = new ArrayList<>();
            for (int i = 0; i < xs.size(); i++) {
                int v = xs.get(i);
                ResultsDocument.Result found = points.stream().filter(r -> x.apply(r) == v).findFirst().orElse(null);
                if (found == null || !(found.score() > 0)) {
                    continue; // a failed or unfinished configuration: a gap, not a zero
                }
                px.add(i + 1.0);
                py.add(found.score());
                // Error bars are clamped below the value so that a logarithmic axis stays defined.
                pe.add(found.error() == null ? 0.0 : Math.min(found.error(), found.score() * 0.95));
                min = Math.min(min, found.score());
                max = Math.max(max, found.score());
            }
            if (!px.isEmpty()) {
                style(chart.addSeries(map, px, py, pe), series.getValue());
            }
        }
        if (max > 0 && max / min > 50) {
            // No formatting function here: with one, XChart silently uses a linear tick calculator.
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisDecimalPattern("#,###");
        } else {
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setyAxisTickLabelsFormattingFunction(Format::si);
        }
        return encode(title, chart);
    }

    private static Image latencyChart(ResultsDocument doc, Map<String, Color> colors) throws IOException {
        var first = doc.latency().get(0);
        String title = "Latency percentiles — open loop at " + Format.si(first.targetOpsPerSecond()) + " ops/s, "
                + KeyCount.format(first.keys()) + " keys, " + first.threads() + " threads";
        XYChart chart = newXyChart(title, "percentile", "latency, µs (lower is better)",
                List.of("p50", "p90", "p99", "p99.9", "max"));
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (var l : doc.latency()) {
            min = Math.min(min, Math.max(l.p50Ns(), 1) / 1e3);
            max = Math.max(max, l.maxNs() / 1e3);
        }
        if (max / min > 50) {
            // No formatting function here: with one, XChart silently uses a linear tick calculator.
            chart.getStyler().setYAxisLogarithmic(true);
            chart.getStyler().setYAxisDecimalPattern("#,###.#");
        } else {
            chart.getStyler().setYAxisMin(0.0);
            chart.getStyler().setyAxisTickLabelsFormattingFunction(Format::si);
        }
        boolean severalThreadCounts = doc.latency().stream().mapToInt(l -> l.threads()).distinct().count() > 1;
        for (var l : doc.latency()) {
            List<Double> px = new ArrayList<>();
            List<Double> py = new ArrayList<>();
            long[] ns = {l.p50Ns(), l.p90Ns(), l.p99Ns(), l.p999Ns(), l.maxNs()};
            for (int i = 0; i < ns.length; i++) {
                px.add(i + 1.0);
                py.add(Math.max(ns[i], 1) / 1e3);
            }
            String name = severalThreadCounts ? l.map() + " · " + l.threads() + (l.threads() == 1 ? " thread" : " threads")
                : l.map();
            XYSeries series = chart.addSeries(name, px, py);
            style(series, colors.get(l.map()));
            if (severalThreadCounts && l.threads() > 1) {
                // the contended run, dashed beside the solid one-thread run
                series.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f));
            }
        }
        return encode(title, chart);
    }

    /**
     * An XY chart whose x axis shows the given labels at positions 1..n, evenly spaced (thread counts and key
     * counts read best that way).
     */
    private static XYChart newXyChart(String title, String xTitle, String yTitle, List<String> labels) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        XYStyler st = chart.getStyler();
        commonStyle(st);
        st.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        st.setErrorBarsColorSeriesColor(true);
        st.setXAxisMin(0.5);
        st.setXAxisMax(labels.size() + 0.5);
        st.setPlotGridVerticalLinesVisible(false);
        // Ticks between the positions get blank labels. They must still differ from each other: XChart thins
        // out ticks whose labels repeat, which would drop the real labels too.
        st.setxAxisTickLabelsFormattingFunction(v -> {
            long i = Math.round(v);
            return Math.abs(v - i) < 1e-6 && i >= 1 && i <= labels.size() ? labels.get((int) i - 1)
                    : " ".repeat(1 + (int) Math.round(Math.abs(v) * 10));
        });
        return chart;
    }

    private static Image footprintChart(ResultsDocument doc, Map<String, Color> colors) throws IOException {
        String title = "Memory per entry — " + KeyCount.format(doc.footprint().get(0).keys())
                + " entries, keys and values included (JOL)";
        CategoryChart chart = newChart(title, "", "bytes per entry (lower is better)");
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Bar);
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.DARK_GRAY);
        chart.getStyler().setLabelsPosition(1.0);
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        chart.getStyler().setYAxisMin(0.0); // bars start at zero, or their lengths lie
        List<String> categories = doc.footprint().stream().map(f -> f.map()).toList();
        // One series per map, each non-null only at its own category, so that each bar takes its map's colour.
        for (var f : doc.footprint()) {
            List<Double> ys = new ArrayList<>();
            for (String c : categories) {
                ys.add(c.equals(f.map()) ? f.bytesPerEntry() : null);
            }
            CategorySeries s = chart.addSeries(f.map(), categories, ys);
            s.setFillColor(colors.get(f.map()));
        }
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(20);
        return encode(title, chart);
    }

    private static CategoryChart newChart(String title, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        commonStyle(chart.getStyler());
        return chart;
    }

    private static void commonStyle(AxesChartStyler st) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xDDDDDD));
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendBorderColor(Color.WHITE);
        st.setChartTitleBoxVisible(false);
        st.setPlotBorderVisible(false);
        st.setAxisTickLabelsColor(Color.DARK_GRAY);
    }

    private static void style(XYSeries s, Color c) {
        if (c != null) {
            s.setLineColor(c);
            s.setMarkerColor(c);
        }
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(new BasicStroke(2f));
    }

    private static Map<String, Color> colors(ResultsDocument doc) {
        Map<String, Color> colors = new LinkedHashMap<>();
        List<String> maps = new ArrayList<>(doc.options().maps());
        doc.results().forEach(r -> { if (!maps.contains(r.map())) { maps.add(r.map()); } });
        for (int i = 0; i < maps.size(); i++) {
            colors.put(maps.get(i), PALETTE[i % PALETTE.length]);
        }
        return colors;
    }

    private static <T> Map<String, List<T>> group(List<T> items, Function<T, String> key) {
        Map<String, List<T>> out = new LinkedHashMap<>();
        for (T t : items) {
            out.computeIfAbsent(key.apply(t), k -> new ArrayList<>()).add(t);
        }
        return out;
    }

    /**
     * Renders the chart as a PNG at twice its size (sharp on high-density screens and when zoomed; the page shows
     * it at its nominal size). A PNG rather than XChart's SVG: XChart draws every label as glyph outlines, which
     * makes an SVG chart ten times larger than this PNG.
     */
    private static Image encode(String title, Chart<?, ?> chart) throws IOException {
        BufferedImage image = new BufferedImage(chart.getWidth() * SCALE, chart.getHeight() * SCALE,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.scale(SCALE, SCALE);
            chart.paint(g, chart.getWidth(), chart.getHeight());
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", png)) {
            throw new IOException("no PNG writer available");
        }
        return new Image(title, "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray()),
                chart.getWidth(), chart.getHeight());
    }

    /** For tests: decodes a chart's image. */
    static BufferedImage decode(Image image) throws IOException {
        String b64 = image.dataUri().substring(image.dataUri().indexOf(',') + 1);
        return ImageIO.read(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(b64)));
    }
}
