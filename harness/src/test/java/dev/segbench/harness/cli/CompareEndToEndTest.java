package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.fakes.FakeDatasets;
import dev.segbench.harness.metrics.ConfusionMatrix;
import dev.segbench.results.Latencies;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareEndToEndTest {

    @TempDir
    Path tmp;

    static final String[] FAST = {"--warmup", "0.01", "--min-duration", "0.01", "--min-iterations", "3",
        "--batch-sizes", "1,2", "--perf-size", "40x56", "--progress", "never"};

    /**
     * Tests of what the results say use one JVM for speed; the isolation itself (child JVMs, the default) is
     * exercised by the tests that call {@link #compare} and by dev.segbench.harness.run.IsolationTest.
     */
    static CliResult compareInProcess(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of(more));
        a.add("--in-process");
        return compare(out, a.toArray(String[]::new));
    }

    static CliResult compare(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("compare", "--out", out.toString()));
        args.addAll(List.of(FAST));
        args.addAll(List.of(more));
        if (!args.contains("--reference")) {
            args.addAll(List.of("--reference", "fake:fp32"));
        }
        return CliResult.run(args.toArray(String[]::new));
    }

    @Test
    void comparesWithFakesAndWritesEverything() throws Exception {
        Path out = tmp.resolve("out");
        CliResult r = compare(out, "--backends", "fake,absent,exploding", "--models", "tiny,tiny4", "--dataset", "fake:5",
                "--gallery", "2");
        // both exploding fp32 runs fail: everything is still written, and the exit status says so
        assertEquals(Cli.SOME_RUNS_FAILED, r.code(), r.toString());
        assertTrue(r.err().contains("2 run(s) failed"), r.err());
        Results res = ResultsJson.read(out);
        Map<String, Run> runs = res.runs().stream().collect(Collectors.toMap(Run::key, Function.identity()));
        assertEquals(2 * 3 * 2, runs.size(), runs.keySet().toString());

        Run ref = runs.get("tiny/fake/fp32");
        assertEquals(Run.OK, ref.status());
        ConfusionMatrix expected = new ConfusionMatrix(21);
        for (int k = 0; k < 5; k++) {
            expected.add(FakeDatasets.sample(k).labels(), FakeDatasets.sample(k).labels());
        }
        assertTrue(Arrays.deepEquals(expected.toArray(), ref.accuracy().confusionMatrix()));
        assertEquals(1.0, ref.accuracy().miou());
        assertNull(ref.agreement(), "the reference is not compared with itself");
        assertEquals(5, ref.dataset().images());
        assertEquals(5, ref.accuracyPass().images());
        assertNotNull(ref.latencyMs());
        assertEquals(ref.measurement().iterations(), Latencies.decode(ref.latencyHistogram()).getTotalCount());
        assertEquals(List.of(1, 2), ref.throughput().stream().map(Run.Throughput::batch).toList());
        assertEquals(1.0, ref.deviceTimingsMs().computeMs(), 1e-9);

        Run fp16 = runs.get("tiny/fake/fp16");
        assertEquals(Run.OK, fp16.status());
        assertEquals("fake:fp32", fp16.agreement().reference());
        assertTrue(fp16.agreement().pixelAgreement() < 1.0 && fp16.agreement().pixelAgreement() > 0.5);
        assertTrue(fp16.accuracy().miou() < 1.0);

        assertEquals(Run.SKIPPED, runs.get("tiny/absent/fp32").status());
        assertEquals("libabsent.so not found; install it", runs.get("tiny/absent/fp32").reason());
        assertEquals(Run.SKIPPED, runs.get("tiny/exploding/fp16").status());
        assertTrue(runs.get("tiny/exploding/fp16").reason().contains("does not support fp16"));
        assertEquals(Run.FAILED, runs.get("tiny4/exploding/fp32").status());
        assertEquals("kaboom", runs.get("tiny4/exploding/fp32").reason());

        assertTrue(res.warningTexts().stream().anyMatch(w -> w.contains("untrained")), res.warningTexts().toString());
        assertTrue(res.warningTexts().stream().anyMatch(w -> w.contains("is generated")), res.warningTexts().toString());
        assertTrue(res.warningTexts().stream().anyMatch(w -> w.equals("backend absent skipped (4 runs): libabsent.so not found; install it")), res.warningTexts().toString());
        assertEquals(List.of("fake", "absent", "exploding"), res.settings().backendsRun());
        assertEquals(Results.SCHEMA_VERSION, res.schemaVersion());
        assertTrue(res.environment().cores() >= 1);
        assertEquals("fake-1.0", res.environment().backendVersions().get("fake"));

        List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals(1 + 12, csv.size());
        assertTrue(csv.getFirst().startsWith("model,backend,precision,status"));
        assertTrue(csv.getFirst().contains(",open_s,build_s,peak_rss_bytes,device_memory_bytes,reused,environment,"), csv.getFirst());

        // each ok run ran in its own process, which reported its peak memory; its record is in OUT/runs
        assertEquals(res.environment().id(), ref.environment());
        assertTrue(ref.resources().peakRssBytes() > 10L << 20, ref.resources().toString());
        assertTrue(ref.resources().openSeconds() >= 0);
        assertNull(ref.resources().buildSeconds(), "the fake backend compiles nothing");
        assertTrue(Files.isRegularFile(out.resolve("runs/tiny.fake.fp32.json")));
        assertTrue(Files.isRegularFile(out.resolve("runs/tiny4.exploding.fp32.json")), "failed runs are recorded too");
        assertTrue(Files.isRegularFile(out.resolve("logs/tiny.fake.fp16.log")));
        assertFalse(res.settings().execution().inProcess(), "process per run");

        assertEquals(2, res.gallery().size());
        GalleryEntry g = res.gallery().getFirst();
        assertEquals("fake-0", g.id());
        assertEquals(4, g.predictions().size(), "ok runs only: " + g.predictions().keySet());
        assertTrue(Files.isRegularFile(out.resolve(g.image())) && Files.isRegularFile(out.resolve(g.label())),
                "the compare wrote the sample's image and ground truth");
        BufferedImage mask = ImageIO.read(out.resolve(g.predictions().get("tiny/fake/fp32")).toFile());
        assertTrue(mask.getColorModel() instanceof IndexColorModel);
        byte[] labels = (byte[]) mask.getRaster().getDataElements(0, 0, mask.getWidth(), mask.getHeight(), null);
        byte[] truth = FakeDatasets.sample(0).labels();
        for (int i = 0; i < truth.length; i++) {
            if ((truth[i] & 0xff) != 255) {
                assertEquals(truth[i], labels[i], "pixel " + i);
            }
        }
        assertTrue(r.out().contains("tiny4  exploding  fp32       failed: kaboom"), r.out());
        assertTrue(r.out().contains(out.resolve("results.json").toString()), r.out());
    }

    @Test
    void mergingShardsEqualsOneRun() throws Exception {
        String[] common = {"--backends", "fake", "--models", "tiny4", "--dataset", "fake:7", "--gallery", "1"};
        Path whole = tmp.resolve("whole");
        Path s0 = tmp.resolve("s0");
        Path s1 = tmp.resolve("s1");
        Path s2 = tmp.resolve("s2");
        assertEquals(0, compareInProcess(whole, common).code());
        for (int i = 0; i < 3; i++) {
            List<String> a = new ArrayList<>(List.of(common));
            a.addAll(List.of("--shard", i + "/3"));
            CliResult r = compareInProcess(List.of(s0, s1, s2).get(i), a.toArray(String[]::new));
            assertEquals(0, r.code(), r.toString());
        }
        Path merged = tmp.resolve("merged");
        CliResult m = CliResult.run("merge", s0.toString(), s1.toString(), s2.toString(), "--out", merged.toString());
        assertEquals(0, m.code(), m.toString());
        Results one = ResultsJson.read(whole);
        Results all = ResultsJson.read(merged);
        assertEquals(one.runs().size(), all.runs().size());
        for (Run a : one.runs()) {
            Run b = all.runs().stream().filter(x -> x.key().equals(a.key())).findFirst().orElseThrow();
            assertTrue(Arrays.deepEquals(a.accuracy().confusionMatrix(), b.accuracy().confusionMatrix()), a.key());
            assertEquals(a.accuracy().miou(), b.accuracy().miou(), 1e-15);
            assertEquals(a.accuracy().perClassIou(), b.accuracy().perClassIou());
            assertEquals(a.accuracy().fwIou(), b.accuracy().fwIou(), 1e-15);
            if (a.agreement() != null) {
                assertTrue(Arrays.deepEquals(a.agreement().confusionMatrix(), b.agreement().confusionMatrix()), a.key());
                assertEquals(a.agreement().pixelAgreement(), b.agreement().pixelAgreement(), 1e-15);
            }
            assertEquals(a.dataset().images(), b.dataset().images());
            long shardIterations = 0;
            for (Path s : List.of(s0, s1, s2)) {
                Run part = ResultsJson.read(s).runs().stream().filter(x -> x.key().equals(a.key())).findFirst().orElseThrow();
                shardIterations += part.measurement().iterations();
            }
            assertEquals(shardIterations, b.latencyMs().count());
            assertEquals(shardIterations, Latencies.decode(b.latencyHistogram()).getTotalCount());
            assertEquals(7, b.endToEndLatencyMs().count());
        }
        assertEquals(3, all.gallery().size());
        for (GalleryEntry g : all.gallery()) {
            assertTrue(Files.isRegularFile(merged.resolve(g.image())), g.image());
        }
        assertTrue(Files.isRegularFile(merged.resolve("summary.csv")));
    }

    @Test
    void mergingShardsOfDifferentWeightsIsRefused() throws Exception {
        Path s0 = tmp.resolve("w0");
        Path s1 = tmp.resolve("w1");
        String[] common = {"--backends", "fake", "--models", "tiny", "--precisions", "fp32", "--dataset", "fake:4",
            "--reference", "none"};
        List<String> a0 = new ArrayList<>(List.of(common));
        a0.addAll(List.of("--shard", "0/2", "--seed", "1"));
        List<String> a1 = new ArrayList<>(List.of(common));
        a1.addAll(List.of("--shard", "1/2", "--seed", "2"));
        assertEquals(0, compareInProcess(s0, a0.toArray(String[]::new)).code());
        assertEquals(0, compareInProcess(s1, a1.toArray(String[]::new)).code());
        Path merged = tmp.resolve("wmerged");
        CliResult m = CliResult.run("merge", s0.toString(), s1.toString(), "--out", merged.toString());
        assertEquals(Cli.USER_ERROR, m.code(), m.toString());
        assertEquals(1, m.errLines().size(), m.toString());
        assertTrue(m.err().contains("tiny/fake/fp32 ran with different weights"), m.toString());
        assertTrue(Files.notExists(merged.resolve("results.json")), "nothing merged");
    }

    @Test
    void mergedAgreementSaysWhichShardsItCovers() throws Exception {
        Path s0 = tmp.resolve("a0");
        Path s1 = tmp.resolve("a1");
        String[] common = {"--backends", "fake", "--models", "tiny", "--dataset", "fake:4"};
        List<String> a0 = new ArrayList<>(List.of(common));
        a0.addAll(List.of("--shard", "0/2"));
        List<String> a1 = new ArrayList<>(List.of(common));
        a1.addAll(List.of("--shard", "1/2", "--reference", "none"));
        assertEquals(0, compareInProcess(s0, a0.toArray(String[]::new)).code());
        assertEquals(0, compareInProcess(s1, a1.toArray(String[]::new)).code());
        Path merged = tmp.resolve("amerged");
        CliResult m = CliResult.run("merge", s0.toString(), s1.toString(), "--out", merged.toString());
        assertEquals(0, m.code(), m.toString());
        Run fp16 = ResultsJson.read(merged).runs().stream().filter(r -> r.precision().equals("fp16")).findFirst().orElseThrow();
        Run shard0 = ResultsJson.read(s0).runs().stream().filter(r -> r.precision().equals("fp16")).findFirst().orElseThrow();
        assertTrue(Arrays.deepEquals(shard0.agreement().confusionMatrix(), fp16.agreement().confusionMatrix()));
        assertTrue(fp16.warnings().contains("agreement covers 1 of 2 shards with images: the others measured none"),
                fp16.warnings().toString());
    }

    @Test
    void limitAndIdsChooseSamples() throws Exception {
        Path out = tmp.resolve("ids");
        CliResult r = compareInProcess(out, "--backends", "fake", "--models", "tiny", "--precisions", "fp32", "--dataset", "fake:9",
                "--ids", "fake-4,fake-2", "--gallery", "0");
        assertEquals(0, r.code(), r.toString());
        Run run = ResultsJson.read(out).runs().getFirst();
        assertEquals(2, run.dataset().images());
        ConfusionMatrix expected = new ConfusionMatrix(21);
        expected.add(FakeDatasets.sample(4).labels(), FakeDatasets.sample(4).labels());
        expected.add(FakeDatasets.sample(2).labels(), FakeDatasets.sample(2).labels());
        assertTrue(Arrays.deepEquals(expected.toArray(), run.accuracy().confusionMatrix()));
        assertTrue(ResultsJson.read(out).gallery().isEmpty());
    }

    @Test
    void skipPolicyRecordsTheBadSample() throws Exception {
        Path out = tmp.resolve("skip");
        CliResult r = compare(out, "--backends", "fake", "--models", "tiny", "--precisions", "fp32", "--dataset", "fake:4,bad=3",
                "--on-bad-sample", "skip");
        assertEquals(0, r.code(), r.toString());
        Results res = ResultsJson.read(out);
        assertEquals(3, res.runs().getFirst().dataset().images());
        assertEquals(List.of(new Run.Skipped("fake-3", "fake-3.jpg: truncated JPEG")), res.runs().getFirst().dataset().skipped());
        assertTrue(res.warningTexts().contains("sample fake-3 skipped: fake-3.jpg: truncated JPEG"), res.warningTexts().toString());
    }

    @Test
    void referenceOutsideTheRequestedRunsIsAddedForAgreementOnly() throws Exception {
        Path out = tmp.resolve("refonly");
        CliResult r = compare(out, "--backends", "fake", "--models", "tiny", "--precisions", "fp16", "--dataset", "fake:3");
        assertEquals(0, r.code(), r.toString());
        Results res = ResultsJson.read(out);
        assertEquals(List.of("tiny/fake/fp32", "tiny/fake/fp16"), res.runs().stream().map(Run::key).toList());
        Run ref = res.runs().getFirst();
        assertNull(ref.latencyMs(), "no performance pass for an added reference");
        assertTrue(ref.warnings().getFirst().contains("reference for agreement"), ref.warnings().toString());
        assertNotNull(res.runs().get(1).agreement());
        assertNotNull(res.runs().get(1).latencyMs());
    }

    @Test
    void emptyShardAndNoReferenceStillWriteValidResults() throws Exception {
        Path out = tmp.resolve("empty");
        CliResult r = compareInProcess(out, "--backends", "fake", "--models", "tiny", "--precisions", "fp32", "--dataset", "fake:2",
                "--shard", "4/5", "--reference", "none");
        assertEquals(0, r.code(), r.toString());
        Results res = ResultsJson.read(out);
        Run run = res.runs().getFirst();
        assertEquals(0, run.dataset().images());
        assertNull(run.accuracy());
        assertNull(run.agreement());
        assertEquals("none", res.settings().reference());
    }

    @Test
    void aFailingReportDoesNotLoseTheResults() throws Exception {
        Path out = tmp.resolve("noreport");
        Files.createDirectories(out.resolve("report.html").resolve("blocker"));
        CliResult r = compare(out, "--backends", "fake", "--models", "tiny", "--precisions", "fp32", "--dataset", "fake:2");
        assertEquals(0, r.code(), r.toString());
        assertEquals(1, ResultsJson.read(out).runs().size());
        assertTrue(r.err().contains("warning: report not written"), r.err());
    }

    @Test
    void sessionPropertiesReachTheBackend() throws Exception {
        Path out = tmp.resolve("props");
        CliResult r = compare(out, "--backends", "fake", "--models", "tiny", "--precisions", "fp32", "--dataset", "fake:1",
                "--property", "fake.fail=please");
        assertEquals(Cli.SOME_RUNS_FAILED, r.code(), r.toString());
        Run run = ResultsJson.read(out).runs().getFirst();
        assertEquals(Run.FAILED, run.status());
        assertEquals("asked to fail by fake.fail=please", run.reason());
    }

    @Test
    void aGraphWithAnOpTheEngineLacksIsASkippedRunNamingTheOp() throws Exception {
        Path out = tmp.resolve("unsupported-op");
        CliResult r = compare(out, "--backends", "fake", "--models", "tiny", "--precisions", "fp32", "--dataset", "fake:1",
                "--reference", "none", "--property", "fake.unsupported-op=Softplus");
        assertEquals(0, r.code(), r.toString());
        Run run = ResultsJson.read(out).runs().getFirst();
        assertEquals(Run.SKIPPED, run.status());
        assertEquals("node 'n_7' (Softplus): op Softplus is not implemented by the fake backend", run.reason());
        assertTrue(r.out().contains("fake: skipped (tiny/fake/fp32): node 'n_7' (Softplus)"), r.out());
    }

    /** 30 single-stream requests cannot support a p99 (their maximum): the console says so instead of a number. */
    @Test
    void aP99FromTooFewRequestsIsNotApplicable() throws Exception {
        Path out = tmp.resolve("few");
        CliResult r = CliResult.run("compare", "--out", out.toString(), "--in-process", "--backends", "fake", "--models",
                "tiny", "--dataset", "fake:2", "--precisions", "fp32", "--reference", "none", "--warmup", "0.01",
                "--min-duration", "0", "--min-iterations", "30", "--batch-sizes", "1", "--perf-size", "40x56",
                "--progress", "never", "--gallery", "0");
        assertEquals(0, r.code(), r.toString());
        Run run = ResultsJson.read(out).runs().getFirst();
        assertEquals(30, run.latencyMs().count());
        assertNull(run.latencyMs().p99(), "no p99 from 30 samples in results.json");
        assertNull(run.performance().getFirst().latencyCi95Ms().p99(), "nor an interval");
        assertTrue(r.out().contains("n/a (too few)"), r.out());
    }
}
