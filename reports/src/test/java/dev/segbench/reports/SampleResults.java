package dev.segbench.reports;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.VocClasses;
import dev.segbench.results.Environment;
import dev.segbench.results.Gate;
import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.PercentileIntervals;
import dev.segbench.results.PerformanceAtSize;
import dev.segbench.results.Server;
import dev.segbench.results.Telemetry;
import dev.segbench.results.GalleryEntry;
import dev.segbench.results.Results;
import dev.segbench.results.Run;
import dev.segbench.results.Warning;
import dev.segbench.results.Warnings;
import dev.segbench.results.settings.Settings;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/** Realistic synthetic results (models x backends x precisions) and tiny palette PNGs for the gallery. */
final class SampleResults {

    static final List<String> MODELS = List.of("arch0", "arch1", "arch2");
    static final List<String> BACKENDS = List.of("cpu", "tensorrt");
    static final List<String> PRECISIONS = List.of("fp32", "fp16");
    static final List<Integer> BATCHES = List.of(1, 2, 4, 8, 16, 32);
    static final int W = 96;
    static final int H = 72;

    private SampleResults() {
    }

    static Settings settings() {
        return settings(PRECISIONS, null);
    }

    /** The sample compare's settings with other precisions and an int8 calibration (null: none). */
    static Settings settings(List<String> precisions, dev.segbench.results.settings.CalibrationRequest calibration) {
        return new Settings(
                new Settings.Selection(MODELS, BACKENDS, precisions.stream().map(dev.segbench.api.Precision::parse).toList(),
                        Map.of(), 42, new Settings.Reference("cpu", dev.segbench.api.Precision.FP32)),
                new Settings.Data("voc:/data/VOCdevkit", dev.segbench.api.DatasetOptions.defaults(),
                        dev.segbench.results.settings.Shard.ALL, 1, 0),
                new Settings.Performance(BATCHES, true, 512, 512, 2.0, 5.0, 200, 0.05),
                new Settings.Session(2, Map.of(), null), Settings.Execution.defaults(), Path.of("out"), calibration,
                new Settings.Recorded(null, BACKENDS, "cpu:fp32", "cpu:fp32", "all", null));
    }

    static Environment environment() {
        return new Environment("gpu-box", "gpu-box", "AMD EPYC 7B13", 16, 64L << 30, "Linux 6.1 amd64", "Temurin 25+36",
                "NVIDIA H100 80GB HBM3", "0.1.0-SNAPSHOT", "3f2a9c1d0e7b55aa",
                Map.of("cpu", "onnxruntime 1.29.0", "tensorrt", "TensorRT 10.15"),
                Map.of("tensorrt", Map.of("nvidia.driver", "580.65", "cuda.runtime", "13.1", "tensorrt", "10.15.1")));
    }

    /** One ok run with numbers in the usual ranges: GPU fp16 fastest, fp16 a little less accurate. */
    static Run run(String model, String backend, String precision, Random rnd) {
        int m = MODELS.indexOf(model);
        boolean gpu = backend.equals("tensorrt");
        boolean half = precision.equals("fp16");
        double p50 = (gpu ? 1.1 + 0.4 * m : 38 + 9 * m) * (half ? (gpu ? 0.55 : 0.9) : 1.0);
        double miou = 0.70 - 0.015 * m - (half ? 0.0015 : 0) + rnd.nextDouble() * 0.001;
        List<Double> perClass = new ArrayList<>();
        for (int c = 0; c < VocClasses.COUNT; c++) {
            perClass.add(c == 19 ? null : Math.min(1, Math.max(0, miou + (rnd.nextDouble() - 0.5) * 0.4)));
        }
        long[][] confusion = new long[VocClasses.COUNT][VocClasses.COUNT];
        for (int t = 0; t < VocClasses.COUNT; t++) {
            if (t == 19) {
                continue; // class absent from the ground truth: an all-zero row
            }
            for (int p = 0; p < VocClasses.COUNT; p++) {
                confusion[t][p] = t == p ? 8000 + rnd.nextInt(4000) : rnd.nextInt(10) < 2 ? rnd.nextInt(900) : 0;
            }
        }
        List<double[]> cdf = new ArrayList<>();
        for (double q : new double[] {0, 10, 25, 50, 75, 90, 95, 99, 99.9, 100}) {
            double spread = q < 50 ? 1 - (50 - q) / 50 * 0.06 : 1 + Math.pow((q - 50) / 50, 4) * 0.35;
            cdf.add(new double[] {q, p50 * spread});
        }
        List<Run.Throughput> throughput = new ArrayList<>();
        for (int b : BATCHES) {
            double perImage = p50 / (1 + (gpu ? 0.8 : 0.15) * Math.log(b) / Math.log(2));
            throughput.add(new Run.Throughput(b, 1000 / perImage));
        }
        Run.Latency latency = new Run.Latency(p50, p50 * 1.08, p50 * 1.12, p50 * 1.3, p50 * 1.35, p50 * 1.02,
                p50 * 0.03, 2400, p50 * 0.94, 0.029, cdf);
        boolean reference = backend.equals("cpu") && precision.equals("fp32");
        Run.Builder builder = Run.builder(model, backend, precision);
        if (gpu && half && m == 1) {
            builder.performance(List.of(scenarios(latency))).gate(new Gate(false, List.of(new Gate.Condition(
                    "agreement>=0.999", Gate.FAIL, 0.991, 0.999, "agreement 0.991 < 0.999"))));
        } else {
            // the first size's values one by one (the scenarios run has them in its size)
            builder.throughput(throughput).measurement(new Run.Measurement(true, List.of(), 2.0, 5.1, 2400));
        }
        return builder.environment("gpu-box")
                .weights(new Run.Weights("checkpoint", "23378522ab" + m))
                .dataset(new Run.DatasetSummary("voc2012-val", 1449, false, List.of()))
                .accuracy(new Run.Accuracy(miou, 0.92 - 0.01 * m, miou + 0.08, 0.86, perClass, confusion))
                .agreement(new Run.Agreement("cpu:fp32", reference ? 1.0 : 0.995 - (half ? 0.004 : 0.001),
                        reference ? 1.0 : 0.985, null))
                .latencyMs(latency)
                .endToEndLatencyMs(new Run.Latency(p50 + 6, p50 + 7, p50 + 8, p50 + 9, p50 + 10, p50 + 6.5, 1, 1449, null,
                        null, null))
                .accuracyPass(new Run.AccuracyPassSummary(1449, 1449 / (1000 / (p50 + 6)), 1000 / (p50 + 6), 1000 / p50))
                .deviceTimingsMs(gpu ? new DeviceTimings(0.21, p50 - 0.4, 0.05) : null)
                .resources(new Run.Resources((gpu ? 2100L : 900L) << 20, gpu ? 41.7 : 0.8, gpu ? 41.5 : null,
                        gpu ? 1800L << 20 : null))
                .build();
    }

