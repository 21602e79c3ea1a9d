package dev.segbench.reports;

import dev.segbench.api.DeviceTimings;
import dev.segbench.results.Environment;
import dev.segbench.results.Gate;
import dev.segbench.results.PercentileIntervals;
import dev.segbench.results.PerformanceAtSize;
import dev.segbench.results.Results;
import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.Run;
import dev.segbench.results.Speedups;
import dev.segbench.results.Server;
import dev.segbench.results.settings.CalibrationRequest;
import dev.segbench.results.settings.Int8Fallback;
import dev.segbench.results.settings.LoadSettings;
import dev.segbench.results.settings.OptionLists;
import dev.segbench.results.settings.Scenario;
import dev.segbench.results.settings.Settings;
import dev.segbench.results.Telemetry;
import dev.segbench.results.Stability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Everything the mustache template shows, computed from the results (the template itself holds no logic). */
final class ReportModel {

    /** A banner line; {@code severity} is "danger" (numbers are misleading) or "warn". */
    record Warning(String severity, String label, String text) {
    }

    record KeyValue(String key, String value) {
    }

    /** A header cell: its text, an explanation (tooltip) and whether it sorts as a number. */
    record Header(String text, String help, boolean numeric) {
    }

    /** A table cell; {@code sort} is the sort key (blank = missing, sorts last), {@code best} marks the column's best. */
    record Cell(String text, String sort, boolean best, String css) {
    }

    record TableRow(String css, List<Cell> cells) {
    }

    record Table(List<Header> headers, List<TableRow> rows) {
    }

    /** One regression-table line; the {@code *Sort} fields are the raw numbers the table sorts by. */
    record Change(String run, String metric, String oldValue, String oldSort, String newValue, String newSort,
                  String change, String changeSort, String verdict, String symbol, boolean flagged, String css) {
    }

    record StatusLine(String run, String oldStatus, String newStatus, boolean regression) {
    }

    record RegressionView(String baseline, String threshold, int flaggedCount, int comparedCount, List<Change> changes,
                          List<StatusLine> statusChanges) {
        boolean hasStatusChanges() {
            return !statusChanges.isEmpty();
        }
    }

    /** What an accuracy cell of a run with seeded (untrained) weights shows instead of a meaningless number. */
    static final String NOT_APPLICABLE_SEEDED = "n/a (seeded)";

    final String title;
    final String subtitle;
    final List<Warning> warnings = new ArrayList<>();
    final Table headline;
    final Table details;
    final List<Charts.Chart> charts = new ArrayList<>();
    final List<Charts.Chart> confusionCharts = new ArrayList<>();
    final List<Gallery.Row> gallery;
    final List<Gallery.LegendItem> legend;
    final List<KeyValue> environment;
    final List<KeyValue> settings;
    final RegressionView regression;
    final String referenceLabel;
    /** The run speed-ups are measured against ({@code --baseline}; the reference in files written before it). */
    final String speedupLabel;

    ReportModel(Results results, Path resultsDir, Results baseline, String baselineLabel, double threshold) {
        Settings s = results.settings();
        String reference = s == null || s.reference() == null ? null : s.reference();
        this.referenceLabel = reference == null ? "none recorded" : reference;
        this.speedupLabel = s != null && s.baseline() != null ? s.baseline() : referenceLabel;
        List<Run> runs = results.runs();
        List<Run> ok = runs.stream().filter(Run::ok).toList();
        this.title = "segbench report";
        Environment env = results.environment();
        this.subtitle = runs.size() + " run" + (runs.size() == 1 ? "" : "s") + " (" + ok.size() + " ok)"
                + (env != null && env.gitCommit() != null ? " · commit " + shortCommit(env.gitCommit()) : "")
                + (s != null ? " · dataset " + s.data().dataset() : "");
        this.headline = headline(runs, reference, s);
        this.details = details(runs, s, results.environments().size() > 1);
        addIfPresent(charts, Charts.latencyCdf(ok));
        addIfPresent(charts, Charts.throughput(ok));
        // accuracy of seeded (untrained) weights is meaningless: those runs stay out of the accuracy charts
        List<Run> trained = ok.stream().filter(r -> !Run.seeded(r)).toList();
        addIfPresent(charts, Charts.accuracyVsLatency(trained));
        addIfPresent(charts, Charts.perClassIou(trained, results.classes()));
        addScenarioCharts(ok);
        int n = 0;
        for (Run r : confusionRuns(trained, reference)) {
            addIfPresent(confusionCharts, Charts.confusion("chart-confusion-" + n++, r, results.classes()));
        }
        List<String> galleryProblems = new ArrayList<>();
        this.gallery = Gallery.rows(resultsDir, results.gallery(), runs, galleryProblems);
        this.legend = Gallery.legend(results.classes());
        this.environment = environments(results);
        this.settings = settings(s);
        this.regression = baseline == null ? null : regression(results, baseline, baselineLabel, threshold);
        collectWarnings(results, galleryProblems);
    }

