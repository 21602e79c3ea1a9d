package dev.segbench.reports;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Writes the self-contained HTML report ({@code report.html}) for a results folder: headline table, inline SVG
 * charts, mask gallery with embedded images, environment, warnings banner and, given a baseline, regressions.
 * The file loads nothing from the network.
 */
public final class HtmlReport {

    public static final String FILE_NAME = "report.html";
    /** Relative change in the worse direction beyond which a metric counts as a regression by default (5%). */
    public static final double DEFAULT_REGRESSION_THRESHOLD = 0.05;

    private static final Mustache TEMPLATE = new DefaultMustacheFactory("dev/segbench/reports").compile("report.mustache");

    private HtmlReport() {
    }

    /** Reads DIR/results.json and the gallery PNGs it names; writes DIR/report.html atomically; returns its path. */
    public static Path write(Path resultsDir) throws IOException {
        Results results = ResultsJson.read(resultsDir);
        return writeTo(resultsDir, render(results, resultsDir, null, null, DEFAULT_REGRESSION_THRESHOLD));
    }

    /**
     * Same plus a regression section against BASELINE_DIR/results.json; regressions larger than
     * {@code regressionThreshold} (0.05 = 5% relative change) are flagged.
     */
    public static Path write(Path resultsDir, Path baselineDir, double regressionThreshold) throws IOException {
        if (!(regressionThreshold >= 0) || Double.isInfinite(regressionThreshold)) {
            throw new IllegalArgumentException("regression threshold must be a number >= 0, got " + regressionThreshold);
        }
        Results results = ResultsJson.read(resultsDir);
        Results baseline = ResultsJson.read(baselineDir);
        return writeTo(resultsDir, render(results, resultsDir, baseline, baselineDir.toString(), regressionThreshold));
    }

    /**
     * The report as an HTML string. Gallery paths are resolved against {@code resultsDir}; {@code baseline} may be
     * null (no regression section).
     */
    public static String render(Results results, Path resultsDir, Results baseline, String baselineLabel,
                                double regressionThreshold) {
        ReportModel model = new ReportModel(results, resultsDir, baseline,
                baselineLabel == null ? "baseline" : baselineLabel, regressionThreshold);
        StringWriter out = new StringWriter();
        try {
            TEMPLATE.execute(out, model).flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static Path writeTo(Path resultsDir, String html) throws IOException {
        Path out = resultsDir.resolve(FILE_NAME);
        AtomicFiles.writeString(out, html);
        return out;
    }
}
