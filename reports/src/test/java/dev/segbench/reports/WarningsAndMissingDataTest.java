package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarningsAndMissingDataTest {

    @TempDir
    Path dir;

    @Test
    void skippedBackendSeededModelAndSkippedSampleAllShowInTheBanner() throws IOException {
        Random rnd = new Random(5);
        Run cpu = SampleResults.run("arch1", "cpu", "fp32", rnd);
        Run seeded = cpu.toBuilder().weights(new Run.Weights("seeded", "seeded:42"))
                .dataset(new Run.DatasetSummary("voc2012-val", 1448, false,
                        List.of(new Run.Skipped("2008_000123", "cannot decode JPEG: premature end of file"))))
                .deviceTimingsMs(null).warnings(List.of()).latencyHistogram(null).build();
        Run trt = Run.notRun("arch1", "tensorrt", "fp16", Run.SKIPPED, "libnvinfer.so.10 not found");
        ResultsJson.write(dir, SampleResults.results(List.of(seeded, trt), List.of(), List.of("merged from 2 shards")));

        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");

        String banner = doc.select("#warnings[role=alert]").text();
        assertTrue(banner.contains("untrained seeded weights for arch1"), banner);
        assertTrue(banner.contains("arch1"), banner);
        assertTrue(banner.contains("backend tensorrt skipped"), banner);
        assertTrue(banner.contains("libnvinfer.so.10 not found"), banner);
        assertTrue(banner.contains("sample 2008_000123 skipped"), banner);
        assertTrue(banner.contains("cannot decode JPEG: premature end of file"), banner);
        assertTrue(banner.contains("merged from 2 shards"), banner);
        // the banner comes before the numbers
        assertTrue(doc.html().indexOf("id=\"warnings\"") < doc.html().indexOf("id=\"headline\""));
        // the skipped run is in the table with its reason
        assertTrue(doc.select("#headline tr.run-skipped").text().contains("libnvinfer.so.10 not found"));
    }

    @Test
    void syntheticDataAndUnstableMeasurementsAreWarnedAbout() throws IOException {
        Random rnd = new Random(9);
        Run r = SampleResults.run("arch0", "cpu", "fp32", rnd);
        Run.Latency l = r.latencyMs();
        Run unstable = Run.builder(r.model(), r.backend(), r.precision()).weights(r.weights())
                .dataset(new Run.DatasetSummary("synthetic:16", 16, true, List.of())).accuracy(r.accuracy())
                .agreement(r.agreement())
                .latencyMs(new Run.Latency(l.p50(), l.p90(), l.p95(), l.p99(), l.max(), l.mean(), l.stddev(), l.count(),
                        l.min(), 0.18, l.cdf()))
                .throughput(r.throughput())
                .measurement(new Run.Measurement(true, List.of(), 2, 5, 900, true, 0.18, null, 0.05))
                .warnings(List.of("CPU frequency scaling is on")).build();
        ResultsJson.write(dir, SampleResults.results(List.of(unstable), List.of(), List.of()));

        String banner = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8").select("#warnings").text();

        assertTrue(banner.contains("Synthetic data"), banner);
        assertTrue(banner.contains("synthetic:16"), banner);
        assertTrue(banner.contains("Unstable measurement"), banner);
        assertTrue(banner.contains("arch0/cpu/fp32 CV 18.0%"), banner);
        // a high CV alone makes a measurement unstable, not invalid
        assertTrue(!banner.contains("Invalid measurement"), banner);
        assertTrue(banner.contains("CPU frequency scaling is on"), banner);
    }

    @Test
    void aRunWarningThatRepeatsTheMeasurementVerdictIsShownOnce() throws IOException {
        Run r = SampleResults.run("arch0", "cpu", "fp32", new Random(2));
        String verdict = "warm-up skipped (--warmup 0)";
        Run unstable = Run.builder(r.model(), r.backend(), r.precision()).weights(r.weights()).dataset(r.dataset())
                .accuracy(r.accuracy()).agreement(r.agreement()).latencyMs(r.latencyMs()).throughput(r.throughput())
                .measurement(new Run.Measurement(false, List.of(verdict), 2, 5, 30)).warnings(List.of(verdict)).build();
        ResultsJson.write(dir, SampleResults.results(List.of(unstable), List.of(), List.of()));

        String banner = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8").select("#warnings").text();

        assertEquals(1, banner.split(java.util.regex.Pattern.quote(verdict), -1).length - 1, banner);
    }

    @Test
    void seededAccuracyIsNotApplicableAndStaysOutOfTheAccuracyCharts() throws IOException {
        Random rnd = new Random(11);
        Run trained = SampleResults.run("arch0", "cpu", "fp32", rnd);
        Run seededRef = SampleResults.run("arch1", "cpu", "fp32", rnd).toBuilder()
                .weights(new Run.Weights("seeded", "seeded:42")).build();
        Run seededFp16 = SampleResults.run("arch1", "cpu", "fp16", rnd).toBuilder()
                .weights(new Run.Weights("seeded", "seeded:42")).build();
        ResultsJson.write(dir, SampleResults.results(List.of(trained, seededRef, seededFp16), List.of(), List.of()));

        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");

        List<String> headers = doc.select("#headline thead th").eachText();
        int miou = headers.indexOf("mIoU (%)");
        int pixel = headers.indexOf("Pixel acc. (%)");
        int agreement = headers.indexOf("Agreement (%)");
        var rows = doc.select("#headline tbody tr");
        assertTrue(rows.get(0).child(miou).text().matches("[0-9.]+.*"), rows.get(0).text());
        for (int i = 1; i <= 2; i++) {
            assertEquals("n/a (seeded)", rows.get(i).child(miou).text(), rows.get(i).text());
            assertEquals("n/a (seeded)", rows.get(i).child(pixel).text(), rows.get(i).text());
        }
        assertTrue(rows.get(2).child(agreement).text().matches("[0-9.]+.*"), "agreement stays: " + rows.get(2).text());
        // the accuracy charts name only the trained run
        String pareto = doc.select("#chart-pareto").outerHtml() + doc.select("#chart-iou").outerHtml();
        assertTrue(pareto.contains("arch0/cpu/fp32"), pareto);
        assertFalse(pareto.contains("arch1/cpu/fp16") || pareto.contains("arch1/cpu/fp32"), pareto);
    }

    @Test
    void skippedRunsOfOneBackendAndReasonAreOneHeadlineRowAndEveryDetailsRow() throws IOException {
        List<Run> runs = new ArrayList<>(List.of(SampleResults.run("arch0", "cpu", "fp32", new Random(3))));
        for (String m : SampleResults.MODELS) {
            for (String p : List.of("fp32", "fp16")) {
                runs.add(Run.notRun(m, "tensorrt", p, Run.SKIPPED, "no NVIDIA driver: libcuda.so.1 not found"));
            }
        }
        ResultsJson.write(dir, SampleResults.results(runs, List.of(), List.of()));

        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");

        assertEquals(2, doc.select("#headline tbody tr").size());
        String skipped = doc.select("#headline tbody tr.run-skipped").text();
        assertTrue(skipped.contains("skipped (6 runs)") && skipped.contains("no NVIDIA driver: libcuda.so.1 not found"), skipped);
        assertEquals(6, doc.select("#details tbody tr.run-skipped").size());
        String banner = doc.select("#warnings").text();
        assertEquals(1, banner.split("no NVIDIA driver", -1).length - 1, banner);
    }

    /**
     * The speed-up column shows each run's recorded speed-up against its baseline (settings.baseline), not a
     * computation of its own against the reference, and the best-throughput column names the configuration.
     */
    @Test
    void theSpeedUpColumnIsTheRecordedOneAgainstTheBaseline() throws IOException {
        Random rnd = new Random(9);
        Run torch = SampleResults.run("arch0", "tensorrt", "fp32", rnd);
        Run ort = SampleResults.run("arch0", "cpu", "fp32", rnd).toBuilder()
                .speedup(new Run.Speedup("tensorrt:fp32", 2.5, 1.75)).build();
        Results base = SampleResults.results(List.of(ort, torch), List.of(), List.of());
        dev.segbench.results.settings.Settings s = base.settings();
        dev.segbench.results.settings.Settings withBaseline = s.withRecorded(new dev.segbench.results.settings.Settings.Recorded(
                null, s.recorded().backends(), s.reference(), "tensorrt:fp32", s.shard(), null));
        ResultsJson.write(dir, new Results(base.schemaVersion(), base.environment(), base.environments(), withBaseline,
                base.runs(), base.gallery(), base.warnings(), base.classes()));

        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");

        List<String> headers = doc.select("#headline thead th").eachText();
        int speedUp = headers.indexOf("Speed-up");
        List<String> cells = doc.select("#headline tbody td:eq(" + speedUp + ")").eachText();
        assertTrue(cells.get(0).startsWith("2.50× / 1.75×"), cells.toString());
        assertEquals("baseline", cells.get(1));
        assertTrue(doc.select("#headline thead th").get(speedUp).attr("title").contains("tensorrt:fp32"),
                doc.select("#headline thead").html());
        assertTrue(doc.text().contains("speed-up against: tensorrt:fp32"), "the note above the table names the baseline");
        int best = headers.indexOf("Best throughput (img/s)");
        String top = doc.select("#headline tbody td:eq(" + best + ")").eachText().get(0);
        assertTrue(top.matches("[0-9.]+ \\((\\d+t×)?\\d+×b\\d+.*\\).*"), top);
    }

    @Test
    void noBestMarkWhenAllRunsTie() throws IOException {
        // three models, each only its own cpu:fp32 reference: every speed-up is 1.00x
        Random rnd = new Random(8);
        List<Run> runs = SampleResults.MODELS.stream().map(m -> SampleResults.run(m, "cpu", "fp32", rnd)).toList();
        ResultsJson.write(dir, SampleResults.results(runs, List.of(), List.of()));

        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");

        int speedUp = doc.select("#headline thead th").eachText().indexOf("Speed-up");
        assertTrue(doc.select("#headline tbody td:eq(" + speedUp + ")").stream().noneMatch(td -> td.hasClass("best")));
        assertEquals(1, doc.select("#headline tbody td.best").stream()
                .filter(td -> td.elementSiblingIndex() == doc.select("#headline thead th").eachText().indexOf("mIoU (%)"))
                .count());
    }

    @Test
    void onlySkippedRunsStillRender() throws IOException {
        List<Run> runs = List.of(Run.notRun("arch0", "tensorrt", "fp16", Run.SKIPPED, "no NVIDIA driver"),
                Run.notRun("arch0", "cuda", "fp32", Run.FAILED, "cuDNN 9 not found"));
        // written by an older segbench (schema 2, no warnings): the reader derives them once
        ResultsJson.write(dir, new Results(2, null, null, runs, null, null));

        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");

        assertEquals(2, doc.select("#headline tbody tr").size());
        assertTrue(doc.select("svg").isEmpty(), "no data, no charts");
        assertTrue(doc.select("#warnings").text().contains("every run was skipped or failed"));
        assertTrue(doc.select("#warnings").text().contains("backend cuda failed (arch0/cuda/fp32): cuDNN 9 not found"));
        assertTrue(doc.text().contains("not recorded"), "missing environment/settings are said to be missing");
        assertEquals(List.of(), ExternalReferences.find(doc));
    }

    @Test
    void emptyResultsRender() throws IOException {
        ResultsJson.write(dir, new Results(Results.SCHEMA_VERSION, null, null, null, null,
                dev.segbench.results.Warnings.fromRuns(List.of(), null)));
        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");
        assertTrue(doc.select("#warnings").text().contains("no runs"));
        assertTrue(doc.select("#headline tbody tr").isEmpty());
    }

    @Test
    void runWithoutLatencyAndMissingGalleryFilesStillRender() throws IOException {
        Random rnd = new Random(1);
        Run full = SampleResults.run("arch2", "cpu", "fp32", rnd);
        Run accuracyOnly = Run.builder("arch2", "tensorrt", "fp16").weights(full.weights()).dataset(full.dataset())
                .accuracy(full.accuracy()).agreement(full.agreement()).build();
        List<Run> runs = List.of(full, accuracyOnly);
        List<GalleryEntry> gallery = new ArrayList<>(SampleResults.writeGallery(dir, 1, runs, 2));
        gallery.add(new GalleryEntry("2009_000001", "gallery/gone.png", null,
                Map.of(full.key(), "gallery/also-gone.png")));
        Files.writeString(dir.resolve("gallery/not-an-image.png"), "hello");
        gallery.add(new GalleryEntry("2009_000002", null, "gallery/not-an-image.png", null));
        ResultsJson.write(dir, SampleResults.results(runs, gallery, List.of()));

        Document doc = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");

        assertEquals(3, doc.select("#gallery .gallery-row").size());
        String banner = doc.select("#warnings").text();
        assertTrue(banner.contains("gallery/gone.png"), banner);
        assertTrue(banner.contains("gallery/also-gone.png"), banner);
        assertTrue(banner.contains("gallery/not-an-image.png"), banner);
        assertFalse(doc.select("#gallery .missing").isEmpty());
        assertTrue(doc.select("#gallery .missing").stream().allMatch(e -> !e.attr("aria-label").isBlank()));
        // the accuracy-only run is in the table with dashes, and charts that need latency show the other run
        assertTrue(doc.select("#headline tbody tr").get(1).text().contains("—"));
        assertFalse(doc.select("#chart-latency svg").isEmpty());
        assertEquals(List.of(), ExternalReferences.find(doc));
    }

    @Test
    void unreadableResultsGiveAOneLineErrorNamingTheFile() throws IOException {
        Files.writeString(dir.resolve("results.json"), "{ not json");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> HtmlReport.write(dir));
        assertTrue(e.getMessage().contains("results.json"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("report.html")));
    }
    @Test
    void aP99FromTooFewSamplesReadsNotApplicable() throws IOException {
        Run r = SampleResults.run("arch0", "cpu", "fp32", new Random(4));
        Run.Latency l = r.latencyMs();
        Run few = r.toBuilder().latencyMs(new Run.Latency(l.p50(), l.p90(), l.p95(), null, l.max(), l.mean(), l.stddev(), 30,
                l.min(), l.cv(), l.cdf())).build();
        ResultsJson.write(dir, SampleResults.results(List.of(few), List.of(), List.of()));

        String row = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8").select("#headline tbody tr").first().text();

        assertTrue(row.contains("n/a (too few)"), row);
    }

    /** A fixed-rate server trial of fewer requests than a p99 needs reads "n/a (too few)" in the run's details. */
    @Test
    void aServerTrialP99FromTooFewRequestsReadsNotApplicable() throws IOException {
        Run r = SampleResults.run("arch0", "cpu", "fp32", new Random(4));
        dev.segbench.results.Server server = new dev.segbench.results.Server(dev.segbench.results.Server.FIXED,
                null, null, "poisson", 1, 1, List.of(new dev.segbench.results.Server.Trial(20, 19.9, 60,
                new dev.segbench.results.Server.Percentiles(11, 14, null, null, 31), null, 1, true, null, null, null)),
                null);
        dev.segbench.results.PerformanceAtSize p = r.firstSize();
        Run few = r.toBuilder().performance(List.of(new dev.segbench.results.PerformanceAtSize(p.height(), p.width(),
                p.scenarios(), p.latencyMs(), p.latencyCi95Ms(), p.latencyHistogram(), p.measurement(), p.throughput(),
                server, p.telemetry()))).build();
        ResultsJson.write(dir, SampleResults.results(List.of(few), List.of(), List.of()));

        String html = Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8").text();

        assertTrue(html.contains("fixed 20.0 qps: p99 n/a (too few)"), html);
    }
}