    /**
     * The scenario charts of the first performance size: latency against load for every run with a server result,
     * and one throughput heat-map (batch x requests in flight) per run that kept several in flight.
     */
    private void addScenarioCharts(List<Run> ok) {
        Map<String, Server> servers = new LinkedHashMap<>();
        for (Run r : ok) {
            PerformanceAtSize first = r.performance().isEmpty() ? null : r.performance().getFirst();
            if (first != null && first.server() != null) {
                servers.put(r.key(), first.server());
            }
        }
        if (!servers.isEmpty()) {
            addIfPresent(charts, Charts.latencyVsLoad(servers));
        }
        int n = 0;
        for (Run r : ok) {
            PerformanceAtSize first = r.performance().isEmpty() ? null : r.performance().getFirst();
            if (first != null && !first.throughput().isEmpty()) {
                Charts.Chart heat = Charts.throughputHeatMap("chart-inflight-" + n, r.key(), first.throughput());
                if (heat != null) {
                    charts.add(heat);
                    n++;
                }
            }
        }
    }

    boolean hasWarnings() {
        return !warnings.isEmpty();
    }

    boolean hasDanger() {
        return warnings.stream().anyMatch(w -> "danger".equals(w.severity()));
    }

    boolean hasCharts() {
        return !charts.isEmpty();
    }

    boolean hasConfusion() {
        return !confusionCharts.isEmpty();
    }

    boolean hasGallery() {
        return !gallery.isEmpty();
    }

    // ---- headline table -------------------------------------------------------------------------------------

