package dev.segbench.harness.calibration;

import dev.segbench.results.settings.CalibrationRequest;

import dev.segbench.api.Backend;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.WeightsSpec;
import dev.segbench.harness.plugins.Plugins;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The int8 accuracy table of the int8 note: per model, calibration set, method and activation flavour, agreement of
 * int8 labels with FP32 labels and the mIoU difference on the five VOC sample images (fixture checkpoints).
 * Run from the checkout with the distribution module's test class path:
 * {@code java -cp ... dev.segbench.harness.calibration.Int8Measurements SHARED [models=arch0,arch1,arch2]
 * [methods=minmax,percentile,entropy] [sets=sample,synthetic:64]}.
 */
public final class Int8Measurements {

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args[0]);
        List<String> models = List.of("arch0", "arch1", "arch2");
        List<String> methods = List.of("minmax", "percentile", "entropy");
        List<String> sets = List.of("sample", "synthetic:64");
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            switch (kv[0]) {
                case "models" -> models = List.of(kv[1].split(","));
                case "methods" -> methods = List.of(kv[1].split(","));
                case "sets" -> sets = List.of(kv[1].split(","));
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        Path voc = shared.resolve("data/voc2012-sample/VOCdevkit");
        try (Plugins plugins = Plugins.load(List.of(), List.of())) {
            Backend cpu = plugins.backend("cpu").orElseThrow();
            Calibrator calibrator = new Calibrator(plugins::datasetProvider, cpu, Progress.NONE, System.err::println);
            System.out.printf(Locale.ROOT, "%-6s %-13s %-11s %-17s %9s %9s %9s %9s%n", "model", "calibration", "method",
                    "activations", "agree %", "fp32 mIoU", "int8 mIoU", "dmIoU");
            for (String id : models) {
                ModelSource model = plugins.catalogFor(id).orElseThrow().load(id, WeightsSpec.checkpoint(
                        shared.resolve("data/nas-segm-reference/" + id + "-seed1.pth")));
                try (Dataset data = Int8Accuracy.vocSample(shared)) {
                    Int8Accuracy.Labels fp32 = Int8Accuracy.labels(model.artifact(Precision.FP32, false), model.info(), data);
                    for (String set : sets) {
                        for (String method : methods) {
                            CalibrationRequest request = set.equals("sample")
                                    ? CalibrationRequests.of("voc:" + voc, "val", "voc:" + voc, DatasetOptions.defaults(),
                                            64, CalibrationMethod.parse(method), null, null, 2)
                                    : CalibrationRequests.of(set, null, "synthetic", DatasetOptions.defaults(), 64,
                                            CalibrationMethod.parse(method), null, null, 2);
                            long t0 = System.nanoTime();
                            CalibrationTable table = calibrator.calibrate(model, request);
                            double seconds = (System.nanoTime() - t0) / 1e9;
                            for (Int8Activations flavour : Int8Activations.values()) {
                                Int8Accuracy.Labels int8 = Int8Accuracy.labels(
                                        model.int8().orElseThrow().artifact(table, flavour, false), model.info(), data);
                                Int8Accuracy.Comparison c = Int8Accuracy.compare(fp32, int8, model.info().numClasses());
                                System.out.printf(Locale.ROOT, "%-6s %-13s %-11s %-17s %9.3f %9.4f %9.4f %+9.4f  (calibration %.0f s)%n",
                                        id, set, method, flavour.name().toLowerCase(Locale.ROOT), 100 * c.agreement(),
                                        c.referenceMiou(), c.miou(), c.miouDelta(), seconds);
                            }
                        }
                    }
                }
            }
        }
    }

    private Int8Measurements() {
    }
}
