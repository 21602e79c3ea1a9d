package dev.segbench.harness.results;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.segbench.api.io.AtomicFiles;
import dev.segbench.results.PercentileIntervals;
import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.PerformanceAtSize;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.results.Server;
import dev.segbench.harness.gate.GateEvaluator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Writes the files of a results folder: results.json, summary.csv and the end-to-end latency histograms. */
public final class ResultsFiles {

    public static final String SUMMARY = "summary.csv";
    /** Run key to compressed end-to-end latency histogram; results.json has room only for the batch-1 one. */
    public static final String END_TO_END_HISTOGRAMS = "end-to-end-histograms.json";

    private static final List<String> COLUMNS = List.of("model", "backend", "precision", "status", "reason",
            "weights", "dataset", "images", "calibration_dataset", "calibration_method", "calibration_images", "miou", "pixel_accuracy", "mean_class_accuracy", "fw_iou",
            "pixel_agreement", "miou_vs_reference", "p50_ms", "p90_ms", "p99_ms", "mean_ms", "cv",
            "e2e_p50_ms", "best_images_per_s", "best_batch", "pipeline_images_per_s", "model_images_per_s",
            "valid", "open_s", "build_s", "peak_rss_bytes", "device_memory_bytes", "reused", "environment",
            "unstable", "robust_spread", "p50_ci95_lo_ms", "p50_ci95_hi_ms", "p99_ci95_lo_ms", "p99_ci95_hi_ms",
            "best_in_flight", "max_qps", "p99_bound_ms", "best_threads_per_request", "one_request_images_per_s",
            "best_gain", "baseline", "speedup_latency", "speedup_throughput", "gate");

    private ResultsFiles() {
    }

    public static void write(Path out, Results results, Map<String, String> endToEndHistograms) throws IOException {
        Files.createDirectories(out);
        ResultsJson.write(out, results);
        AtomicFiles.writeString(out.resolve(SUMMARY), summaryCsv(results.runs()));
        AtomicFiles.write(out.resolve(END_TO_END_HISTOGRAMS),
                ResultsJson.mapper().writeValueAsBytes(new TreeMap<>(endToEndHistograms)));
    }

    public static Map<String, String> readEndToEndHistograms(Path dir) throws IOException {
        Path f = dir.resolve(END_TO_END_HISTOGRAMS);
        if (!Files.isRegularFile(f)) {
            return Map.of();
        }
        return ResultsJson.mapper().readValue(f.toFile(), new TypeReference<Map<String, String>>() { });
    }

    /** One row per run; RFC 4180 quoting written here because it is five lines, not worth a CSV library. */
    public static String summaryCsv(List<Run> runs) {
        StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (Run r : runs) {
            InFlightThroughput best = InFlightThroughput.best(r);
            Run.Resources res = r.resources() == null ? new Run.Resources(null, null, null, null) : r.resources();
            List<Object> row = List.of(r.model(), r.backend(), r.precision(), r.status(), opt(r.reason()),
                    r.weights() == null ? "" : r.weights().kind(),
                    r.dataset() == null ? "" : r.dataset().name(), r.dataset() == null ? "" : r.dataset().images(),
                    r.calibration() == null ? "" : r.calibration().dataset(),
                    r.calibration() == null ? "" : r.calibration().method(),
                    r.calibration() == null ? "" : r.calibration().images(),
                    r.accuracy() == null ? "" : num(r.accuracy().miou()),
                    r.accuracy() == null ? "" : num(r.accuracy().pixelAccuracy()),
                    r.accuracy() == null ? "" : num(r.accuracy().meanClassAccuracy()),
                    r.accuracy() == null ? "" : num(r.accuracy().fwIou()),
                    r.agreement() == null ? "" : num(r.agreement().pixelAgreement()),
                    r.agreement() == null ? "" : num(r.agreement().miouVsReference()),
                    r.latencyMs() == null ? "" : num(r.latencyMs().p50()),
                    r.latencyMs() == null ? "" : num(r.latencyMs().p90()),
                    r.latencyMs() == null || r.latencyMs().p99() == null ? "" : num(r.latencyMs().p99()),
                    r.latencyMs() == null ? "" : num(r.latencyMs().mean()),
                    r.latencyMs() == null || r.latencyMs().cv() == null ? "" : num(r.latencyMs().cv()),
                    r.endToEndLatencyMs() == null ? "" : num(r.endToEndLatencyMs().p50()),
                    best == null ? "" : num(best.imagesPerSecond()), best == null ? "" : best.batch(),
                    r.accuracyPass() == null ? "" : num(r.accuracyPass().imagesPerSecond()),
                    r.accuracyPass() == null ? "" : num(r.accuracyPass().modelImagesPerSecond()),
                    r.measurement() == null ? "" : !dev.segbench.results.Stability.invalid(r), // a high CV alone is not invalid
                    res.openSeconds() == null ? "" : num(res.openSeconds()),
                    res.buildSeconds() == null ? "" : num(res.buildSeconds()),
                    res.peakRssBytes() == null ? "" : res.peakRssBytes(),
                    res.deviceMemoryBytes() == null ? "" : res.deviceMemoryBytes(),
                    r.reused(), r.environment() == null ? "" : r.environment());
            row = new java.util.ArrayList<>(row);
            row.addAll(scenarioCells(r, best));
            Run.OfflineBest ob = r.offlineBest();
            Run.Speedup up = r.speedup();
            // before the gate, which stays the last column
            row.addAll(row.size() - 1, List.of(best == null || best.threadsPerRequest() == null ? "" : best.threadsPerRequest(),
                    ob == null || ob.oneRequestImagesPerSecond() == null ? "" : num(ob.oneRequestImagesPerSecond()),
                    ob == null || ob.gain() == null ? "" : num(ob.gain()),
                    up == null ? "" : up.baseline(), up == null || up.latency() == null ? "" : num(up.latency()),
                    up == null || up.throughput() == null ? "" : num(up.throughput())));
            StringBuilder line = new StringBuilder();
            for (Object cell : row) {
                if (!line.isEmpty()) {
                    line.append(',');
                }
                line.append(quote(String.valueOf(cell)));
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /**
     * The first performance size's unstable flag and spread, 95% intervals, best in-flight, server max_qps and
     * bound, and the gate ("pass", "fail: ...", or empty without a gate).
     */
    private static List<Object> scenarioCells(Run r, InFlightThroughput best) {
        PerformanceAtSize first = r.performance().isEmpty() ? null : r.performance().getFirst();
        PercentileIntervals ci = first == null ? null : first.latencyCi95Ms();
        Server server = first == null ? null : first.server();
        Run.Measurement m = r.measurement();
        return List.of(m == null || m.unstable() == null ? "" : m.unstable(),
                m == null || m.robustSpread() == null ? "" : num(m.robustSpread()),
                ci == null || ci.p50() == null ? "" : num(ci.p50().lo()), ci == null || ci.p50() == null ? "" : num(ci.p50().hi()),
                ci == null || ci.p99() == null ? "" : num(ci.p99().lo()), ci == null || ci.p99() == null ? "" : num(ci.p99().hi()),
                best == null ? "" : best.inFlight(),
                server == null || server.maxQps() == null ? "" : num(server.maxQps()),
                server == null || server.p99BoundMs() == null ? "" : num(server.p99BoundMs()),
                r.gate() == null ? "" : GateEvaluator.summary(r.gate()));
    }

    private static String opt(String s) {
        return s == null ? "" : s;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    static String quote(String cell) {
        if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) {
            return cell;
        }
        return '"' + cell.replace("\"", "\"\"") + '"';
    }
}