    private static Table headline(List<Run> allRuns, String reference, Settings settings) {
        // files written before --baseline: speed-ups against the reference, by the same definition
        String baseline = settings != null && settings.baseline() != null ? settings.baseline() : reference;
        List<Run> runs = allRuns.stream().anyMatch(r -> r.speedup() != null) ? allRuns
                : Speedups.apply(allRuns, baseline == null || baseline.contains(":") ? baseline : null);
        boolean served = runs.stream().anyMatch(r -> server(r) != null);
        List<Header> headers = new ArrayList<>(List.of(
                new Header("Model", null, false),
                new Header("Backend", null, false),
                new Header("Precision", null, false),
                new Header("Status", null, false),
                new Header("mIoU (%)", "mean intersection over union against the ground truth; higher is better", true),
                new Header("Pixel acc. (%)", "share of labelled pixels predicted correctly; higher is better", true),
                new Header("Agreement (%)", "share of pixels labelled as the reference run (" + Format.orDash(reference)
                        + ") labels them; higher is better", true),
                new Header("p50 (ms)", "batch-1 model latency, median; lower is better", true),
                new Header("p99 (ms)", "batch-1 model latency, 99th percentile; lower is better", true),
                new Header("Best throughput (img/s)", "highest offline images per second over the configurations tried, "
                        + "with that configuration, e.g. 1t×2×b8: 1 thread per request × 2 requests in flight × batch 8, "
                        + "and its gain over one request with all threads (batch 1)", true),
                new Header("Speed-up", "against the baseline run (" + Format.orDash(baseline) + ") of the same model: its "
                        + "batch-1 p50 / this run's, then this run's best images/s / its; higher is better", true),
                new Header("Notes", null, false)));
        List<Function<Run, Double>> numeric = new ArrayList<>(List.of(
                r -> r.accuracy() == null || Run.seeded(r) ? null : r.accuracy().miou(),
                r -> r.accuracy() == null || Run.seeded(r) ? null : r.accuracy().pixelAccuracy(),
                r -> r.agreement() == null || r.isReference(reference) ? null : r.agreement().pixelAgreement(),
                r -> r.latencyMs() == null ? null : -r.latencyMs().p50(),
                r -> r.latencyMs() == null || r.latencyMs().p99() == null ? null : -r.latencyMs().p99(),
                r -> InFlightThroughput.best(r) == null ? null : InFlightThroughput.best(r).imagesPerSecond(),
                r -> r.speedup() == null ? null : r.speedup().latency()));
        if (served) {
            // the server scenario's answer, with the bound it was judged by (in each cell: runs may differ)
            headers.add(headers.size() - 1, new Header("Server max QPS", "highest request rate whose latency percentile "
                    + "stayed within the bound shown, first performance size; higher is better", true));
            numeric.add(r -> server(r) == null ? null : server(r).maxQps());
        }
        List<Double> best = new ArrayList<>();
        for (Function<Run, Double> f : numeric) {
            List<Double> values = runs.stream().filter(Run::ok).map(f).filter(Objects::nonNull)
                    .filter(v -> !v.isNaN()).toList();
            // nothing is "best" where fewer than two runs have a value or all runs tie (e.g. each is its own reference)
            boolean allEqual = values.stream().distinct().count() < 2;
            best.add(values.size() < 2 || allEqual ? null : values.stream().max(Double::compare).orElseThrow());
        }
        List<TableRow> rows = new ArrayList<>();
        for (Run r : runs) {
            if (Run.SKIPPED.equals(r.status())) {
                continue; // one row per backend and reason below; run details keep every run
            }
            List<Cell> cells = new ArrayList<>();
            cells.add(text(r.model()));
            cells.add(text(r.backend()));
            cells.add(text(r.precision()));
            cells.add(new Cell(Format.orDash(r.status()), Format.orDash(r.status()), false, "status-" + cssToken(r.status())));
            InFlightThroughput top = InFlightThroughput.best(r);
            Run.OfflineBest ob = r.offlineBest();
            Run.Speedup speed = r.speedup();
            List<String> shown = new ArrayList<>(List.of(
                Run.seeded(r) && r.accuracy() != null ? NOT_APPLICABLE_SEEDED : Format.percent(r.accuracy() == null ? null : r.accuracy().miou()),
                Run.seeded(r) && r.accuracy() != null ? NOT_APPLICABLE_SEEDED : Format.percent(r.accuracy() == null ? null : r.accuracy().pixelAccuracy()),
                r.isReference(reference) && r.ok() ? "reference"
                        : Format.percent(r.agreement() == null ? null : r.agreement().pixelAgreement()),
                Format.ms(r.latencyMs() == null ? null : r.latencyMs().p50()),
                r.latencyMs() == null ? Format.MISSING : Format.tailMs(r.latencyMs().p99()),
                top == null ? Format.MISSING : Format.number(top.imagesPerSecond(), 1) + " ("
                        + (top.threadsPerRequest() == null ? "" : top.threadsPerRequest() + "t×") + top.inFlight()
                        + "×b" + top.batch()
                        + (ob == null || ob.gain() == null ? "" : ", " + Format.number(ob.gain(), 2) + "×") + ")",
                r.isBaseline(baseline) ? "baseline" : speedText(speed)));
            if (served) {
                shown.add(serverHeadline(server(r)));
            }
            for (int c = 0; c < numeric.size(); c++) {
                Double v = r.ok() ? numeric.get(c).apply(r) : null;
                boolean isBest = v != null && best.get(c) != null && v.doubleValue() == best.get(c).doubleValue();
                String sort = v == null || v.isNaN() ? "" : Double.toString(c == 3 || c == 4 ? -v : v);
                // the best configuration and the two speed-up ratios may wrap, so the table fits the page
                cells.add(new Cell(isBest ? shown.get(c) + " ★" : shown.get(c), sort, isBest, c >= 5 ? "num wrap" : "num"));
            }
            cells.add(text(notes(r, settings)));
            rows.add(new TableRow(r.ok() ? "run-ok" : "run-" + cssToken(r.status()), cells));
        }
        Map<String, List<Run>> skipped = new LinkedHashMap<>();
        runs.stream().filter(r -> Run.SKIPPED.equals(r.status()))
                .forEach(r -> skipped.computeIfAbsent(r.backend() + "\u0000" + r.reason(), k -> new ArrayList<>()).add(r));
        for (List<Run> group : skipped.values()) {
            List<Cell> cells = new ArrayList<>();
            cells.add(text(group.stream().map(Run::model).distinct().collect(Collectors.joining(", "))));
            cells.add(text(group.getFirst().backend()));
            cells.add(text(group.stream().map(Run::precision).distinct().collect(Collectors.joining(", "))));
            String status = Run.SKIPPED + (group.size() == 1 ? "" : " (" + group.size() + " runs)");
            cells.add(new Cell(status, Run.SKIPPED, false, "status-skipped"));
            for (int c = 0; c < numeric.size(); c++) {
                cells.add(new Cell(Format.MISSING, "", false, "num"));
            }
            cells.add(text(Format.orDash(group.getFirst().reason())));
            rows.add(new TableRow("run-skipped", cells));
        }
        return new Table(headers, rows);
    }

    private static String notes(Run r, Settings settings) {
        List<String> notes = new ArrayList<>();
        if (!r.ok()) {
            notes.add(Format.orDash(r.status()) + ": " + Format.orDash(r.reason()));
        }
        if (r.reused()) {
            notes.add("reused from an earlier run (--resume)");
        }
        // seeded weights and generated data are said by the banner and the n/a cells, not on every row
        if (r.ok() && Stability.invalid(r)) {
            notes.add("measurement invalid: " + String.join("; ", Stability.brokenRules(r)));
        }
        Stability.Unstable u = r.ok() ? Stability.unstable(r, settings) : null;
        if (u != null) {
            notes.add("unstable: " + unstableFigures(u));
        }
        return String.join("; ", notes);
    }

    /** "CV 12.0%, (p90-p10)/p50 8.1%": the figures of an unstable measurement. */
    static String unstableFigures(Stability.Unstable u) {
        return "CV " + String.format(Locale.ROOT, "%.1f%%", 100 * u.cv()) + robustSpread(u);
    }

    private static String robustSpread(Stability.Unstable u) {
        return u.robustSpread() == null ? "" : String.format(Locale.ROOT, ", (p90-p10)/p50 %.1f%%", 100 * u.robustSpread());
    }

