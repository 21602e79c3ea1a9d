package dev.segbench.reports;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.results.Environment;
import dev.segbench.api.results.Results;
import dev.segbench.api.results.Run;
import dev.segbench.api.results.Settings;
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

    ReportModel(Results results, Path resultsDir, Results baseline, String baselineLabel, double threshold) {
        Settings s = results.settings();
        String reference = s == null || s.reference() == null ? null : s.reference();
        this.referenceLabel = reference == null ? "none recorded" : reference;
        List<Run> runs = results.runs();
        List<Run> ok = runs.stream().filter(Run::ok).toList();
        this.title = "segbench report";
        Environment env = results.environment();
        this.subtitle = runs.size() + " run" + (runs.size() == 1 ? "" : "s") + " (" + ok.size() + " ok)"
                + (env != null && env.gitCommit() != null ? " · commit " + shortCommit(env.gitCommit()) : "")
                + (s != null && s.dataset() != null ? " · dataset " + s.dataset() : "");
        this.headline = headline(runs, reference);
        this.details = details(runs, s, results.environments().size() > 1);
        addIfPresent(charts, Charts.latencyCdf(ok));
        addIfPresent(charts, Charts.throughput(ok));
        addIfPresent(charts, Charts.accuracyVsLatency(ok));
        addIfPresent(charts, Charts.perClassIou(ok, results.classes()));
        int n = 0;
        for (Run r : confusionRuns(ok, reference)) {
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

    private static Table headline(List<Run> runs, String reference) {
        List<Header> headers = List.of(
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
                new Header("Best throughput (img/s)", "highest images per second over the batch sizes tried, with that batch", true),
                new Header("Speed-up", "reference run's p50 / this run's p50, same model; higher is better", true),
                new Header("Notes", null, false));
        List<Function<Run, Double>> numeric = List.of(
                r -> r.accuracy() == null ? null : r.accuracy().miou(),
                r -> r.accuracy() == null ? null : r.accuracy().pixelAccuracy(),
                r -> r.agreement() == null || isReference(r, reference) ? null : r.agreement().pixelAgreement(),
                r -> r.latencyMs() == null ? null : -r.latencyMs().p50(),
                r -> r.latencyMs() == null ? null : -r.latencyMs().p99(),
                r -> bestThroughput(r) == null ? null : bestThroughput(r).imagesPerSecond(),
                r -> speedUp(r, runs, reference));
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
            List<Cell> cells = new ArrayList<>();
            cells.add(text(r.model()));
            cells.add(text(r.backend()));
            cells.add(text(r.precision()));
            cells.add(new Cell(Format.orDash(r.status()), Format.orDash(r.status()), false, "status-" + cssToken(r.status())));
            Run.Throughput top = bestThroughput(r);
            Double speed = speedUp(r, runs, reference);
            String[] shown = {
                Format.percent(r.accuracy() == null ? null : r.accuracy().miou()),
                Format.percent(r.accuracy() == null ? null : r.accuracy().pixelAccuracy()),
                isReference(r, reference) && r.ok() ? "reference"
                        : Format.percent(r.agreement() == null ? null : r.agreement().pixelAgreement()),
                Format.ms(r.latencyMs() == null ? null : r.latencyMs().p50()),
                Format.ms(r.latencyMs() == null ? null : r.latencyMs().p99()),
                top == null ? Format.MISSING : Format.number(top.imagesPerSecond(), 1) + " (batch " + top.batch() + ")",
                speed == null ? Format.MISSING : Format.number(speed, 2) + "×",
            };
            for (int c = 0; c < numeric.size(); c++) {
                Double v = r.ok() ? numeric.get(c).apply(r) : null;
                boolean isBest = v != null && best.get(c) != null && v.doubleValue() == best.get(c).doubleValue();
                String sort = v == null || v.isNaN() ? "" : Double.toString(c == 3 || c == 4 ? -v : v);
                cells.add(new Cell(isBest ? shown[c] + " ★" : shown[c], sort, isBest, "num"));
            }
            cells.add(text(notes(r)));
            rows.add(new TableRow(r.ok() ? "run-ok" : "run-" + cssToken(r.status()), cells));
        }
        return new Table(headers, rows);
    }

    private static String notes(Run r) {
        List<String> notes = new ArrayList<>();
        if (!r.ok()) {
            notes.add(Format.orDash(r.status()) + ": " + Format.orDash(r.reason()));
        }
        if (r.reused()) {
            notes.add("reused from an earlier run (--resume)");
        }
        if (r.weights() != null && "seeded".equals(r.weights().kind())) {
            notes.add("seeded weights");
        }
        if (r.dataset() != null && r.dataset().synthetic()) {
            notes.add("synthetic data");
        }
        if (r.measurement() != null && !r.measurement().valid()) {
            notes.add("unstable measurement");
        }
        return String.join("; ", notes);
    }

    static Run.Throughput bestThroughput(Run r) {
        Run.Throughput best = null;
        for (Run.Throughput t : r.throughput()) {
            if (Double.isFinite(t.imagesPerSecond()) && (best == null || t.imagesPerSecond() > best.imagesPerSecond())) {
                best = t;
            }
        }
        return best;
    }

    /** Reference p50 / this p50 for the same model; null without a usable reference run. */
    static Double speedUp(Run r, List<Run> runs, String reference) {
        if (!r.ok() || r.latencyMs() == null || r.latencyMs().p50() <= 0) {
            return null;
        }
        for (Run ref : runs) {
            if (ref.ok() && Objects.equals(ref.model(), r.model()) && isReference(ref, reference)
                    && ref.latencyMs() != null && ref.latencyMs().p50() > 0) {
                return ref.latencyMs().p50() / r.latencyMs().p50();
            }
        }
        return null;
    }

    /** Whether the run is the reference run ("backend:precision", or "backend" alone) of its model. */
    static boolean isReference(Run r, String reference) {
        if (reference == null) {
            return false;
        }
        int colon = reference.indexOf(':');
        String backend = colon < 0 ? reference : reference.substring(0, colon);
        String precision = colon < 0 ? null : reference.substring(colon + 1);
        return backend.equals(r.backend()) && (precision == null || precision.equals(r.precision()));
    }

    private static List<Run> confusionRuns(List<Run> ok, String reference) {
        Map<String, Run> byModel = new LinkedHashMap<>();
        for (Run r : ok) {
            if (isReference(r, reference) && r.accuracy() != null && r.accuracy().confusionMatrix() != null) {
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
                new Header("Device memory", "device memory the session held, where the backend reports it", true)));
        if (severalMachines) {
            headers.add(1, new Header("Machine", "the environment the run was measured on (see Environment)", false));
        }
        double cvThreshold = s == null ? Double.NaN : s.cvThreshold();
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
                    + (d.synthetic() ? " (synthetic)" : "") + (d.skipped().isEmpty() ? "" : ", " + d.skipped().size() + " skipped")));
            Run.Latency l = r.latencyMs();
            cells.add(num(l == null ? Format.MISSING : Format.ms(l.mean()) + " ± " + Format.ms(l.stddev()), l == null ? null : l.mean()));
            Double cv = l == null ? null : l.cv() != null ? l.cv() : l.mean() > 0 ? l.stddev() / l.mean() : null;
            boolean cvHigh = cv != null && !Double.isNaN(cvThreshold) && cvThreshold > 0 && cv > cvThreshold;
            cells.add(new Cell(Format.percent(cv) + (cvHigh ? " ⚠" : ""), cv == null ? "" : cv.toString(), false,
                    cvHigh ? "num flag" : "num"));
            cells.add(num(l == null ? Format.MISSING : Long.toString(l.count()), l == null ? null : (double) l.count()));
            Run.Measurement m = r.measurement();
            cells.add(new Cell(m == null ? Format.MISSING : m.valid() ? "valid" : "INVALID ⚠: " + String.join("; ", m.reasons()),
                    m == null ? "" : m.valid() ? "1" : "0", false, m != null && !m.valid() ? "flag" : ""));
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
            rows.add(new TableRow(r.ok() ? "run-ok" : "run-" + cssToken(r.status()), cells));
        }
        return new Table(headers, rows);
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
        kv.add(new KeyValue("Models", join(s.models())));
        kv.add(new KeyValue("Backends", join(s.backends())));
        kv.add(new KeyValue("Precisions", join(s.precisions())));
        kv.add(new KeyValue("Dataset", Format.orDash(s.dataset())));
        kv.add(new KeyValue("Sample limit", s.limit() > 0 ? Integer.toString(s.limit()) : "none"));
        kv.add(new KeyValue("Shard", Format.orDash(s.shard())));
        kv.add(new KeyValue("Reference", Format.orDash(s.reference())));
        kv.add(new KeyValue("Batch sizes", s.batchSizes() == null ? Format.MISSING
                : s.batchSizes().stream().map(String::valueOf).collect(Collectors.joining(", "))));
        kv.add(new KeyValue("Performance input", s.perfHeight() + " × " + s.perfWidth()));
        kv.add(new KeyValue("Warm-up", Format.number(s.warmupSeconds(), 1) + " s"));
        kv.add(new KeyValue("Minimum duration", Format.number(s.minDurationSeconds(), 1) + " s"));
        kv.add(new KeyValue("Minimum iterations", Integer.toString(s.minIterations())));
        kv.add(new KeyValue("Threads", s.threads() > 0 ? Integer.toString(s.threads()) : "default"));
        kv.add(new KeyValue("CV threshold", Format.percent(s.cvThreshold()) + " %"));
        kv.add(new KeyValue("On bad sample", Format.orDash(s.onBadSample())));
        kv.add(new KeyValue("Engine cache", s.cacheDir() == null ? "none" : s.cacheDir()));
        kv.add(new KeyValue("Isolation", Format.orDash(s.isolation())));
        s.properties().forEach((k, v) -> kv.add(new KeyValue("Property " + k, v)));
        return kv;
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

    private void collectWarnings(Results results, List<String> galleryProblems) {
        List<Run> runs = results.runs();
        if (runs.isEmpty()) {
            warnings.add(new Warning("danger", "No runs", "results.json contains no runs."));
        } else if (runs.stream().noneMatch(Run::ok)) {
            warnings.add(new Warning("danger", "No successful runs", "Every run was skipped or failed; there are no measurements."));
        }
        Map<String, List<String>> seeded = new LinkedHashMap<>();
        for (Run r : runs) {
            if (r.weights() != null && "seeded".equals(r.weights().kind())) {
                seeded.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r.key());
            }
        }
        if (!seeded.isEmpty()) {
            warnings.add(new Warning("danger", "Seeded (untrained) weights",
                    "Model" + (seeded.size() > 1 ? "s " : " ") + String.join(", ", seeded.keySet())
                            + " ran with seeded (untrained) weights: accuracy numbers (mIoU, pixel accuracy) say nothing "
                            + "about the real model; speed numbers are still valid. Runs: " + describe(flatten(seeded), runs.size())
                            + "."));
        }
        Map<String, List<String>> synthetic = new LinkedHashMap<>();
        for (Run r : runs) {
            if (r.dataset() != null && r.dataset().synthetic()) {
                synthetic.computeIfAbsent(Format.orDash(r.dataset().name()), k -> new ArrayList<>()).add(r.key());
            }
        }
        synthetic.forEach((name, keys) -> warnings.add(new Warning("danger", "Synthetic data",
                "Dataset " + name + " is synthetic: accuracy is not comparable with PASCAL VOC results. Runs: "
                        + describe(keys, runs.size()) + ".")));
        List<String> unfinished = runs.stream().filter(r -> !r.finished()).map(Run::key).toList();
        if (!unfinished.isEmpty()) {
            long interrupted = runs.stream().filter(r -> Run.INTERRUPTED.equals(r.status())).count();
            warnings.add(new Warning("danger", "Incomplete results", unfinished.size() + " of " + runs.size()
                    + " runs did not finish (" + interrupted + " interrupted, " + (unfinished.size() - interrupted)
                    + " pending): " + describe(unfinished, runs.size())
                    + ". Run the same compare with --resume to finish them; finished runs are reused."));
        }
        Map<String, List<String>> notRun = new LinkedHashMap<>();
        for (Run r : runs) {
            if (!r.ok() && r.finished()) {
                notRun.computeIfAbsent(Format.orDash(r.status()) + "\u0000" + Format.orDash(r.backend()) + "\u0000"
                        + Format.orDash(r.reason()), k -> new ArrayList<>()).add(r.key());
            }
        }
        notRun.forEach((k, keys) -> {
            String[] parts = k.split("\u0000", -1);
            boolean failed = Run.FAILED.equals(parts[0]);
            warnings.add(new Warning(failed ? "danger" : "warn", failed ? "Backend failed" : "Backend skipped",
                    "Backend " + parts[1] + " " + parts[0] + " (" + describe(keys, runs.size()) + "): " + parts[2]));
        });
        double cvThreshold = results.settings() == null ? Double.NaN : results.settings().cvThreshold();
        for (Run r : runs) {
            Run.Latency l = r.latencyMs();
            Double cv = l == null ? null : l.cv();
            boolean cvHigh = cv != null && cvThreshold > 0 && cv > cvThreshold;
            if (r.measurement() != null && !r.measurement().valid()) {
                String reasons = String.join("; ", r.measurement().reasons());
                warnings.add(new Warning("warn", "Unstable measurement", r.key() + ": "
                        + (reasons.isEmpty() ? "measurement rules not met" : reasons)
                        + (cvHigh && !reasons.contains("CV")
                        ? String.format(Locale.ROOT, " (CV %.1f%% > %.1f%%)", 100 * cv, 100 * cvThreshold) : "")));
            } else if (cvHigh) {
                warnings.add(new Warning("warn", "Unstable measurement", String.format(Locale.ROOT,
                        "%s: latency CV %.1f%% is above the %.1f%% threshold", r.key(), 100 * cv, 100 * cvThreshold)));
            }
        }
        Map<String, List<String>> skippedSamples = new LinkedHashMap<>();
        for (Run r : runs) {
            if (r.dataset() != null) {
                for (Run.Skipped sk : r.dataset().skipped()) {
                    skippedSamples.computeIfAbsent(Format.orDash(sk.id()) + "\u0000" + Format.orDash(sk.reason()),
                            k -> new ArrayList<>()).add(r.key());
                }
            }
        }
        skippedSamples.forEach((k, keys) -> {
            String[] parts = k.split("\u0000", -1);
            warnings.add(new Warning("warn", "Skipped sample", "Sample " + parts[0] + " skipped (" + describe(keys, runs.size())
                    + "): " + parts[1]));
        });
        for (Run r : runs) {
            List<String> reasons = r.measurement() == null ? List.of() : r.measurement().reasons();
            // the harness often repeats a measurement verdict as a run warning: say it once
            r.warnings().stream().filter(w -> !reasons.contains(w)).distinct()
                    .forEach(w -> warnings.add(new Warning("warn", "Run warning", r.key() + ": " + w)));
        }
        for (String w : results.warnings()) {
            warnings.add(new Warning("warn", "Warning", w));
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

    private static List<String> flatten(Map<String, List<String>> groups) {
        return groups.values().stream().flatMap(List::stream).toList();
    }

    private static String describe(List<String> keys, int total) {
        return keys.size() == total && total > 1 ? "all " + total + " runs" : String.join(", ", keys);
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
