package dev.segbench.harness.diagnose;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUtils;
import org.jfree.svg.ViewBox;

/**
 * diagnose.html: one self-contained page (inline SVG, no script, no external file) with, per pair of runs, the
 * relative error of every tensor against its depth in the graph, the path to the first divergence and the worst
 * layers.
 */
public final class DiagnosePage {

    public static final String FILE_NAME = "diagnose.html";
    private static final int WIDTH = 900;
    private static final int HEIGHT = 320;
    /** Exact tensors (error 0) are drawn here, below anything a float run produces, since a log axis has no 0. */
    private static final double FLOOR = 1e-9;

    private DiagnosePage() {
    }

    public static String render(Diagnosis d) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>segbench diagnose: ")
                .append(esc(d.model())).append("</title><style>body{font-family:sans-serif;margin:1.5em;max-width:1000px}"
                        + "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;"
                        + "text-align:left}td.n{text-align:right;font-family:monospace}.div{background:#fde0dc}"
                        + "code{font-size:12px}</style></head><body>");
        h.append("<h1>Layer-wise comparison: ").append(esc(d.model())).append("</h1><p>Weights ")
                .append(esc(d.weights())).append(", dataset ").append(esc(d.dataset())).append(", images ")
                .append(esc(String.join(", ", d.images()))).append(". Reference run <b>").append(esc(d.reference()))
                .append("</b>; tolerance: relative L2 error ").append(num(d.tolerance())).append(".</p>");
        h.append("<h2>Runs</h2><table><tr><th>run</th><th>status</th><th>tensors captured</th></tr>");
        for (Diagnosis.RunEntry r : d.runs()) {
            h.append("<tr><td>").append(esc(r.run())).append("</td><td>").append(esc(r.status()))
                    .append(r.reason() == null ? "" : ": " + esc(r.reason())).append("</td><td class=n>")
                    .append(r.captured()).append("</td></tr>");
        }
        h.append("</table>");
        int index = 0;
        for (Diagnosis.Pair p : d.pairs()) {
            index++;
            h.append("<h2>").append(esc(p.candidate())).append(" against ").append(esc(p.reference())).append("</h2>");
            h.append("<p>").append(p.shared()).append(" tensors compared. ");
            if (p.firstDivergence() == null) {
                h.append("No tensor passes the tolerance.</p>");
            } else {
                Diagnosis.Divergence f = p.firstDivergence();
                h.append("First divergence: <code>").append(esc(f.tensor())).append("</code> (").append(esc(f.op()))
                        .append(", depth ").append(f.depth()).append("), relative L2 ").append(num(f.relativeL2()))
                        .append(", amplification ").append(num(f.amplification())).append(".</p>");
            }
            h.append(chart("pair" + index, p, d.tolerance()));
            if (!p.path().isEmpty()) {
                h.append("<h3>Path from the input to the first divergence</h3><table><tr><th>#</th><th>tensor</th>"
                        + "<th>op</th><th>relative L2</th></tr>");
                int i = 0;
                for (Diagnosis.PathStep s : p.path()) {
                    boolean last = ++i == p.path().size();
                    h.append(last ? "<tr class=div>" : "<tr>").append("<td class=n>").append(i).append("</td><td><code>")
                            .append(esc(s.tensor())).append("</code></td><td>").append(esc(s.op())).append("</td><td class=n>")
                            .append(num(s.relativeL2())).append("</td></tr>");
                }
                h.append("</table>");
            }
            h.append("<h3>Worst layers (most error created)</h3><table><tr><th>tensor</th><th>op</th><th>depth</th>"
                    + "<th>relative L2</th><th>max abs</th><th>cosine</th><th>amplification</th></tr>");
            for (Diagnosis.TensorEntry t : p.worst(10)) {
                h.append("<tr><td><code>").append(esc(t.tensor())).append("</code></td><td>").append(esc(t.op()))
                        .append("</td><td class=n>").append(t.depth()).append("</td><td class=n>").append(num(t.relativeL2()))
                        .append("</td><td class=n>").append(num(t.maxAbs())).append("</td><td class=n>")
                        .append(t.cosine() == null ? "-" : String.format(Locale.ROOT, "%.6f", t.cosine()))
                        .append("</td><td class=n>").append(num(t.amplification())).append("</td></tr>");
            }
            h.append("</table>");
            if (!p.mismatched().isEmpty()) {
                h.append("<p>Left out (shapes differ): ").append(esc(String.join("; ", p.mismatched().entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue()).toList()))).append("</p>");
            }
        }
        return h.append("</body></html>\n").toString();
    }

    /** Relative L2 error (log scale) against depth, the tolerance as a line, the first divergence as a marker. */
    private static String chart(String id, Diagnosis.Pair p, double tolerance) {
        XYSeries series = new XYSeries(p.candidate(), false);
        for (Diagnosis.TensorEntry t : p.tensors()) {
            series.add(t.depth(), t.relativeL2() == null ? Double.NaN : Math.max(FLOOR, t.relativeL2()));
        }
        NumberAxis x = new NumberAxis("depth (tensor's position in the graph)");
        LogAxis y = new LogAxis("relative L2 error vs " + p.reference());
        y.setSmallestValue(FLOOR);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesShape(0, new java.awt.geom.Ellipse2D.Double(-2, -2, 4, 4));
        XYPlot plot = new XYPlot(new XYSeriesCollection(series), x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xD0D0D0));
        plot.setDomainGridlinePaint(new Color(0xD0D0D0));
        ValueMarker tol = new ValueMarker(tolerance, new Color(0xd62728), new BasicStroke(1f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
        tol.setLabel("tolerance");
        tol.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
        tol.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(tol);
        if (p.firstDivergence() != null) {
            ValueMarker first = new ValueMarker(p.firstDivergence().depth(), new Color(0xd62728), new BasicStroke(1.5f));
            first.setLabel("first divergence");
            plot.addDomainMarker(first);
        }
        JFreeChart chart = new JFreeChart(p.candidate() + " against " + p.reference(), JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, HEIGHT);
        g2.setDefsKeyPrefix(id + "-"); // several SVGs in one page: their clip-path ids must not collide
        g2.setGeomDoubleConverter(DiagnosePage::twoDecimals); // full double precision would multiply the page's size
        g2.setTransformDoubleConverter(DiagnosePage::twoDecimals);
        chart.draw(g2, new Rectangle(0, 0, WIDTH, HEIGHT));
        return g2.getSVGElement(id, false, new ViewBox(0, 0, WIDTH, HEIGHT), null, null);
    }

    private static String twoDecimals(double d) {
        return Double.toString(Math.round(d * 100) / 100.0);
    }

    static String num(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3g", v);
    }

    static String esc(String s) {
        return s == null ? "" : SVGUtils.escapeForXML(s);
    }
}