    /** "2.10× / 1.80×": latency speed-up, then the throughput ratio; a dash where there is neither. */
    private static String speedText(Run.Speedup up) {
        if (up == null || (up.latency() == null && up.throughput() == null)) {
            return Format.MISSING;
        }
        String latency = up.latency() == null ? Format.MISSING : Format.number(up.latency(), 2) + "×";
        return up.throughput() == null ? latency : latency + " / " + Format.number(up.throughput(), 2) + "×";
    }

    private static List<Run> confusionRuns(List<Run> ok, String reference) {
        Map<String, Run> byModel = new LinkedHashMap<>();
        for (Run r : ok) {
            if (r.isReference(reference) && r.accuracy() != null && r.accuracy().confusionMatrix() != null) {
                byModel.putIfAbsent(r.model(), r);
            }
        }
        if (byModel.isEmpty()) {
            ok.stream().filter(r -> r.accuracy() != null && r.accuracy().confusionMatrix() != null).findFirst()
                    .ifPresent(r -> byModel.put(r.model(), r));
        }
        return List.copyOf(byModel.values());
    }

    // ---- details table ------------------------------------------------------------------------------------------

    private static Table details(List<Run> runs, Settings s, boolean severalMachines) {
        List<Header> headers = new ArrayList<>(List.of(
                new Header("Run", null, false),
                new Header("Weights", "checkpoint (file hash) or seeded (untrained)", false),
                new Header("Dataset", "name, images evaluated, skipped samples", false),
                new Header("Mean ± sd (ms)", "batch-1 latency mean and standard deviation", true),
                new Header("CV (%)", "coefficient of variation of batch-1 latency", true),
                new Header("Iterations", "timed batch-1 iterations", true),
                new Header("Measurement", "valid only if every measurement rule held", false),
                new Header("End-to-end p50 (ms)", "decode + preprocess + infer + postprocess, batch 1", true),
                new Header("Pipeline img/s (model-only)", "accuracy pass throughput, end-to-end and model-only", true),
                new Header("Device h2d / compute / d2h (ms)", "mean per batch-1 run, GPU events", false),
                new Header("Open / build (s)", "wall time of opening the session / the part of it spent compiling an engine "
                        + "(— when nothing was compiled, e.g. an engine-cache hit)", true),
                new Header("Peak RSS", "peak resident memory of the process that ran the run (its own JVM unless --in-process)", true),
                new Header("Device memory", "device memory the session held, where the backend reports it", true),
                new Header("p50 / p99 95% CI (ms)", "95% confidence intervals of the batch-1 median and 99th "
                        + "percentile: distribution-free (order statistics of the recorded histogram), or between the "
                        + "shards of a merged run", false),
                new Header("Server max QPS", "server scenario: highest request rate whose p99 stayed within the bound "
                        + "(or the fixed rate's trial), latency counted from each request's scheduled arrival", true),
                new Header("Clocks", "CPU frequency and governor (and device clocks, temperature, throttling where the "
                        + "backend reads them) right after the timed work", false),
                new Header("Gate", "--gate conditions against the run's reference", false)));
        if (severalMachines) {
            headers.add(1, new Header("Machine", "the environment the run was measured on (see Environment)", false));
        }
        boolean int8 = runs.stream().anyMatch(r -> r.calibration() != null);
        if (int8) {
            headers.add(new Header("Int8 calibration", "dataset, method and images the int8 ranges were measured on", false));
        }
        List<TableRow> rows = new ArrayList<>();
        for (Run r : runs) {
            List<Cell> cells = new ArrayList<>();
            cells.add(text(r.key() + (r.reused() ? " (reused)" : "")));
            if (severalMachines) {
                cells.add(text(r.environment()));
            }
            cells.add(text(r.weights() == null ? Format.MISSING : Format.orDash(r.weights().kind())
                    + (r.weights().sha256() == null ? "" : " " + shortCommit(r.weights().sha256()))));
            Run.DatasetSummary d = r.dataset();
            cells.add(text(d == null ? Format.MISSING : Format.orDash(d.name()) + ", " + d.images() + " images"
                    + (d.synthetic() && !String.valueOf(d.name()).startsWith("synthetic") ? " (synthetic)" : "") + (d.skipped().isEmpty() ? "" : ", " + d.skipped().size() + " skipped")));
            Run.Latency l = r.latencyMs();
            cells.add(num(l == null ? Format.MISSING : Format.ms(l.mean()) + " ± " + Format.ms(l.stddev()), l == null ? null : l.mean()));
            Double cv = l == null ? null : l.cv() != null ? l.cv() : l.mean() > 0 ? l.stddev() / l.mean() : null;
            Stability.Unstable unstable = Stability.unstable(r, s);
            boolean cvHigh = unstable != null;
            cells.add(new Cell(Format.percent(cv) + (cvHigh ? " ⚠" : ""), cv == null ? "" : cv.toString(), false,
                    cvHigh ? "num flag" : "num"));
            cells.add(num(l == null ? Format.MISSING : Long.toString(l.count()), l == null ? null : (double) l.count()));
            Run.Measurement m = r.measurement();
            boolean invalid = Stability.invalid(r);
            cells.add(new Cell(m == null ? Format.MISSING : invalid ? "INVALID ⚠: " + String.join("; ", Stability.brokenRules(r))
                    : unstable != null ? "valid, unstable ⚠" : "valid",
                    m == null ? "" : invalid ? "0" : unstable != null ? "0.5" : "1", false, invalid || unstable != null ? "flag" : ""));
            Run.Latency e2e = r.endToEndLatencyMs();
            cells.add(num(Format.ms(e2e == null ? null : e2e.p50()), e2e == null ? null : e2e.p50()));
            Run.AccuracyPassSummary ap = r.accuracyPass();
            cells.add(num(ap == null ? Format.MISSING : Format.number(ap.imagesPerSecond(), 1) + " ("
                    + Format.number(ap.modelImagesPerSecond(), 1) + ")", ap == null ? null : ap.imagesPerSecond()));
            DeviceTimings dt = r.deviceTimingsMs();
            cells.add(text(dt == null ? Format.MISSING : Format.ms(dt.h2dMs()) + " / " + Format.ms(dt.computeMs()) + " / "
                    + Format.ms(dt.d2hMs())));
            Run.Resources res = r.resources();
            Double open = res == null ? null : res.openSeconds();
            Double build = res == null ? null : res.buildSeconds();
            cells.add(num(open == null ? Format.MISSING : Format.number(open, 2) + " / " + Format.number(build, 2), open));
            Long rss = res == null ? null : res.peakRssBytes();
            cells.add(num(rss == null ? Format.MISSING : Format.mebibytes(rss), rss == null ? null : rss.doubleValue()));
            Long device = res == null ? null : res.deviceMemoryBytes();
            cells.add(num(device == null ? Format.MISSING : Format.mebibytes(device), device == null ? null : device.doubleValue()));
            scenarioCells(r, cells); // the headers list the scenario columns before the optional int8 one
            if (int8) {
                Run.Calibration c = r.calibration();
                cells.add(c == null ? text(Format.MISSING) : new Cell(c.dataset() + ", " + c.method() + ", " + c.images()
                        + " images" + (c.overlap() > 0 ? ", " + c.overlap() + " also evaluated ⚠" : "")
                        + floatLayers(c), c.dataset(), false,
                        c.overlap() > 0 ? "flag" : ""));
            }
            rows.add(new TableRow(r.ok() ? "run-ok" : "run-" + cssToken(r.status()), cells));
        }
        return new Table(headers, rows);
    }

