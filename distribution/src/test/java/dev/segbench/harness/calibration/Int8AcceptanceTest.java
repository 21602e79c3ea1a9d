package dev.segbench.harness.calibration;

import dev.segbench.results.settings.CalibrationRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Backend;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Dataset;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.Sample;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.harness.Real;
import dev.segbench.harness.metrics.ConfusionMatrix;
import dev.segbench.harness.metrics.Segmentation;
import dev.segbench.harness.plugins.Plugins;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12's accuracy acceptance through the harness's own pieces: fixture checkpoints, calibrated with the default
 * method on the five VOC sample images themselves (the only real images here), int8 on the cpu backend agrees with
 * cpu fp32 on at least 98% of labels and its mIoU is within 0.01 of fp32's.
 */
class Int8AcceptanceTest {

    @ParameterizedTest
    @ValueSource(strings = {"arch0", "arch1", "arch2"})
    void int8AgreesWithFp32AndKeepsItsMiou(String id) throws Exception {
        Path shared = Real.shared();
        Path voc = shared.resolve("data/voc2012-sample/VOCdevkit");
        try (Plugins plugins = Real.plugins()) {
            Backend cpu = Real.cpu(plugins);
            ModelSource model = plugins.catalogFor(id).orElseThrow().load(id,
                    WeightsSpec.checkpoint(shared.resolve("data/nas-segm-reference/" + id + "-seed1.pth")));
            List<String> log = new ArrayList<>();
            CalibrationTable table = new Calibrator(plugins::datasetProvider, cpu, Progress.NONE, log::add).calibrate(model,
                    CalibrationRequests.of("voc:" + voc, "val", "voc:" + voc, DatasetOptions.defaults(),
                            CalibrationRequest.DEFAULT_IMAGES, CalibrationRequest.DEFAULT_METHOD, null, null, 2));
            assertEquals(5, table.key().imageIds().size(), "calibrated on the five sample images");
            SessionOptions fp32 = new SessionOptions(Precision.FP32, 2, null, null, Map.of());
            ModelInfo info = model.info();
            ConfusionMatrix fp32Truth = new ConfusionMatrix(info.numClasses());
            ConfusionMatrix int8Truth = new ConfusionMatrix(info.numClasses());
            long same = 0;
            long total = 0;
            try (Dataset data = plugins.datasetProvider("voc").orElseThrow().open(voc.toString(), DatasetOptions.defaults());
                 InferenceSession f = cpu.open(model, fp32);
                 InferenceSession q = cpu.open(model, new SessionOptions(Precision.INT8, 2, null, null, Map.of())
                         .withCalibration(table))) {
                for (int i = 0; i < data.size(); i++) {
                    Sample s = data.load(i);
                    byte[] a = labels(f, s, info);
                    byte[] b = labels(q, s, info);
                    for (int p = 0; p < a.length; p++) {
                        same += a[p] == b[p] ? 1 : 0;
                    }
                    total += a.length;
                    fp32Truth.add(s.labels(), a);
                    int8Truth.add(s.labels(), b);
                }
            }
            double agreement = same / (double) total;
            double delta = int8Truth.meanIou() - fp32Truth.meanIou();
            System.out.printf(Locale.ROOT, "%s int8 (%s calibration): agreement %.3f%%, mIoU %.4f vs fp32 %.4f (%+.4f)%n",
                    id, table.key().method().id(), 100 * agreement, int8Truth.meanIou(), fp32Truth.meanIou(), delta);
            assertTrue(agreement >= 0.98, id + ": int8 agrees with fp32 on " + agreement);
            assertTrue(Math.abs(delta) <= 0.01, id + ": int8 mIoU differs from fp32's by " + delta);
        }
    }

    private static byte[] labels(InferenceSession session, Sample s, ModelInfo info) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            HostTensor input = session.newInput(arena, 1, s.height(), s.width());
            Segmentation.preprocess(s.rgb(), s.width(), s.height(), info.preprocessing(), input.data(), 0);
            try (InferenceResult r = session.run(input)) {
                HostTensor logits = r.output();
                return Segmentation.labels(logits.data().toArray(HostTensor.FLOAT), info.numClasses(),
                        (int) logits.dim(2), (int) logits.dim(3), s.height(), s.width());
            }
        }
    }
}
