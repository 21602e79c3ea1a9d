package dev.segbench.reports;

import dev.segbench.results.Classes;
import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.Run;
import dev.segbench.results.Server;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;
import org.jfree.svg.ViewBox;

/** The report's charts, drawn with JFreeChart into SVG strings (JFreeSVG) for inlining. */
final class Charts {

    /** A rendered chart: the title and axis labels it carries and its {@code <svg>} element. */
    record Chart(String id, String title, String xLabel, String yLabel, String svg, String note) {
    }

    private static final int WIDTH = 900;
    private static final Color GRID = new Color(0xD0D0D0);
    private static final Color MISSING = new Color(0xBDBDBD);
    /** Ten well-separated, print-safe colours (the common "category10" set). */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};
    /** Wider latency ranges than this (max/min) get a log axis so CPU and GPU runs share one chart. */
    private static final double LOG_AXIS_RATIO = 20;

    private static final StandardChartTheme THEME = theme();

    static {
        // JFreeChart's default draws rotated text (y-axis labels) as outlines; SVG <text> stays selectable and searchable
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private Charts() {
    }

    private static StandardChartTheme theme() {
        StandardChartTheme theme = (StandardChartTheme) StandardChartTheme.createJFreeTheme();
        theme.setExtraLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        theme.setLargeFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        theme.setRegularFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        theme.setSmallFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        theme.setChartBackgroundPaint(Color.WHITE);
        theme.setPlotBackgroundPaint(Color.WHITE);
        theme.setDomainGridlinePaint(GRID);
        theme.setRangeGridlinePaint(GRID);
        return theme;
    }

    /** Batch-1 latency CDF per run, from {@link Run.Latency#cdf()} or, without it, from the percentiles. */
    static Chart latencyCdf(List<Run> runs) {
        XYSeriesCollection data = new XYSeriesCollection();
        Set<String> seen = new LinkedHashSet<>();
        List<Run> plotted = new ArrayList<>();
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Run run : runs) {
            Run.Latency l = run.latencyMs();
            if (l == null || !seen.add(run.key())) {
                continue;
            }
            XYSeries series = new XYSeries(run.key(), true, true);
            for (double[] point : cdfPoints(l)) {
                if (point[1] > 0 && Double.isFinite(point[1])) {
                    series.add(point[1], point[0]);
                    lo = Math.min(lo, point[1]);
                    hi = Math.max(hi, point[1]);
                }
            }
            if (series.getItemCount() > 0) {
                data.addSeries(series);
                plotted.add(run);
            }
        }
        if (data.getSeriesCount() == 0) {
            return null;
        }
        boolean log = hi / lo > LOG_AXIS_RATIO;
        String x = log ? "Latency per image, batch 1 (ms, log scale)" : "Latency per image, batch 1 (ms)";
        String y = "Percentile (%)";
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        XYPlot plot = new XYPlot(data, log ? logAxis(x, lo, hi) : numberAxis(x, false), numberAxis(y, false), renderer);
        plot.getRangeAxis().setRange(0, 100);
        String title = "Batch-1 latency distribution (CDF)";
        JFreeChart chart = themed(new JFreeChart(title, plot));
        styleSeries(renderer, plotted, false);
        return render("chart-latency", title, x, y, chart, 460,
                "Each curve shows the share of iterations (y) finishing within a latency (x); further left is faster, "
                        + "a long flat tail on the right means jitter. Runs without a recorded CDF are drawn through "
                        + "their min/p50/p90/p95/p99/max.");
    }

    static List<double[]> cdfPoints(Run.Latency l) {
        if (l.cdf() != null && !l.cdf().isEmpty()) {
            return l.cdf().stream().filter(p -> p != null && p.length >= 2).toList();
        }
        List<double[]> points = new ArrayList<>();
        if (l.min() != null) {
            points.add(new double[] {0, l.min()});
        }
        points.add(new double[] {50, l.p50()});
        points.add(new double[] {90, l.p90()});
        points.add(new double[] {95, l.p95()});
        if (l.p99() != null) {
            points.add(new double[] {99, l.p99()});
        }
        points.add(new double[] {100, l.max()});
        return points;
    }

    /**
     * Images per second against batch size, one line per run and number of requests in flight (the series of a run
     * with several are named "run, K in flight" and drawn thinner as K grows); null unless some line has several
     * batch sizes.
     */
    static Chart throughput(List<Run> runs) {
        XYSeriesCollection data = new XYSeriesCollection();
        Set<String> seen = new LinkedHashSet<>();
        List<Run> plotted = new ArrayList<>();
        List<Integer> seriesInFlight = new ArrayList<>();
        boolean anyCurve = false;
        for (Run run : runs) {
            if (run.throughput().isEmpty() || !seen.add(run.key())) {
                continue;
            }
            List<Integer> ks = run.throughput().stream().map(Run.Throughput::inFlight).distinct().sorted().toList();
            for (int k : ks) {
                XYSeries series = new XYSeries(ks.size() > 1 ? run.key() + ", " + k + " in flight" : run.key(), true, false);
                for (Run.Throughput t : run.throughput()) {
                    if (t.inFlight() == k && t.batch() > 0 && Double.isFinite(t.imagesPerSecond())) {
                        series.addOrUpdate(t.batch(), t.imagesPerSecond());
                    }
                }
                if (series.getItemCount() > 0) {
                    data.addSeries(series);
                    plotted.add(run);
                    seriesInFlight.add(ks.indexOf(k));
                    anyCurve |= series.getItemCount() > 1;
                }
            }
        }
        // with one batch size per line there is no curve to show; the headline table already has the number
        if (data.getSeriesCount() == 0 || !anyCurve) {
            return null;
        }
        String x = "Batch size (log2 scale)";
        LogAxis batchAxis = new LogAxis(x);
        batchAxis.setBase(2);
        batchAxis.setTickUnit(new NumberTickUnit(1));
        batchAxis.setNumberFormatOverride(new DecimalFormat("0"));
        batchAxis.setSmallestValue(0.5);
        double lo = data.getRangeLowerBound(false);
        double hi = data.getRangeUpperBound(false);
        boolean log = lo > 0 && hi / lo > LOG_AXIS_RATIO;
        String y = log ? "Throughput (images/s, log scale)" : "Throughput (images/s)";
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        XYPlot plot = new XYPlot(data, batchAxis, log ? logAxis(y, lo, hi) : numberAxis(y, true), renderer);
        String title = "Throughput against batch size";
        JFreeChart chart = themed(new JFreeChart(title, plot));
        styleSeries(renderer, plotted, true);
        for (int i = 0; i < seriesInFlight.size(); i++) {
            if (seriesInFlight.get(i) > 0) {
                renderer.setSeriesStroke(i, new BasicStroke(Math.max(0.6f, 2f - 0.5f * seriesInFlight.get(i))));
            }
        }
        return render("chart-throughput", title, x, y, chart, 460,
                "Model-only images per second on the (first) performance input, per batch size and number of requests "
                        + "kept in flight (1 unless the backend runs requests concurrently); higher is better.");
    }

    /** mIoU against batch-1 p50 latency, the Pareto front (faster or more accurate than every other) joined. */
    static Chart accuracyVsLatency(List<Run> runs) {
        List<Pareto.Point> points = new ArrayList<>();
        for (Run run : runs) {
            // NaN would sit on the front (nothing beats it) and break the axis range
            if (run.accuracy() != null && Double.isFinite(run.accuracy().miou()) && run.latencyMs() != null
                    && run.latencyMs().p50() > 0 && Double.isFinite(run.latencyMs().p50())) {
                points.add(new Pareto.Point(run.key(), run.latencyMs().p50(), 100 * run.accuracy().miou()));
            }
        }
        if (points.isEmpty()) {
            return null;
        }
        XYSeries all = new XYSeries("run", false, true);
        XYSeries front = new XYSeries("Pareto front", false, true);
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Pareto.Point p : points) {
            all.add(p.latency(), p.accuracy());
            lo = Math.min(lo, p.latency());
            hi = Math.max(hi, p.latency());
        }
        for (Pareto.Point p : Pareto.front(points)) {
            front.add(p.latency(), p.accuracy());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(all);
        data.addSeries(front);
        boolean log = hi / lo > LOG_AXIS_RATIO;
        String x = log ? "Latency p50, batch 1 (ms, log scale)" : "Latency p50, batch 1 (ms)";
        String y = "mIoU (%)";
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        ValueAxis xAxis = log ? logAxis(x, lo, hi) : numberAxis(x, false);
        NumberAxis yAxis = numberAxis(y, false);
        yAxis.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        String title = "Accuracy against latency (Pareto front highlighted)";
        JFreeChart chart = themed(new JFreeChart(title, plot));
        renderer.setSeriesLinesVisible(0, false);
        renderer.setSeriesShape(0, new Ellipse2D.Double(-4, -4, 8, 8));
        renderer.setSeriesPaint(0, PALETTE[0]);
        renderer.setSeriesLinesVisible(1, true);
        renderer.setSeriesShape(1, new Rectangle(-7, -7, 14, 14));
        renderer.setSeriesShapesFilled(1, false);
        renderer.setSeriesPaint(1, PALETTE[3]);
        renderer.setSeriesStroke(1, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                new float[] {6f, 4f}, 0f));
        for (Pareto.Point p : points) {
            XYTextAnnotation label = new XYTextAnnotation(" " + p.label(), p.latency(), p.accuracy());
            label.setTextAnchor(TextAnchor.BOTTOM_LEFT);
            label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            plot.addAnnotation(label);
        }
        return render("chart-pareto", title, x, y, chart, 480,
                "Up and to the left is better. Squares joined by the dashed line are the Pareto front: no other run "
                        + "is both faster and more accurate.");
    }

    /** Per-class IoU, runs as rows and the dataset's classes as columns; classes absent from the data are grey. */
    static Chart perClassIou(List<Run> runs, Classes classes) {
        List<Run> rows = runs.stream()
                .filter(r -> r.accuracy() != null && r.accuracy().perClassIou() != null
                        && !r.accuracy().perClassIou().isEmpty())
                .toList();
        if (rows.isEmpty()) {
            return null;
        }
        int n = rows.stream().mapToInt(r -> r.accuracy().perClassIou().size()).max().orElse(0);
        double[][] cells = new double[rows.size()][n];
        String[] names = new String[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            List<Double> iou = rows.get(r).accuracy().perClassIou();
            names[r] = rows.get(r).key();
            for (int c = 0; c < n; c++) {
                Double v = c < iou.size() ? iou.get(c) : null;
                cells[r][c] = v == null ? Double.NaN : v;
            }
        }
        String title = "Per-class IoU";
        return heatMap("chart-iou", title, "Class", "Run (model/backend/precision)",
                classNames(classes, n), names, cells, "IoU",
                "IoU per class in percent; grey: the class occurs in neither the ground truth nor the prediction.");
    }

    /** The confusion matrix of one run, each true-class row normalised to 1; rows of absent classes are grey. */
    static Chart confusion(String id, Run run, Classes classes) {
        long[][] m = run.accuracy() == null ? null : run.accuracy().confusionMatrix();
        if (m == null || m.length == 0) {
            return null;
        }
        int n = m.length;
        double[][] cells = new double[n][n];
        for (int t = 0; t < n; t++) {
            long sum = 0;
            for (int p = 0; p < Math.min(n, m[t].length); p++) {
                sum += m[t][p];
            }
            for (int p = 0; p < n; p++) {
                cells[t][p] = sum == 0 ? Double.NaN : (p < m[t].length ? m[t][p] : 0) / (double) sum;
            }
        }
        String[] names = classNames(classes, n);
        String title = "Confusion matrix of " + run.key() + " (rows normalised)";
        return heatMap(id, title, "Predicted class", "True class", names, names, cells, "Share of true-class pixels",
                "Row t, column p: share of pixels of true class t predicted as p, in percent (values under 0.5% not "
                        + "printed); the diagonal is per-class recall. Grey rows: class absent from the ground truth.");
    }

    /** The names of labels 0..n-1 (a run of a model with more classes than the dataset names gets "class N"). */
    private static String[] classNames(Classes classes, int n) {
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = classes.name(i);
        }
        return names;
    }

    /**
     * Server scenario: p50 and p99 latency against the achieved rate of every trial, one colour per run, the p99
     * bound drawn as a horizontal line and trials that fell behind their schedule crossed; null without trials.
     *
     * @param servers each run's server scenario by run key, in run order
     */
    static Chart latencyVsLoad(Map<String, Server> servers) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries invalid = new XYSeries("trial fell behind its schedule (invalid)", false, true);
        List<String> runs = new ArrayList<>();
        Set<Double> bounds = new TreeSet<>();
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Map.Entry<String, Server> e : servers.entrySet()) {
            Server server = e.getValue();
            if (server == null || server.trials().isEmpty()) {
                continue;
            }
            XYSeries p50 = new XYSeries(e.getKey() + " p50", true, true);
            XYSeries p99 = new XYSeries(e.getKey() + " p99", true, true);
            for (Server.Trial t : server.trials()) {
                Server.Percentiles l = t.latencyMs();
                if (l == null || !(t.achievedQps() > 0) || !(l.p50() > 0)) {
                    continue;
                }
                p50.add(t.achievedQps(), l.p50());
                lo = Math.min(lo, l.p50());
                hi = Math.max(hi, l.p50());
                if (l.p99() == null || !Double.isFinite(l.p99())) {
                    continue; // too few requests for a p99: no point rather than their maximum
                }
                p99.add(t.achievedQps(), l.p99());
                if (!t.valid()) {
                    invalid.add(t.achievedQps(), l.p99());
                }
                hi = Math.max(hi, l.p99());
            }
            if (p50.getItemCount() > 0) {
                data.addSeries(p50);
                data.addSeries(p99);
                runs.add(e.getKey());
            }
            if (server.p99BoundMs() != null && server.p99BoundMs() > 0) {
                bounds.add(server.p99BoundMs());
            }
        }
        if (runs.isEmpty()) {
            return null;
        }
        if (invalid.getItemCount() > 0) {
            data.addSeries(invalid);
        }
        for (double b : bounds) {
            lo = Math.min(lo, b);
            hi = Math.max(hi, b);
        }
        boolean log = hi / lo > LOG_AXIS_RATIO;
        String x = "Achieved load (requests/s)";
        String y = log ? "Latency from scheduled arrival (ms, log scale)" : "Latency from scheduled arrival (ms)";
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        NumberAxis xAxis = numberAxis(x, true);
        XYPlot plot = new XYPlot(data, xAxis, log ? logAxis(y, lo, hi) : numberAxis(y, true), renderer);
        String title = "Latency against load (server scenario)";
        JFreeChart chart = themed(new JFreeChart(title, plot));
        float[] dashed = {6f, 4f};
        for (int r = 0; r < runs.size(); r++) {
            Color colour = PALETTE[r % PALETTE.length];
            renderer.setSeriesPaint(2 * r, colour);
            renderer.setSeriesStroke(2 * r, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, dashed, 0f));
            renderer.setSeriesShape(2 * r, new Ellipse2D.Double(-3, -3, 6, 6));
            renderer.setSeriesPaint(2 * r + 1, colour);
            renderer.setSeriesStroke(2 * r + 1, new BasicStroke(2f));
            renderer.setSeriesShape(2 * r + 1, new Rectangle(-3, -3, 7, 7));
        }
        if (invalid.getItemCount() > 0) {
            int s = 2 * runs.size();
            renderer.setSeriesLinesVisible(s, false);
            renderer.setSeriesPaint(s, Color.BLACK);
            renderer.setSeriesShape(s, new java.awt.Polygon(new int[] {-6, 0, 6, 0, 6, 0, -6, 0}, new int[] {-6, 0, -6, 0, 6, 0, 6, 0}, 8));
        }
        for (double b : bounds) {
            ValueMarker marker = new ValueMarker(b, PALETTE[3], new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_ROUND, 1f, new float[] {2f, 3f}, 0f));
            marker.setLabel("p99 bound " + compact(b) + " ms");
            marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            marker.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
            plot.addRangeMarker(marker);
        }
        return render("chart-latency-load", title, x, y, chart, 460,
                "Each point is one server trial: p50 (dashed) and p99 (solid) latency, counted from each request's "
                        + "scheduled arrival so queueing behind a slow request counts, against the rate the backend "
                        + "achieved. The dotted horizontal line is the p99 bound; crossed points fell more than 5% behind "
                        + "their target rate (invalid trials).");
    }

    /**
     * Offline throughput of one run over batch size (rows) and requests in flight (columns), coloured by the share of
     * the run's best; null unless it measured at least two in-flight values.
     */
    static Chart throughputHeatMap(String id, String runKey, List<InFlightThroughput> grid) {
        List<Integer> inFlight = grid.stream().map(InFlightThroughput::inFlight).distinct().sorted().toList();
        List<Integer> batches = grid.stream().map(InFlightThroughput::batch).distinct().sorted().toList();
        if (inFlight.size() < 2) {
            return null;
        }
        double best = grid.stream().mapToDouble(InFlightThroughput::imagesPerSecond).filter(Double::isFinite).max().orElse(0);
        double[][] cells = new double[batches.size()][inFlight.size()];
        String[][] text = new String[batches.size()][inFlight.size()];
        for (double[] row : cells) {
            java.util.Arrays.fill(row, Double.NaN);
        }
        for (InFlightThroughput t : grid) {
            int r = batches.indexOf(t.batch());
            int c = inFlight.indexOf(t.inFlight());
            // several thread counts per (batch, in flight) with a list of --offline-threads: the best of them
            if (Double.isFinite(t.imagesPerSecond()) && best > 0 && !(cells[r][c] >= t.imagesPerSecond() / best)) {
                cells[r][c] = t.imagesPerSecond() / best;
                text[r][c] = String.format(Locale.ROOT, t.imagesPerSecond() >= 100 ? "%.0f" : "%.1f", t.imagesPerSecond());
            }
        }
        String title = "Throughput of " + runKey + " by batch size and requests in flight";
        return heatMap(id, title, "Requests in flight", "Batch size",
                inFlight.stream().map(String::valueOf).toArray(String[]::new),
                batches.stream().map(String::valueOf).toArray(String[]::new), cells, text, "Share of the best images/s",
                "Model-only images per second with K requests of a batch kept in flight from K threads (the offline "
                        + "scenario); the colour is the share of this run's best cell. Grey: not measured.");
    }

    private static Chart heatMap(String id, String title, String xLabel, String yLabel, String[] columns, String[] rows,
                                 double[][] cells, String scaleLabel, String note) {
        String[][] text = new String[rows.length][columns.length];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < columns.length; c++) {
                double z = cells[r][c];
                text[r][c] = !Double.isNaN(z) && z >= 0.005 ? String.format(Locale.ROOT, "%.0f", 100 * z) : null;
            }
        }
        return heatMap(id, title, xLabel, yLabel, columns, rows, cells, text, scaleLabel, note);
    }

    /** Cells coloured by {@code cells} in [0, 1] (NaN grey) and labelled with {@code text} (null: no label). */
    private static Chart heatMap(String id, String title, String xLabel, String yLabel, String[] columns, String[] rows,
                                 double[][] cells, String[][] text, String scaleLabel, String note) {
        int n = rows.length * columns.length;
        double[] xs = new double[n];
        double[] ys = new double[n];
        double[] zs = new double[n];
        int i = 0;
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < columns.length; c++, i++) {
                xs[i] = c;
                ys[i] = r;
                zs[i] = cells[r][c];
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(title, new double[][] {xs, ys, zs});
        SymbolAxis xAxis = new SymbolAxis(xLabel, columns);
        xAxis.setVerticalTickLabels(true);
        xAxis.setGridBandsVisible(false);
        SymbolAxis yAxis = new SymbolAxis(yLabel, rows);
        yAxis.setInverted(true);
        yAxis.setGridBandsVisible(false);
        XYBlockRenderer renderer = new XYBlockRenderer();
        UnitPaintScale scale = new UnitPaintScale();
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        JFreeChart chart = themed(new JFreeChart(title, plot));
        Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, columns.length > 15 && rows.length > 15 ? 8 : 9);
        for (i = 0; i < n; i++) {
            String label = text[(int) ys[i]][(int) xs[i]];
            if (label != null) {
                XYTextAnnotation annotation = new XYTextAnnotation(label, xs[i], ys[i]);
                annotation.setFont(cellFont);
                annotation.setPaint(zs[i] > 0.55 ? Color.WHITE : Color.BLACK);
                plot.addAnnotation(annotation);
            }
        }
        chart.removeLegend();
        NumberAxis scaleAxis = new NumberAxis(scaleLabel);
        scaleAxis.setRange(0, 1);
        PaintScaleLegend legend = new PaintScaleLegend(scale, scaleAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(new RectangleInsets(10, 10, 10, 10));
        legend.setStripWidth(12);
        chart.addSubtitle(legend);
        int height = Math.max(320, 190 + 22 * rows.length);
        return render(id, title, xLabel, yLabel, chart, height, note);
    }

    /** Applies the report's fonts and colours; call before adding annotations, which the theme would restyle. */
    private static JFreeChart themed(JFreeChart chart) {
        THEME.apply(chart);
        return chart;
    }

    /** Maps [0,1] from white through blue to dark navy, NaN (missing) to grey. */
    static final class UnitPaintScale implements PaintScale {
        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return 1;
        }

        @Override
        public Paint getPaint(double value) {
            if (Double.isNaN(value)) {
                return MISSING;
            }
            double t = Math.max(0, Math.min(1, value));
            // white (247,251,255) -> blue (33,113,181) -> navy (8,48,107): the usual sequential "Blues" ramp
            if (t < 0.6) {
                double u = t / 0.6;
                return new Color(lerp(247, 33, u), lerp(251, 113, u), lerp(255, 181, u));
            }
            double u = (t - 0.6) / 0.4;
            return new Color(lerp(33, 8, u), lerp(113, 48, u), lerp(181, 107, u));
        }

        private static int lerp(int a, int b, double u) {
            return (int) Math.round(a + (b - a) * u);
        }
    }

    private static NumberAxis numberAxis(String label, boolean includeZero) {
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(includeZero);
        return axis;
    }

    /** A log axis spanning whole decades around [lo, hi], labelled at each decade, minor grid lines at 2..9. */
    private static LogAxis logAxis(String label, double lo, double hi) {
        LogAxis axis = new LogAxis(label);
        axis.setNumberFormatOverride(new DecimalFormat("0.###"));
        axis.setSmallestValue(1e-3);
        axis.setTickUnit(new NumberTickUnit(1));
        axis.setMinorTickCount(9);
        axis.setMinorTickMarksVisible(true);
        // a hair beyond the decades so rounding in log10 does not drop the end ticks
        axis.setRange(Math.pow(10, Math.floor(Math.log10(lo))) * 0.999, Math.pow(10, Math.ceil(Math.log10(hi))) * 1.001);
        return axis;
    }

    /**
     * Colour per (model, backend), dash pattern per precision, marker shape per model: a run's line is
     * recognisable without relying on colour alone. Call after the theme, which clears series styles.
     */
    private static void styleSeries(XYLineAndShapeRenderer renderer, List<Run> runs, boolean shapes) {
        List<String> pairs = runs.stream().map(r -> r.model() + "/" + r.backend()).distinct().toList();
        List<String> precisions = runs.stream().map(Run::precision).distinct().toList();
        List<String> models = runs.stream().map(Run::model).distinct().toList();
        float[][] dashes = {null, {7f, 4f}, {2f, 3f}, {9f, 3f, 2f, 3f}};
        java.awt.Shape[] markers = {new Ellipse2D.Double(-3.5, -3.5, 7, 7), new Rectangle(-3, -3, 7, 7),
            new java.awt.Polygon(new int[] {0, 4, -4}, new int[] {-4, 4, 4}, 3),
            new java.awt.Polygon(new int[] {0, 4, 0, -4}, new int[] {-5, 0, 5, 0}, 4)};
        for (int s = 0; s < runs.size(); s++) {
            Run r = runs.get(s);
            renderer.setSeriesPaint(s, PALETTE[pairs.indexOf(r.model() + "/" + r.backend()) % PALETTE.length]);
            float[] dash = dashes[precisions.indexOf(r.precision()) % dashes.length];
            renderer.setSeriesStroke(s, dash == null ? new BasicStroke(2f)
                    : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, dash, 0f));
            renderer.setSeriesShape(s, markers[models.indexOf(r.model()) % markers.length]);
            renderer.setSeriesShapesVisible(s, shapes);
        }
    }

    /** Up to four significant digits without trailing zeros: 50, 12.5, 0.125. */
    private static String compact(double v) {
        return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static String twoDecimals(double d) {
        return Double.toString(Math.round(d * 100) / 100.0);
    }

    private static Chart render(String id, String title, String xLabel, String yLabel, JFreeChart chart, int height,
                                String note) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, height);
        g2.setDefsKeyPrefix(id + "-"); // several SVGs share one HTML document: their clip-path ids must not collide
        g2.setGeomDoubleConverter(Charts::twoDecimals); // full double precision would double the report's size
        g2.setTransformDoubleConverter(Charts::twoDecimals);
        chart.draw(g2, new Rectangle(0, 0, WIDTH, height));
        String svg = g2.getSVGElement(id, false, new ViewBox(0, 0, WIDTH, height), null, null);
        // JFreeSVG has no API for the root <title> (the SVG's accessible name), so it goes right after the open tag
        int open = svg.indexOf('>') + 1;
        svg = svg.substring(0, open) + "<title>" + SVGUtils.escapeForXML(title) + "</title>" + svg.substring(open);
        return new Chart(id, title, xLabel, yLabel, svg, note);
    }
}