    /** A 95% interval, or why there is none. */
    private static String interval(PercentileIntervals.Interval i) {
        return i == null ? PercentileIntervals.TOO_FEW : "[" + Format.ms(i.lo()) + ", " + Format.ms(i.hi()) + "]";
    }

    /** The harness's worst wake-up lateness (p99) over the trials, flagged where it is a noticeable share of a p99. */
    private static String wakeLate(Server server) {
        Double worst = server.trials().stream().filter(t -> t.wakeLateMs() != null).map(t -> t.wakeLateMs().p99())
                .max(Double::compare).orElse(null);
        return worst == null ? "" : "; harness wake-up lateness p99 " + Format.ms(worst) + " ms"
                + (server.trials().stream().anyMatch(Server.Trial::harnessLate) ? " (a noticeable share of a p99)" : "");
    }

    /** The run's server result at its first performance size; null where the server scenario did not run. */
    private static Server server(Run r) {
        return r.performance().isEmpty() ? null : r.performance().getFirst().server();
    }

    /** "p99 ≤ 50.0 ms": the bound a search was judged by. */
    private static String bound(Server server) {
        return Server.percentileLabel(server.percentile()) + " ≤ " + Format.number(server.p99BoundMs(), 1) + " ms";
    }

    /** "61.2 (p99 ≤ 50.0 ms)", "none (p99 ≤ 5.0 ms)", "fixed 40.0 qps"; — without a server result. */
    private static String serverHeadline(Server server) {
        if (server == null) {
            return Format.MISSING;
        }
        if (Server.FIXED.equals(server.mode())) {
            return "fixed " + Format.number(server.trials().getFirst().targetQps(), 1) + " qps";
        }
        return (server.maxQps() == null ? "none" : Format.number(server.maxQps(), 1)) + " ("
                + bound(server) + ")";
    }

