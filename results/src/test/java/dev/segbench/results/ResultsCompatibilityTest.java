package dev.segbench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.DeviceTimings;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Fields whose shape changed keep reading from results written before the change. */
class ResultsCompatibilityTest {

    @Test
    void deviceTimingsOfOlderResultsStillRead() throws Exception {
        String json = """
                {"schema_version": 2, "runs": [{"model": "m", "backend": "b", "precision": "fp32", "status": "ok",
                  "device_timings_ms": {"h2d": 0.25, "compute": 1.5, "d2h": 0.125}}]}""";
        Results r = ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "old");
        assertEquals(new DeviceTimings(0.25, 1.5, 0.125), r.runs().getFirst().deviceTimingsMs());
    }

    @Test
    void deviceTimingsRoundTripUnderOneName() throws Exception {
        Run run = Run.builder("m", "b", "fp32").status(Run.OK).deviceTimingsMs(new DeviceTimings(0.5, 2, 0.25)).build();
        Results written = new Results(Results.SCHEMA_VERSION, null, null, java.util.List.of(run), null, null);
        String json = new String(ResultsJson.toBytes(written), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"h2d_ms\" : 0.5"), json);
        Results read = ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "new");
        assertEquals(2.0, read.runs().getFirst().deviceTimingsMs().computeMs());
        assertEquals(2.75, read.runs().getFirst().deviceTimingsMs().totalMs(), 1e-12);
    }

    /**
     * A schema-3 file as that code wrote it (each run's first-size summary repeated at the top): the run reads its
     * summary from its first size, the latency statistics derived from that size's histogram, and the sizes keep their
     * own values.
     */
    @Test
    void schema3RunsReadTheSummaryTheyStoredFromTheirFirstSize() throws Exception {
        byte[] bytes;
        try (var in = getClass().getResourceAsStream("/results/schema3.json")) {
            bytes = in.readAllBytes();
        }
        var stored = ResultsJson.mapper().readTree(bytes).get("runs").get(0);
        Run run = ResultsJson.fromBytes(bytes, "schema3").runs().getFirst();
        var m = ResultsJson.mapper();
        assertEquals(stored.get("latency_histogram").asText(), run.latencyHistogram());
        StoredHistogramTest.assertSameLatency(Latencies.stats(Latencies.decode(run.latencyHistogram())), run.latencyMs());
        assertEquals(stored.get("latency_ms").get("count").asLong(), run.latencyMs().count());
        assertEquals(stored.get("measurement").toString(), m.valueToTree(run.measurement()).toString());
        assertEquals(stored.get("throughput").toString(), m.valueToTree(run.throughput()).toString());
        assertEquals(stored.get("device_timings_ms").toString(), m.valueToTree(run.deviceTimingsMs()).toString());
        assertEquals(java.util.List.of("512x512", "256x256"), run.performance().stream().map(PerformanceAtSize::size).toList());
        assertEquals(120.0, run.firstSize().throughput().get(1).imagesPerSecond(), "the size's own cells, with windows");
        assertEquals(2.0, run.firstSize().throughput().get(1).seconds());
        assertEquals(stored.get("performance").get(1).get("latency_histogram").asText(),
                run.performance().get(1).latencyHistogram());
        StoredHistogramTest.assertSameLatency(Latencies.stats(Latencies.decode(run.performance().get(1).latencyHistogram())),
                run.performance().get(1).latencyMs()); // each size's statistics are its own histogram's
        assertEquals(null, run.performance().get(1).deviceTimingsMs(), "device timings were the first size's");
    }

    /** Schema 1: no sizes at all; the run's own fields become its first size, of the settings' performance size. */
    @Test
    void schema1RunsWithoutSizesReadIntoOneSize() throws Exception {
        org.HdrHistogram.Histogram h = Latencies.newHistogram(); // p50 4 ms, p99 (the 396th of 400) 6 ms
        h.recordValueWithCount(4_000, 300);
        h.recordValueWithCount(5_000, 92);
        h.recordValueWithCount(6_000, 6);
        h.recordValueWithCount(7_000, 2);
        String json = """
                {"schema_version": 1, "settings": {"perf_height": 320, "perf_width": 480},
                 "runs": [{"model": "m", "backend": "b", "precision": "fp32", "status": "ok",
                  "latency_ms": {"p50": 4.0, "p90": 5.0, "p95": 5.5, "p99": 6.0, "max": 7.0, "mean": 4.5, "stddev": 0.5,
                                 "count": 400},
                  "latency_histogram": "%s", "throughput": [{"batch": 1, "images_per_second": 250.0},
                                                         {"batch": 8, "images_per_second": 300.0}],
                  "measurement": {"valid": true, "reasons": [], "warmup_seconds": 1, "duration_seconds": 2, "iterations": 400}},
                  {"model": "m", "backend": "c", "precision": "fp32", "status": "failed", "reason": "x", "throughput": []}]}""".formatted(
                Latencies.encode(h));
        Results r = ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "old");
        Run run = r.runs().getFirst();
        assertEquals("320x480", run.firstSize().size());
        assertEquals(6.0, run.latencyMs().p99(), 6e-3, "the 396th of 400, read from the histogram (its bucket's top)");
        assertEquals(4.0, run.latencyMs().p50(), 4e-3);
        assertEquals(Latencies.encode(h), run.latencyHistogram());
        assertEquals(400, run.measurement().iterations());
        assertEquals(java.util.List.of(new Run.Throughput(1, 250.0), new Run.Throughput(8, 300.0)), run.throughput());
        assertEquals(300.0, InFlightThroughput.best(run).imagesPerSecond());
        assertTrue(r.runs().get(1).performance().isEmpty(), "a failed run measured nothing: no size is made up for it");
    }

    /** Schema 4 writes each measurement once: no run-level copy of the first size; and it reads back equal. */
    @Test
    void schema4WritesTheFirstSizeOnce() throws Exception {
        byte[] bytes;
        try (var in = getClass().getResourceAsStream("/results/schema3.json")) {
            bytes = in.readAllBytes();
        }
        Results old = ResultsJson.fromBytes(bytes, "schema3");
        Results now = new Results(Results.SCHEMA_VERSION, old.environment(), old.environments(), old.settings(), old.runs(),
                old.gallery(), old.warnings(), old.classes());
        byte[] written = ResultsJson.toBytes(now);
        var run = ResultsJson.mapper().readTree(written).get("runs").get(0);
        for (String f : java.util.List.of("latency_ms", "latency_histogram", "measurement", "throughput", "device_timings_ms")) {
            assertTrue(!run.has(f), f + " is stored once, in performance: " + run);
        }
        assertEquals(Results.SCHEMA_VERSION, ResultsJson.mapper().readTree(written).get("schema_version").asInt());
        assertEquals(new String(written, StandardCharsets.UTF_8),
                new String(ResultsJson.toBytes(ResultsJson.fromBytes(written, "new")), StandardCharsets.UTF_8));
        assertEquals(old.runs().getFirst().deviceTimingsMs(), ResultsJson.fromBytes(written, "new").runs().getFirst().deviceTimingsMs());
    }

    @Test
    void classesOfOlderResultsAreVocs() throws Exception {
        Results old = ResultsJson.fromBytes("{\"schema_version\": 2, \"runs\": []}".getBytes(StandardCharsets.UTF_8), "old");
        assertEquals(21, old.classes().count());
        assertEquals("aeroplane", old.classes().name(1));
        assertEquals("#800000", old.classes().colours().get(1));
        assertEquals("#e0e0c0", old.classes().ignoreColour());
        assertEquals("class 21", old.classes().name(21));
    }

    /** Schema 4's flat settings read into the one settings value: every option it recorded, in its group. */
    @Test
    void flatSettingsOfSchema4ReadIntoTheOneSettingsValue() throws Exception {
        String json = """
                {"schema_version": 4, "settings": {"models": ["arch0", "arch1"], "backends": ["cpu", "pytorch"],
                  "precisions": ["fp32", "int8"], "dataset": "voc:/data/VOC", "limit": 5, "shard": "1/3",
                  "reference": "cpu:fp32", "batch_sizes": [1, 8], "perf_height": 384, "perf_width": 512,
                  "warmup_seconds": 2.0, "min_duration_seconds": 5.0, "min_iterations": 30, "threads": 2,
                  "cv_threshold": 0.05, "on_bad_sample": "skip", "properties": {"cpu.opt": "all"},
                  "cache_dir": "/tmp/engines", "isolation": "in-process",
                  "load": {"scenarios": ["single-stream", "offline", "server"], "perf_sizes": ["384x512", "256x256"],
                           "in_flight": [1, 2], "arrivals": "uniform", "server_seed": 3, "server_p99_ms": 120.0,
                           "server_min_requests": 400, "offline_threads": "fixed", "server_latency_percentile": 95.0},
                  "gate": "p99-ms<=120", "baseline": "pytorch:fp32",
                  "calibration": {"dataset": "voc:/data/VOC", "split": "train", "method": "minmax", "images": 64,
                                  "fallback": "auto", "target": 0.995}},
                 "runs": []}""";
        Results r = ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "/results/old/results.json");
        var s = r.settings();
        assertEquals(java.util.List.of("arch0", "arch1"), s.selection().models());
        assertEquals(java.util.List.of("fp32", "int8"), s.precisionIds());
        assertEquals(java.util.List.of("cpu", "pytorch"), s.backendsRun());
        assertEquals("cpu:fp32", s.reference());
        assertEquals("pytorch:fp32", s.baseline());
        assertEquals("1/3", s.shard());
        assertEquals("p99-ms<=120", s.gate());
        assertEquals("voc:/data/VOC", s.data().dataset());
        assertEquals(5, s.data().options().limit());
        assertEquals("SKIP", s.data().options().onBadSample().name());
        assertEquals(java.util.List.of(1, 8), s.performance().batchSizes());
        assertEquals(384, s.performance().height());
        assertEquals(2.0, s.performance().warmupSeconds());
        assertEquals(30, s.performance().minIterations());
        assertEquals("384x512,256x256", String.join(",", s.performance().load().perfSizes().stream().map(Object::toString).toList()));
        assertEquals(120.0, s.performance().load().serverP99Ms());
        assertEquals(95.0, s.performance().load().serverLatencyPercentile());
        assertEquals("fixed", s.performance().load().offlineThreads());
        assertEquals(2, s.session().threads());
        assertEquals("all", s.session().properties().get("cpu.opt"));
        assertEquals(java.nio.file.Path.of("/tmp/engines"), s.session().cacheDir());
        assertTrue(s.execution().inProcess());
        assertEquals("train", s.calibration().vocSplit());
        assertEquals(64, s.calibration().images());
        assertEquals("auto", s.calibration().fallback().describe());
        assertEquals(0.995, s.calibration().fallback().target(), 1e-12);
        // and the one value writes and reads back unchanged
        byte[] written = ResultsJson.toBytes(r);
        assertEquals(s, ResultsJson.fromBytes(written, "new").settings());
    }

    /** Older settings that do not make a settings value (a hand-trimmed file): the runs still read, a warning says why. */
    @Test
    void olderSettingsThatCannotBeReadAreAWarningNotALostFile() throws Exception {
        String json = """
                {"schema_version": 4, "settings": {"perf_height": 320}, "runs": []}""";
        Results r = ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "old");
        assertEquals(null, r.settings());
        assertTrue(r.warningTexts().stream().anyMatch(w -> w.startsWith("settings not read:") && w.contains("--models")),
                r.warningTexts().toString());
    }

    /** {@code --reference none} wrote "none" for both reference and baseline; such files keep their settings. */
    @Test
    void schema4SettingsOfACompareWithoutReferenceRead() throws Exception {
        String json = """
                {"schema_version": 4, "settings": {"models": ["arch0"], "backends": ["cpu"], "precisions": ["fp32"],
                  "dataset": "synthetic:8", "shard": "2/3", "reference": "none", "baseline": "none",
                  "batch_sizes": [1], "perf_height": 64, "perf_width": 64, "warmup_seconds": 1, "min_duration_seconds": 2,
                  "min_iterations": 10, "threads": 0, "cv_threshold": 0.05, "on_bad_sample": "fail"},
                 "runs": []}""";
        Results r = ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "old");
        assertTrue(r.warningTexts().isEmpty(), r.warningTexts().toString());
        assertEquals("none", r.settings().reference());
        assertEquals("none", r.settings().baseline());
        assertEquals(null, r.settings().selection().reference(), "no reference run");
        assertEquals("2/3", r.settings().data().shard().toString(), "the shard the file evaluated");
        assertTrue(r.settings().execution().inProcess(), "files without isolation ran every run in one process");
    }

    /** A file of a newer schema is refused for its version, not for a value this build does not know. */
    @Test
    void aNewerSchemaIsRefusedForItsVersion() {
        String json = """
                {"schema_version": 99, "settings": {"selection": {}, "performance": {"load": {"scenarios": ["burst"]}}},
                 "runs": []}""";
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "new.json"));
        assertEquals("new.json: schema_version 99 is not supported (this segbench reads 1 to " + Results.SCHEMA_VERSION
                + ")", e.getMessage());
    }
}
