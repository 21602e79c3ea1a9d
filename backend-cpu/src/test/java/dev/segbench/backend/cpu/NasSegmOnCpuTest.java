package dev.segbench.backend.cpu;

import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.models.calibration.CalibrationStatistics;
import dev.segbench.testfixtures.ReferenceImages;
import dev.segbench.testfixtures.SharedFixtures;
import dev.segbench.testfixtures.StubModels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real NAS-segm graphs from the models module's catalogue on the CPU backend: seeded weights always (the models
 * module is a test dependency, so a missing catalogue fails instead of skipping), and the fixture checkpoints on the
 * five VOC sample images where ../shared is present (skipped visibly where it is not).
 */
class NasSegmOnCpuTest {

    private final OrtCpuBackend backend = new OrtCpuBackend();

    static ModelCatalog catalogWith(String modelId) {
        return ServiceLoader.load(ModelCatalog.class).stream().map(ServiceLoader.Provider::get)
                .filter(c -> c.find(modelId).isPresent()).findFirst()
                .orElseThrow(() -> new AssertionError("no ModelCatalog lists " + modelId + ", though the models module"
                        + " is a test dependency of backend-cpu"));
    }

    private static ModelSource seeded(String id) throws ModelException {
        return catalogWith(id).load(id, WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
    }

    @Test
    void seededArch0RunsAt64x96WithTheDocumentedLogitsShape() throws Exception {
        float[] logits = run(seeded("arch0"), Precision.FP32);
        for (float v : logits) {
            assertTrue(Float.isFinite(v), "non-finite logit");
        }
    }

    @Test
    void fp16GraphRunsAndTracksFp32() throws Exception {
        ModelSource arch0 = seeded("arch0");
        float[] fp32 = run(arch0, Precision.FP32);
        float[] fp16 = run(arch0, Precision.FP16);
        double maxAbs = 0, maxDiff = 0;
        for (int i = 0; i < fp32.length; i++) {
            assertTrue(Float.isFinite(fp16[i]), "non-finite FP16 logit at " + i);
            maxAbs = Math.max(maxAbs, Math.abs(fp32[i]));
            maxDiff = Math.max(maxDiff, Math.abs(fp32[i] - fp16[i]));
        }
        assertTrue(maxAbs > 0, "all-zero logits");
        // loose bound: FP16 through ~50 layers of untrained weights; catches a wrong graph, not rounding
        assertTrue(maxDiff <= 0.05 * maxAbs + 1e-3, "FP16 differs from FP32 by " + maxDiff + " (max |logit| " + maxAbs + ")");
    }

    @Test
    void labelsOutGivesOneClassPerInputPixel() throws Exception {
        ModelSource arch0 = seeded("arch0");
        SessionOptions options = new SessionOptions(Precision.FP32, 2, SessionOptions.ShapeProfile.DEFAULT, null,
                Map.of(), true, null);
        try (Arena arena = Arena.ofConfined(); InferenceSession session = backend.open(arch0, options)) {
            HostTensor input = randomInput(session, arena, 64, 96);
            try (InferenceResult result = session.run(input)) {
                HostTensor labels = result.output();
                assertEquals(DType.UINT8, labels.dtype());
                assertArrayEquals(new long[] {1, 64, 96}, labels.shape());
                for (long i = 0; i < labels.elementCount(); i++) {
                    int label = Byte.toUnsignedInt(labels.data().get(ValueLayout.JAVA_BYTE, i));
                    assertTrue(label < arch0.info().numClasses(), "label " + label + " at " + i);
                }
            }
        }
    }

    /** The calibration graph through the backend: every tensor to calibrate comes back as an extra output. */
    @Test
    void calibrationGraphReturnsEveryTensorAsAnExtraOutput() throws Exception {
        ModelSource arch1 = seeded("arch1");
        ModelSource.CalibrationGraph graph = arch1.int8().orElseThrow().calibrationGraph();
        SessionOptions options = new SessionOptions(Precision.FP32, 2, null, null, Map.of());
        try (Arena arena = Arena.ofConfined();
             InferenceSession calibration = backend.open(graphAsFp32(arch1, graph.artifact()), options);
             InferenceSession plain = backend.open(arch1, options)) {
            HostTensor input = randomInput(calibration, arena, 40, 56);
            try (InferenceResult r = calibration.run(input); InferenceResult p = plain.run(input)) {
                Map<String, HostTensor> extras = r.extraOutputs();
                assertEquals(graph.tensors(), List.copyOf(extras.keySet()));
                assertTrue(p.extraOutputs().isEmpty(), "a one-output graph has no extra outputs");
                for (HostTensor t : extras.values()) {
                    assertEquals(DType.FLOAT32, t.dtype());
                    assertEquals(4, t.rank());
                    assertEquals(1, t.dim(0));
                }
                assertArrayEquals(input.data().toArray(HostTensor.FLOAT),
                        extras.get(ModelArtifact.INPUT_NAME).data().toArray(HostTensor.FLOAT));
                float[] expected = p.output().data().toArray(HostTensor.FLOAT);
                float maxAbs = 0;
                for (float v : expected) {
                    maxAbs = Math.max(maxAbs, Math.abs(v));
                }
                // the extra outputs keep ORT from fusing some nodes, so float rounding differs slightly
                assertArrayEquals(expected, r.output().data().toArray(HostTensor.FLOAT), 2e-5f * maxAbs);
            }
        }
    }

    /** Seeded weights, calibrated on random images: the int8 session runs and its logits follow FP32's. */
    @Test
    void seededInt8RunsAndFollowsFp32() throws Exception {
        ModelSource arch2 = seeded("arch2");
        List<float[]> images = new ArrayList<>();
        Random random = new Random(11);
        for (int i = 0; i < 3; i++) {
            float[] x = new float[3 * 64 * 80];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) random.nextGaussian();
            }
            images.add(x);
        }
        CalibrationTable table = calibrate(arch2, images, 64, 80, CalibrationMethod.MINMAX);
        SessionOptions fp32Options = new SessionOptions(Precision.FP32, 2, null, null, Map.of());
        try (Arena arena = Arena.ofConfined();
             InferenceSession fp32 = backend.open(arch2, fp32Options);
             InferenceSession int8 = backend.open(arch2, new SessionOptions(Precision.INT8, 2, null, null, Map.of())
                     .withCalibration(table))) {
            assertEquals(Precision.INT8, int8.artifact().precision());
            HostTensor input = fp32.newInput(arena, 1, 64, 80);
            input.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(images.getFirst()));
            try (InferenceResult a = fp32.run(input); InferenceResult b = int8.run(input)) {
                assertArrayEquals(a.output().shape(), b.output().shape());
                float[] x = a.output().data().toArray(HostTensor.FLOAT);
                float[] y = b.output().data().toArray(HostTensor.FLOAT);
                double err = 0, norm = 0;
                for (int i = 0; i < x.length; i++) {
                    err += (x[i] - y[i]) * (double) (x[i] - y[i]);
                    norm += x[i] * (double) x[i];
                }
                double relative = Math.sqrt(err / norm);
                System.out.printf(Locale.ROOT, "arch2 seeded int8 vs fp32: relative logit error %.4f%n", relative);
                assertTrue(relative < 0.25, "int8 logits differ from FP32 by " + relative + " (relative L2)");
            }
        }
    }

    /**
     * The int8 acceptance on the backend alone: fixture checkpoints, calibrated (percentile) on the five VOC sample
     * images themselves, labels-out int8 agrees with labels-out FP32 on at least 98% of the pixels of each model.
     */
    @Test
    void int8OnTheVocSampleAgreesWithFp32OnAtLeast98PercentOfLabels() throws Exception {
        Path shared = SharedFixtures.shared("int8 agreement on the VOC sample");
        Path reference = shared.resolve("data/nas-segm-reference");
        List<ReferenceImages.Input> images = new ArrayList<>();
        for (String id : SharedFixtures.IMAGE_IDS) {
            images.add(ReferenceImages.load(SharedFixtures.image(shared, id), Preprocessing.IMAGENET));
        }
        for (String id : List.of("arch0", "arch1", "arch2")) {
            ModelSource model = catalogWith(id).load(id, WeightsSpec.checkpoint(reference.resolve(id + "-seed1.pth")));
            CalibrationTable table = calibrate(model, images, CalibrationMethod.PERCENTILE);
            long same = 0, total = 0;
            try (InferenceSession fp32 = backend.open(model, new SessionOptions(Precision.FP32, 2, null, null, Map.of()).withLabelsOut(true));
                 InferenceSession int8 = backend.open(model, new SessionOptions(Precision.INT8, 2, null, null, Map.of()).withLabelsOut(true)
                         .withCalibration(table))) {
                for (ReferenceImages.Input image : images) {
                    try (Arena arena = Arena.ofConfined()) {
                        HostTensor input = fp32.newInput(arena, 1, image.height(), image.width());
                        input.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(image.nchw()));
                        try (InferenceResult a = fp32.run(input); InferenceResult b = int8.run(input)) {
                            byte[] x = a.output().data().toArray(ValueLayout.JAVA_BYTE);
                            byte[] y = b.output().data().toArray(ValueLayout.JAVA_BYTE);
                            for (int i = 0; i < x.length; i++) {
                                same += x[i] == y[i] ? 1 : 0;
                            }
                            total += x.length;
                        }
                    }
                }
            }
            double agreement = same / (double) total;
            System.out.printf(Locale.ROOT, "%s int8 (%s) agrees with fp32 on %.3f%% of labels%n", id,
                    OrtCpuBackend.INT8_ACTIVATIONS, 100 * agreement);
            assertTrue(agreement >= 0.98, id + ": int8 agrees with fp32 on only " + agreement);
        }
    }

    CalibrationTable calibrate(ModelSource model, List<float[]> random, int h, int w, CalibrationMethod method)
            throws Exception {
        List<ReferenceImages.Input> images = random.stream().map(x -> new ReferenceImages.Input(h, w, x)).toList();
        return calibrate(model, images, method);
    }

    /** Runs the calibration graph through the backend on {@code images} and builds the table. */
    private CalibrationTable calibrate(ModelSource model, List<ReferenceImages.Input> images, CalibrationMethod method) throws Exception {
        ModelSource.CalibrationGraph graph = model.int8().orElseThrow().calibrationGraph();
        CalibrationStatistics statistics = new CalibrationStatistics(graph.tensors());
        List<String> ids = new ArrayList<>();
        try (InferenceSession session = backend.open(graphAsFp32(model, graph.artifact()),
                new SessionOptions(Precision.FP32, 2, null, null, Map.of()))) {
            for (ReferenceImages.Input image : images) {
                try (Arena arena = Arena.ofConfined()) {
                    HostTensor input = session.newInput(arena, 1, image.height(), image.width());
                    input.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(image.nchw()));
                    try (InferenceResult r = session.run(input)) {
                        r.extraOutputs().forEach(statistics::add);
                    }
                }
                ids.add("image-" + ids.size());
            }
        }
        return statistics.table(new CalibrationTable.Key(model.info().id(), model.weights().sha256(), "test images", ids,
                method, model.int8().orElseThrow().graphVersion()));
    }

    /** A model whose FP32 logits graph is {@code graph} (how a caller hands a calibration graph to a backend). */
    private static ModelSource graphAsFp32(ModelSource model, ModelArtifact graph) {
        return StubModels.source(model.info(), model.weights(), (precision, labelsOut) -> graph);
    }

    private float[] run(ModelSource model, Precision precision) throws Exception {
        SessionOptions options = new SessionOptions(precision, 2, SessionOptions.ShapeProfile.DEFAULT, null, Map.of());
        try (Arena arena = Arena.ofConfined(); InferenceSession session = backend.open(model, options)) {
            HostTensor input = randomInput(session, arena, 64, 96);
            try (InferenceResult result = session.run(input)) {
                HostTensor out = result.output();
                assertEquals(DType.FLOAT32, out.dtype());
                assertArrayEquals(new long[] {1, 21, 16, 24}, out.shape());
                return out.data().toArray(HostTensor.FLOAT);
            }
        }
    }

    private static HostTensor randomInput(InferenceSession session, Arena arena, int h, int w) {
        HostTensor input = session.newInput(arena, 1, h, w);
        Random random = new Random(3);
        for (long i = 0; i < input.elementCount(); i++) {
            input.setFloat(i, (float) random.nextGaussian());
        }
        return input;
    }
}