    /** The first performance size's intervals, server result and clocks, and the gate (run details). */
    private static void scenarioCells(Run r, List<Cell> cells) {
        PerformanceAtSize first = r.performance().isEmpty() ? null : r.performance().getFirst();
        PercentileIntervals ci = first == null ? null : first.latencyCi95Ms();
        cells.add(text(ci == null ? Format.MISSING : interval(ci.p50()) + " / " + interval(ci.p99())
                + (PercentileIntervals.BETWEEN_SHARDS.equals(ci.method()) ? " (between " + ci.batches() + " shards)" : "")));
        Server server = first == null ? null : first.server();
        String serverText;
        if (server == null) {
            serverText = Format.MISSING;
        } else if (Server.FIXED.equals(server.mode())) {
            Server.Trial t = server.trials().getFirst();
            serverText = "fixed " + Format.number(t.targetQps(), 1) + " qps: p99 " + Format.tailMs(t.latencyMs().p99())
                    + (t.latencyMs().p99() == null ? "" : " ms")
                    + (t.valid() ? "" : " (fell behind)") + wakeLate(server);
        } else {
            serverText = (server.maxQps() == null ? "none" : Format.number(server.maxQps(), 1)) + " at "
                    + bound(server) + " (" + server.trials().size() + " trials"
                    + (server.note() == null ? "" : "; " + server.note()) + ")" + wakeLate(server);
        }
        cells.add(num(serverText, server == null ? null : server.maxQps()));
        Telemetry t = first == null ? null : first.telemetry();
        cells.add(text(clocks(t)));
        Gate g = r.gate();
        String gate = g == null ? Format.MISSING : g.passed() ? "pass" : "fail: " + g.conditions().stream()
                .filter(c -> Gate.fails(c.status()))
                .map(c -> c.condition() + " (" + Format.orDash(c.reason()) + ")").collect(Collectors.joining("; "));
        cells.add(new Cell(gate, g == null ? "" : g.passed() ? "1" : "0", false, g != null && !g.passed() ? "flag" : ""));
    }

    private static String clocks(Telemetry t) {
        if (t == null || (t.cpu() == null && t.device() == null)) {
            return Format.MISSING;
        }
        List<String> parts = new ArrayList<>();
        Telemetry.CpuFrequency cpu = t.cpu();
        if (cpu != null) {
            String mhz = cpu.currentMhzMin() == null ? "?" : Objects.equals(cpu.currentMhzMin(), cpu.currentMhzMax())
                    ? Format.number(cpu.currentMhzMin(), 0) : Format.number(cpu.currentMhzMin(), 0) + "–"
                    + Format.number(cpu.currentMhzMax(), 0);
            parts.add("CPU " + mhz + " MHz" + (cpu.governors().isEmpty() ? "" : " " + String.join("/", cpu.governors())));
        }
        if (t.device() != null) {
            var d = t.device();
            parts.add(Format.orDash(d.device()) + (d.smClockMhz() == null ? "" : " SM " + Format.number(d.smClockMhz(), 0) + " MHz")
                    + (d.temperatureC() == null ? "" : " " + Format.number(d.temperatureC(), 0) + " °C")
                    + (d.throttleReasons() == null || d.throttleReasons().isEmpty() ? ""
                    : " throttled: " + String.join(", ", d.throttleReasons())));
        }
        return String.join("; ", parts);
    }

    // ---- environment, settings ------------------------------------------------------------------------------

    /** One block per machine; with several (merged results), each block starts with the machine's id and host. */
    private static List<KeyValue> environments(Results results) {
        List<Environment> all = results.environments();
        if (all.size() <= 1) {
            return environment(all.isEmpty() ? results.environment() : all.getFirst());
        }
        List<KeyValue> kv = new ArrayList<>();
        for (Environment e : all) {
            long runs = results.runs().stream().filter(r -> Objects.equals(r.environment(), e.id())).count();
            kv.add(new KeyValue("Machine " + Format.orDash(e.id()), Format.orDash(e.host()) + " (" + runs + " run"
                    + (runs == 1 ? "" : "s") + ")"));
            environment(e).forEach(v -> kv.add(new KeyValue(e.id() + ": " + v.key(), v.value())));
        }
        return kv;
    }

    private static List<KeyValue> environment(Environment e) {
        List<KeyValue> kv = new ArrayList<>();
        if (e == null) {
            kv.add(new KeyValue("Environment", "not recorded"));
            return kv;
        }
        kv.add(new KeyValue("Host", Format.orDash(e.host())));
        kv.add(new KeyValue("CPU", Format.orDash(e.cpu()) + (e.cores() > 0 ? " (" + e.cores() + " cores)" : "")));
        kv.add(new KeyValue("Memory", Format.bytes(e.memoryBytes())));
        kv.add(new KeyValue("OS", Format.orDash(e.os())));
        kv.add(new KeyValue("JVM", Format.orDash(e.jvm())));
        kv.add(new KeyValue("GPU", e.gpu() == null ? "none" : e.gpu()));
        kv.add(new KeyValue("segbench version", Format.orDash(e.harnessVersion())));
        kv.add(new KeyValue("Git commit", Format.orDash(e.gitCommit())));
        e.backendVersions().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(v -> kv.add(new KeyValue("Backend " + v.getKey(), Format.orDash(v.getValue()))));
        // Facts as each backend reported them (driver, runtime and library versions): the report names no library itself.
        e.backendFacts().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(b -> b.getValue().forEach((k, v) -> kv.add(new KeyValue(b.getKey() + " " + k, Format.orDash(v)))));
        return kv;
    }