    /** One size with every scenario: a (batch x in-flight) grid, a server search, intervals and clocks. */
    static PerformanceAtSize scenarios(Run.Latency latency) {
        List<InFlightThroughput> grid = new ArrayList<>();
        for (int b : List.of(1, 8, 32)) {
            for (int k : List.of(1, 2, 4)) {
                grid.add(new InFlightThroughput(b, k, 900.0 * b / (b + 1) * Math.min(k, 3), 1000, 5.0));
            }
        }
        Server server = new Server(Server.SEARCH, 5.0, 1750.0, "poisson", 1, 4, List.of(
                ScenarioChartsTest.trial(1800, 1790, 1.6, 5.4, true), ScenarioChartsTest.trial(1750, 1748, 1.5, 4.8, true)), null);
        PercentileIntervals ci = new PercentileIntervals(0.95, 2000, 1, new PercentileIntervals.Interval(1.61, 1.67),
                new PercentileIntervals.Interval(2.0, 2.3), PercentileIntervals.BOOTSTRAP, 0);
        return new PerformanceAtSize(512, 512, List.of("single-stream", "offline", "server"), latency, ci, null,
                new Run.Measurement(true, List.of(), 2.0, 5.1, 2400, false, 0.029, 0.04, 0.05), grid, server,
                new Telemetry(new Telemetry.CpuFrequency("/proc/cpuinfo", 16, List.of("performance"), 2450.0, 3100.0, null),
                        null));
    }

    static List<Run> fullGrid(long seed) {
        Random rnd = new Random(seed);
        List<Run> runs = new ArrayList<>();
        for (String m : MODELS) {
            for (String b : BACKENDS) {
                for (String p : PRECISIONS) {
                    runs.add(run(m, b, p, rnd));
                }
            }
        }
        return runs;
    }

    /** Results with the warnings the harness would give these runs, plus {@code notes} (free-form warnings). */
    static Results results(List<Run> runs, List<GalleryEntry> gallery, List<String> notes) {
        return new Results(Results.SCHEMA_VERSION, environment(), settings(), runs, gallery,
                Warnings.upgrade(notes.stream().map(Warning::note).toList(), runs, settings()));
    }

    /** Writes {@code count} gallery entries (photo, truth, one prediction per ok run) under DIR/gallery. */
    static List<GalleryEntry> writeGallery(Path dir, int count, List<Run> runs, long seed) throws IOException {
        Random rnd = new Random(seed);
        Path g = Files.createDirectories(dir.resolve("gallery"));
        List<GalleryEntry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("2007_%06d", 32 + i * 7);
            int objectClass = 1 + rnd.nextInt(20);
            int[] truth = scene(objectClass, 0, rnd.nextInt(10));
            writePhoto(g.resolve(id + ".png"), truth, rnd);
            writeLabels(g.resolve(id + "-label.png"), truth);
            Map<String, String> predictions = new LinkedHashMap<>();
            int r = 0;
            for (Run run : runs) {
                if (!run.ok()) {
                    continue;
                }
                // predictions are shifted a little per run so the runs disagree along the object's edge
                String name = id + "-" + run.key().replace('/', '_') + ".png";
                writeLabels(g.resolve(name), scene(objectClass, r++ % 3, 0));
                predictions.put(run.key(), "gallery/" + name);
            }
            entries.add(new GalleryEntry(id, "gallery/" + id + ".png", "gallery/" + id + "-label.png", predictions));
        }
        return entries;
    }

    /** A label map: background, one object rectangle (shifted by {@code shift} pixels) and an ignore border. */
    static int[] scene(int objectClass, int shift, int jitter) {
        int[] labels = new int[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int label = 0;
                if (x >= 20 + shift + jitter && x < 70 + shift && y >= 15 && y < 60) {
                    label = objectClass;
                }
                if (x == 20 + shift + jitter - 1 || y == 14) {
                    label = VocClasses.IGNORE;
                }
                labels[y * W + x] = label;
            }
        }
        return labels;
    }

    static void writeLabels(Path file, int[] labels) throws IOException {
        RealImageReportSizeTest.writePalettePng(file, W, H, labels);
    }

    static void writePhoto(Path file, int[] labels, Random rnd) throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int base = labels[y * W + x] == 0 ? 0x6A8CAF : 0xB5651D;
                int noise = rnd.nextInt(24);
                img.setRGB(x, y, base + (noise << 16) + (noise << 8) + noise);
            }
        }
        ImageIO.write(img, "png", file.toFile());
    }
}
