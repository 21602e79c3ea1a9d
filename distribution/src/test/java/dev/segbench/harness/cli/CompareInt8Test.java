package dev.segbench.harness.cli;

import static dev.segbench.harness.CliResult.assertOneLineUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.Real;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * int8 through {@code segbench compare} (issue 12 points 2-4): calibrated once per model in the compare's process,
 * the table handed to the runs, recorded in settings, run details and summary.csv, reused from the calibration cache
 * by a second compare, part of the run fingerprint; bad calibration input gets one line.
 */
class CompareInt8Test {

    @TempDir
    Path tmp;

    private static final String[] FAST = {"--warmup", "0.01", "--min-duration", "0.01", "--min-iterations", "3",
        "--batch-sizes", "1", "--perf-size", "64x64", "--progress", "never", "--threads", "2", "--gallery", "1"};

    private CliResult compare(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("compare", "--out", out.toString(), "--cache-dir",
                tmp.resolve("cache").toString()));
        args.addAll(List.of(FAST));
        args.addAll(List.of(more));
        return CliResult.run(args.toArray(String[]::new));
    }

    private static void requireRealCpu() {
        try (var plugins = Real.plugins()) {
            Real.cpu(plugins);
        }
    }

    private static Map<String, Run> runs(Path out) throws Exception {
        return ResultsJson.read(out).runs().stream().collect(Collectors.toMap(Run::key, Function.identity()));
    }

    /**
     * Fixture checkpoint, VOC sample, calibrated on the sample itself (the only real images here, so the overlap
     * warning must show): int8 agrees with cpu:fp32 on >= 98% of labels and keeps its mIoU within 0.01. The second
     * compare takes the table from the cache (no calibration pass, and says so); with --resume the int8 run is
     * reused, and another calibration method changes its fingerprint.
     */
    @Test
    void int8RunsCalibratedOnceAndTheSecondCompareReusesTheCalibrationCache() throws Exception {
        Path shared = Real.shared();
        requireRealCpu();
        Path voc = shared.resolve("data/voc2012-sample/VOCdevkit");
        Path out = tmp.resolve("out");
        String[] args = {"--in-process", "--backends", "cpu", "--models", "arch1", "--precisions", "fp32,int8",
            "--dataset", "voc:" + voc, "--weights", "arch1=" + shared.resolve("data/nas-segm-reference/arch1-seed1.pth"),
            "--calibration", "voc:" + voc, "--calibration-split", "val"};
        CliResult first = compare(out, args);
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.errLines().stream().anyMatch(l -> l.equals("calibrating arch1 on 5 images of voc2012/val (minmax)")),
                first.toString());

        Results results = ResultsJson.read(out);
        Map<String, Run> runs = runs(out);
        Run fp32 = runs.get("arch1/cpu/fp32");
        Run int8 = runs.get("arch1/cpu/int8");
        assertEquals(Run.OK, int8.status(), int8.reason());
        assertEquals("cpu:fp32", int8.agreement().reference());
        assertTrue(int8.agreement().pixelAgreement() >= 0.98, "agreement " + int8.agreement().pixelAgreement());
        assertEquals(fp32.accuracy().miou(), int8.accuracy().miou(), 0.01);
        assertNotNull(int8.latencyMs(), "int8 is measured like every other precision");

        Run.Calibration c = int8.calibration();
        assertNotNull(c);
        assertEquals("voc2012/val", c.dataset());
        assertEquals("minmax", c.method());
        assertEquals(5, c.images());
        assertEquals(5, c.overlap(), "calibrated on the evaluated images themselves");
        assertEquals(64, c.sha256().length());
        assertNull(fp32.calibration(), "only int8 runs are calibrated");
        assertEquals("voc:" + voc, results.settings().calibration().dataset());
        assertEquals("val", results.settings().calibration().vocSplit());
        assertEquals(64, results.settings().calibration().images());
        assertEquals("minmax", results.settings().calibration().method().id());
        assertTrue(results.warnings().stream().anyMatch(w -> w.code().equals(dev.segbench.results.Warning.CALIBRATION_OVERLAP) && w.text().startsWith("arch1: 5 of the 5 int8 calibration images are"
                + " evaluated images too")), results.warnings().toString());

        List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        List<String> header = List.of(csv.getFirst().split(","));
        int column = header.indexOf("calibration_dataset");
        assertEquals(List.of("calibration_dataset", "calibration_method", "calibration_images"),
                header.subList(column, column + 3), csv.getFirst());
        List<String> int8Row = List.of(csv.stream().filter(l -> l.startsWith("arch1,cpu,int8,ok,")).findFirst()
                .orElseThrow().split(",", -1));
        assertEquals(List.of("voc2012/val", "minmax", "5"), int8Row.subList(column, column + 3), int8Row.toString());
        List<String> fp32Row = List.of(csv.stream().filter(l -> l.startsWith("arch1,cpu,fp32,ok,")).findFirst()
                .orElseThrow().split(",", -1));
        assertEquals(List.of("", "", ""), fp32Row.subList(column, column + 3), fp32Row.toString());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Int8 calibration"), "report details and settings name the calibration");
        assertTrue(html.contains("voc2012/val, minmax, 5 images"), "the int8 run's details row");

        // a second compare: the table comes from the cache, with no calibration pass; the same table, the same fingerprint
        CliResult second = compare(out, append(args, "--resume"));
        assertEquals(0, second.code(), second.toString());
        assertTrue(second.errLines().stream().anyMatch(l -> l.startsWith("calibration cache hit: ")
                && l.contains(", no calibration pass (arch1, minmax, 5 images of voc2012/val)")), second.toString());
        assertFalse(second.errLines().stream().anyMatch(l -> l.startsWith("calibrating ")), second.toString());
        assertTrue(runs(out).get("arch1/cpu/int8").reused(), "the recorded int8 run's fingerprint is unchanged");
        assertEquals(c.sha256(), runs(out).get("arch1/cpu/int8").calibration().sha256());

        // another calibration method: another table, so the int8 run (and only it) is measured again
        CliResult third = compare(out, append(args, "--resume", "--calibration-method", "percentile"));
        assertEquals(0, third.code(), third.toString());
        assertTrue(third.errLines().stream().anyMatch(l -> l.startsWith("arch1/cpu/int8: running it again: ")
                && l.contains("calibration_sha256")), third.toString());
        // fp32's fingerprint does not hold the calibration (it runs again only because its labels were dropped)
        assertTrue(third.errLines().stream().noneMatch(l -> l.startsWith("arch1/cpu/fp32: running it again: ")
                && l.contains("calibration")), third.toString());
        Map<String, Run> after = runs(out);
        assertFalse(after.get("arch1/cpu/int8").reused());
        assertEquals("percentile", after.get("arch1/cpu/int8").calibration().method());
    }

    /**
     * The isolated path: the table made in the compare's process reaches the int8 run's child JVM (as calibration-file
     * bytes) and quantizes there; synthetic calibration defaults to another seed, so nothing overlaps.
     */
    @Test
    void aForkedInt8RunGetsItsTableFromTheCompare() throws Exception {
        requireRealCpu();
        Path out = tmp.resolve("forked");
        CliResult r = compare(out, "--backends", "cpu", "--models", "arch0", "--precisions", "int8", "--dataset",
                "synthetic:2", "--calibration-images", "2", "--reference", "none");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.errLines().stream().anyMatch(l -> l.startsWith("calibrating arch0 on 2 images of synthetic")),
                r.toString());
        Run int8 = runs(out).get("arch0/cpu/int8");
        assertEquals(Run.OK, int8.status(), int8.reason());
        assertEquals(2, int8.calibration().images());
        assertEquals(0, int8.calibration().overlap(), "another seed: other scenes");
        assertTrue(int8.dataset().name().startsWith("synthetic"));
        assertFalse(int8.calibration().dataset().equals(int8.dataset().name()), int8.calibration().dataset());
        assertFalse(ResultsJson.read(out).settings().execution().inProcess(), "process per run");
        assertTrue(Files.readString(out.resolve("logs/arch0.cpu.int8.log")).contains("ready to run"));
        assertTrue(ResultsJson.read(out).warnings().stream().noneMatch(w -> w.text().contains("calibration images")));
    }

    /**
     * {@code --int8-fallback LAYER}: the forked int8 run builds its graph with that layer in float; results.json, the
     * report and the fingerprint say so; the calibration table is the same one (a float-kept layer changes no range,
     * so the cache key does not hold the kept set) and the next compare with {@code none} runs int8 again.
     */
    @Test
    void listedLayersAreKeptInFloatInTheForkedRunAndRecorded() throws Exception {
        requireRealCpu();
        String layer;
        try (var plugins = Real.plugins()) {
            layer = plugins.catalogFor("arch0").orElseThrow().load("arch0", dev.segbench.api.WeightsSpec.seeded(1))
                    .int8().orElseThrow().quantizableLayers().get(3).name();
        }
        Path out = tmp.resolve("kept");
        String[] args = {"--backends", "cpu", "--models", "arch0", "--precisions", "int8", "--dataset", "synthetic:2",
            "--calibration-images", "2", "--reference", "none"};
        CliResult r = compare(out, append(args, "--int8-fallback", layer));
        assertEquals(0, r.code(), r.toString());
        Run int8 = runs(out).get("arch0/cpu/int8");
        assertEquals(Run.OK, int8.status(), int8.reason());
        assertEquals(List.of(layer), int8.calibration().floatLayers());
        assertEquals("list", int8.calibration().fallback().mode());
        assertEquals(layer, ResultsJson.read(out).settings().calibration().fallback().describe());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("1 layer in float (listed): " + layer), "the run's details row");
        assertTrue(html.contains("Int8 layers kept in float"), "the settings");
        String sha = int8.calibration().sha256();

        CliResult none = compare(out, append(args, "--resume", "--int8-fallback", "none"));
        assertEquals(0, none.code(), none.toString());
        assertTrue(none.errLines().stream().anyMatch(l -> l.startsWith("calibration cache hit: ")), none.toString());
        assertTrue(none.errLines().stream().anyMatch(l -> l.startsWith("arch0/cpu/int8: running it again: ")
                && l.contains("int8_float_layers")), none.toString());
        Run again = runs(out).get("arch0/cpu/int8");
        assertEquals(List.of(), again.calibration().floatLayers());
        assertEquals(sha, again.calibration().sha256(), "one table serves every kept set");
    }

    @Test
    void badFallbackOptionsAreOneLine() throws Exception {
        requireRealCpu();
        String[] base = {"--in-process", "--backends", "cpu", "--models", "arch0", "--precisions", "int8", "--dataset",
            "synthetic:1", "--calibration-images", "1", "--reference", "none"};
        assertOneLineUserError(compare(tmp.resolve("a"), append(base, "--int8-fallback", "a,,b")),
                "--int8-fallback: 'a,,b' has an empty layer name");
        assertOneLineUserError(compare(tmp.resolve("b"), append(base, "--int8-fallback", "no_such_conv")),
                "--int8-fallback: 'no_such_conv' is not a quantized convolution of arch0");
        assertOneLineUserError(compare(tmp.resolve("c"), append(base, "--int8-fallback", "auto", "--int8-target", "150")),
                "--int8-target: 150 is not a percentage in (0, 100]");
        assertOneLineUserError(compare(tmp.resolve("d"), append(base, "--int8-target", "most")),
                "--int8-target: 'most' is not a percentage");
        for (String dir : List.of("a", "b", "c", "d")) {
            assertFalse(Files.exists(tmp.resolve(dir).resolve("results.json")), dir + ": nothing written");
        }
    }

    @Test
    void int8OnABackendWithoutItIsSkippedWithItsReasonAndNothingIsCalibrated() throws Exception {
        Path out = tmp.resolve("fake");
        CliResult r = compare(out, "--in-process", "--backends", "fake", "--models", "tiny", "--precisions", "fp32,int8",
                "--dataset", "fake:2", "--reference", "fake:fp32", "--calibration", "fake:0");
        assertEquals(0, r.code(), r.toString());
        Run int8 = runs(out).get("tiny/fake/int8");
        assertEquals(Run.SKIPPED, int8.status());
        assertEquals("backend fake does not support int8 (it supports fp16,fp32)", int8.reason());
        assertNull(int8.calibration());
        assertFalse(r.err().contains("calibrat"), "no available backend runs int8, so nothing is calibrated: " + r);
        assertEquals(Run.OK, runs(out).get("tiny/fake/fp32").status());
    }

    @Test
    void badCalibrationInputIsOneLine() throws Exception {
        requireRealCpu();
        String[] base = {"--in-process", "--backends", "cpu", "--models", "arch0", "--precisions", "int8", "--dataset",
            "fake:1", "--reference", "none"};
        assertOneLineUserError(compare(tmp.resolve("a"), append(base, "--calibration", "fake:0")),
                "--calibration fake:0", "is empty");
        assertOneLineUserError(compare(tmp.resolve("b"), append(base, "--calibration", "fake:3,bad=1")),
                "--calibration fake:3,bad=1", "unreadable calibration image");
        assertOneLineUserError(compare(tmp.resolve("c"), append(base, "--calibration", "fake:2", "--calibration-images", "0")),
                "--calibration-images: must be at least 1, got 0");
        assertOneLineUserError(compare(tmp.resolve("d"), append(base, "--calibration", "fake:2", "--calibration-method",
                "median")), "--calibration-method");
        assertOneLineUserError(compare(tmp.resolve("e"), append(base, "--calibration", "nosuch:x")),
                "unknown dataset scheme 'nosuch'");
        assertOneLineUserError(compare(tmp.resolve("f"), "--in-process", "--backends", "cpu", "--models", "arch0",
                "--precisions", "fp32", "--calibration", "fake:2"), "--calibration: only int8 runs are calibrated");
        // accepted and then ignored would be worse than refused: an int8-only option without int8 is one line
        assertOneLineUserError(compare(tmp.resolve("g"), "--in-process", "--backends", "cpu", "--models", "arch0",
                "--precisions", "fp32", "--int8-fallback", "auto"), "--int8-fallback: only int8 runs keep layers in float");
        assertOneLineUserError(compare(tmp.resolve("h"), "--in-process", "--backends", "cpu", "--models", "arch0",
                "--precisions", "fp32", "--int8-target", "99"), "--int8-target: only int8 runs keep layers in float");
        for (String dir : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
            assertFalse(Files.exists(tmp.resolve(dir).resolve("results.json")), dir + ": nothing written");
        }
    }

    private static String[] append(String[] a, String... more) {
        String[] all = Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, all, a.length, more.length);
        return all;
    }
}