    private static List<KeyValue> settings(Settings s) {
        List<KeyValue> kv = new ArrayList<>();
        if (s == null) {
            kv.add(new KeyValue("Settings", "not recorded"));
            return kv;
        }
        Settings.Performance perf = s.performance();
        LoadSettings load = perf.load();
        kv.add(new KeyValue("Models", join(s.selection().models())));
        kv.add(new KeyValue("Backends", join(s.backendsRun())));
        kv.add(new KeyValue("Precisions", join(s.precisionIds())));
        kv.add(new KeyValue("Dataset", s.data().dataset()));
        kv.add(new KeyValue("Sample limit", s.data().options().limit() > 0 ? Integer.toString(s.data().options().limit()) : "none"));
        kv.add(new KeyValue("Shard", s.shard()));
        kv.add(new KeyValue("Reference", Format.orDash(s.reference())));
        kv.add(new KeyValue("Batch sizes", perf.batchSizes().stream().map(String::valueOf).collect(Collectors.joining(", "))
                + (perf.batchSizesGiven() ? "" : " (default; CPU backends stop at " + Settings.CPU_DEFAULT_MAX_BATCH + ")")));
        kv.add(new KeyValue("Performance input", load.perfSizes().size() < 2 ? perf.height() + " × " + perf.width()
                : load.perfSizes().stream().map(OptionLists.Size::toString).collect(Collectors.joining(", "))));
        kv.add(new KeyValue("Scenarios", LoadSettings.ids(load.scenarios())));
        kv.add(new KeyValue("Requests in flight", load.inFlight().stream().map(String::valueOf).collect(Collectors.joining(", "))));
        if (load.runs(Scenario.SERVER)) {
            kv.add(new KeyValue("Server", (load.serverQps() != null ? "fixed " + Format.number(load.serverQps(), 1) + " qps"
                    : "max-QPS search") + (load.serverP99Ms() == null ? "" : ", "
                    + Server.percentileLabel(load.serverLatencyPercentile()) + " bound " + Format.number(load.serverP99Ms(), 1)
                    + " ms") + ", " + load.arrivals().id() + " arrivals, seed " + load.seed() + ", >= "
                    + load.serverMinRequests() + " requests per trial"));
        }
        if (s.gate() != null) {
            kv.add(new KeyValue("Gate", s.gate()));
        }
        kv.add(new KeyValue("Warm-up", Format.number(perf.warmupSeconds(), 1) + " s"));
        kv.add(new KeyValue("Minimum duration", Format.number(perf.minDurationSeconds(), 1) + " s"));
        kv.add(new KeyValue("Minimum iterations", Integer.toString(perf.minIterations())));
        kv.add(new KeyValue("Threads", s.session().threads() > 0 ? Integer.toString(s.session().threads()) : "default"));
        kv.add(new KeyValue("CV threshold", Format.percent(perf.cvThreshold()) + " %"));
        kv.add(new KeyValue("On bad sample", s.data().options().onBadSample().name().toLowerCase(java.util.Locale.ROOT)));
        kv.add(new KeyValue("Engine cache", s.session().cacheDir() == null ? "none" : s.session().cacheDir().toString()));
        kv.add(new KeyValue("Isolation", s.execution().inProcess() ? "in-process" : "process per run"));
        s.session().properties().forEach((k, v) -> kv.add(new KeyValue("Property " + k, v)));
        CalibrationRequest c = s.calibration();
        if (c != null) {
            kv.add(new KeyValue("Int8 calibration", c.describe()
                    + (c.cacheFile() == null ? "" : ", table file " + c.cacheFile())));
            Int8Fallback f = c.fallback();
            if (f.mode() != Int8Fallback.Mode.NONE) {
                kv.add(new KeyValue("Int8 layers kept in float", f.mode() == Int8Fallback.Mode.AUTO
                        ? String.format(java.util.Locale.ROOT, "%s, until int8 labels agree with FP32 on %.2f%% of the"
                        + " calibration images' pixels", f.describe(), 100 * f.target()) : f.describe()));
            }
        }
        if (s.recorded() != null && s.recorded().commandLine() != null) {
            kv.add(new KeyValue("Command line", String.join(" ", s.recorded().commandLine())));
        }
        return kv;
    }

    /** ", 3 layers in float (auto, 4.1 s): a, b, c" for an int8 run that kept some; empty otherwise. */
    private static String floatLayers(Run.Calibration c) {
        Run.Fallback f = c.fallback();
        if (f == null || f.mode().equals("none")) {
            return "";
        }
        String how = f.mode().equals("auto") ? String.format(java.util.Locale.ROOT, " (auto, %s%s%.1f s search)",
                f.slowerInInt8().isEmpty() ? "" : f.slowerInInt8().size() + " not faster in int8, ",
                Boolean.FALSE.equals(f.reached()) ? "target not reached, " : "", f.seconds() == null ? 0 : f.seconds())
                : " (listed)";
        return ", " + c.floatLayers().size() + " layer" + (c.floatLayers().size() == 1 ? "" : "s") + " in float" + how
                + (c.floatLayers().isEmpty() ? "" : ": " + String.join(", ", c.floatLayers()));
    }

    // ---- regression ---------------------------------------------------------------------------------------------

    private static RegressionView regression(Results current, Results baseline, String label, double threshold) {
        List<MetricChange> all = Regression.compare(current, baseline, threshold);
        List<Change> changes = new ArrayList<>();
        // flagged first so a reader sees the regressions without scrolling, then in run order
        all.stream().sorted((a, b) -> Boolean.compare(b.flagged(), a.flagged())).forEach(c -> changes.add(new Change(
                c.runKey(), c.metric(), Format.value(c.oldValue()), Double.toString(c.oldValue()),
                Format.value(c.newValue()), Double.toString(c.newValue()),
                Format.signedPercent(c.relativeChange()), Double.toString(c.relativeChange()),
                c.verdict().name().toLowerCase(Locale.ROOT),
                switch (c.verdict()) {
                    case BETTER -> "▲ better";
                    case WORSE -> c.flagged() ? "▼ REGRESSION" : "▼ worse";
                    case UNCHANGED -> "= same";
                },
                c.flagged(), c.flagged() ? "regressed" : c.verdict().name().toLowerCase(Locale.ROOT))));
        List<StatusLine> status = Regression.statusChanges(current, baseline).stream()
                .map(c -> new StatusLine(c.runKey(), c.oldStatus() == null ? "absent" : c.oldStatus(),
                        c.newStatus() == null ? "absent" : c.newStatus(), c.regression()))
                .toList();
        int flagged = (int) all.stream().filter(MetricChange::flagged).count();
        return new RegressionView(label, String.format(Locale.ROOT, "%.1f%%", 100 * threshold), flagged, all.size(),
                changes, status);
    }

    // ---- warnings banner ----------------------------------------------------------------------------------------

    /** The results' own warnings, each once as the harness decided it, then what the report itself found. */
    private void collectWarnings(Results results, List<String> galleryProblems) {
        for (dev.segbench.results.Warning w : results.warnings()) {
            warnings.add(new Warning(w.severity(), label(w.code()), w.text()));
        }
        for (String p : galleryProblems) {
            warnings.add(new Warning("warn", "Gallery", p));
        }
        if (regression != null && regression.flaggedCount() > 0) {
            warnings.add(0, new Warning("danger", "Regression", regression.flaggedCount() + " metric"
                    + (regression.flaggedCount() == 1 ? "" : "s") + " regressed by more than " + regression.threshold()
                    + " against " + regression.baseline() + " (see Regressions)."));
        }
        if (regression != null && regression.statusChanges().stream().anyMatch(StatusLine::regression)) {
            warnings.add(0, new Warning("danger", "Regression", "Runs that were ok in the baseline are now skipped, "
                    + "failed or missing (see Regressions)."));
        }
    }

    /** The banner's label for a warning code; a code this report does not know is shown as a plain warning. */
    static String label(String code) {
        return switch (code == null ? "" : code) {
            case dev.segbench.results.Warning.SEEDED_WEIGHTS -> "Seeded (untrained) weights";
            case dev.segbench.results.Warning.SYNTHETIC_DATA -> "Synthetic data";
            case dev.segbench.results.Warning.BACKEND_SKIPPED -> "Backend skipped";
            case dev.segbench.results.Warning.RUN_FAILED -> "Runs failed";
            case dev.segbench.results.Warning.UNFINISHED -> "Incomplete results";
            case dev.segbench.results.Warning.NO_RESULTS -> "No measurements";
            case dev.segbench.results.Warning.UNSTABLE -> "Unstable measurement";
            case dev.segbench.results.Warning.MEASUREMENT_INVALID -> "Invalid measurement";
            case dev.segbench.results.Warning.RUN_WARNING -> "Run warning";
            case dev.segbench.results.Warning.SAMPLE_SKIPPED -> "Skipped sample";
            case dev.segbench.results.Warning.REFERENCE -> "Reference";
            case dev.segbench.results.Warning.PLUGIN -> "Plugin";
            case dev.segbench.results.Warning.MERGE -> "Merge";
            default -> "Warning";
        };
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static Cell text(String s) {
        String t = Format.orDash(s);
        return new Cell(t, t, false, "");
    }

    private static Cell num(String shown, Double sortValue) {
        return new Cell(shown, sortValue == null || sortValue.isNaN() ? "" : sortValue.toString(), false, "num");
    }

    private static String join(List<String> list) {
        return list == null || list.isEmpty() ? Format.MISSING : String.join(", ", list);
    }

    private static String shortCommit(String s) {
        return s.length() > 12 ? s.substring(0, 12) : s;
    }

    private static String cssToken(String s) {
        return s == null ? "unknown" : s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    private static <T> void addIfPresent(List<T> list, T item) {
        if (item != null) {
            list.add(item);
        }
    }
}
