package dev.segbench.backend.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segbench.api.Backend;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Sample;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.LabelPng;
import dev.segbench.api.io.Npy;
import dev.segbench.backend.cpu.OrtCpuBackend;
import dev.segbench.models.NasSegmCatalog;
import dev.segbench.testfixtures.ReferenceImages;
import dev.segbench.testfixtures.SharedFixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The acceptance check of issue 18 on the fixture checkpoints and the VOC sample: pytorch FP32 logits within
 * 1e-4 x max|logit| of the cpu backend's FP32 logits and of the original PyTorch outputs, labels-out equal to the cpu
 * backend's on >= 99.9% of the pixels, and the mIoU over the five images equal to the cpu backend's and the
 * original's (manifest) to 1e-3.
 */
class PyTorchReferenceTest {

    private static final int CLASSES = 21;

    @ParameterizedTest
    @ValueSource(strings = {"arch0", "arch1", "arch2"})
    void matchesTheCpuBackendAndTheOriginalPyTorchOutputs(String modelId) throws Exception {
        Path ref = SharedFixtures.reference("pytorch backend against the reference outputs of " + modelId);
        Path shared = SharedFixtures.shared("pytorch backend reference check");
        ModelSource source = new NasSegmCatalog().load(modelId, WeightsSpec.checkpoint(ref.resolve(modelId + "-seed1.pth")));
        Backend pytorch = new PyTorchBackend();
        assertTrue(pytorch.availability().available(), String.valueOf(pytorch.availability().reason()));
        Backend cpu = new OrtCpuBackend();
        // one thread: the accuracy does not depend on it, and OpenMP barriers crawl on an oversubscribed CI machine
        SessionOptions logits = new SessionOptions(Precision.FP32, 1, null, null, java.util.Map.of());
        SessionOptions labels = logits.withLabelsOut(true);
        long[][] confusionTorch = new long[CLASSES][CLASSES];
        long[][] confusionCpu = new long[CLASSES][CLASSES];
        try (InferenceSession torchLogits = pytorch.open(source, logits);
             InferenceSession torchLabels = pytorch.open(source, labels);
             InferenceSession cpuLogits = cpu.open(source, logits);
             InferenceSession cpuLabels = cpu.open(source, labels);
             Arena arena = Arena.ofConfined()) {
            for (String id : SharedFixtures.IMAGE_IDS) {
                String what = modelId + " on " + id;
                ReferenceImages.Input in = ReferenceImages.load(SharedFixtures.image(shared, id), source.info().preprocessing());
                HostTensor x = HostTensor.allocate(arena, dev.segbench.api.DType.FLOAT32, 1, 3, in.height(), in.width());
                MemorySegment.copy(in.nchw(), 0, x.data(), ValueLayout.JAVA_FLOAT, 0, in.nchw().length);

                float[] original = Npy.read(ref.resolve(modelId + "-seed1-" + id + "-logits.npy")).floats();
                float[] ours = floats(torchLogits, x);
                float[] theirs = floats(cpuLogits, x);
                assertEquals(original.length, ours.length, what + ": logits size");
                float scale = maxAbs(original);
                float vsOriginal = maxAbsDiff(ours, original);
                float vsCpu = maxAbsDiff(ours, theirs);
                assertTrue(vsOriginal <= 1e-4f * scale, what + ": max|diff| to PyTorch " + vsOriginal + " > 1e-4 x " + scale);
                assertTrue(vsCpu <= 1e-4f * scale, what + ": max|diff| to cpu " + vsCpu + " > 1e-4 x " + scale);

                byte[] ourLabels = bytes(torchLabels, x);
                byte[] cpuLabelBytes = bytes(cpuLabels, x);
                double agree = agreement(ourLabels, cpuLabelBytes);
                assertTrue(agree >= 0.999, what + ": labels agree with cpu on " + agree);
                LabelPng.Labels truth = LabelPng.decode(Files.readAllBytes(shared.resolve(
                        "data/voc2012-sample/VOCdevkit/VOC2012/SegmentationClass/" + id + ".png")));
                assertArrayEquals(new int[] {in.width(), in.height()}, new int[] {truth.width(), truth.height()}, what);
                count(confusionTorch, truth.values(), ourLabels);
                count(confusionCpu, truth.values(), cpuLabelBytes);
                System.out.printf("%s: max|diff| %.2e (PyTorch) %.2e (cpu) of max|logit|, labels %.5f equal to cpu%n",
                        what, vsOriginal / scale, vsCpu / scale, agree);
            }
        }
        double expected = new ObjectMapper().readTree(ref.resolve("manifest-seed1.json").toFile())
                .path("models").path(modelId).path("metrics_on_images").path("miou").asDouble(Double.NaN);
        double ours = meanIou(confusionTorch);
        assertEquals(expected, ours, 1e-3, modelId + ": mIoU against the original's");
        assertEquals(meanIou(confusionCpu), ours, 1e-3, modelId + ": mIoU against the cpu backend's");
    }

    private static float[] floats(InferenceSession s, HostTensor x) throws Exception {
        try (InferenceResult r = s.run(x)) {
            return r.output().data().toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private static byte[] bytes(InferenceSession s, HostTensor x) throws Exception {
        try (InferenceResult r = s.run(x)) {
            return r.output().data().asSlice(0, r.output().byteSize()).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double agreement(byte[] a, byte[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return (double) same / a.length;
    }

    /** Rows: ground truth, columns: prediction; 255 in the ground truth is ignored. */
    private static void count(long[][] confusion, byte[] truth, byte[] predicted) {
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i] & 0xff;
            if (t != Sample.IGNORE) {
                confusion[t][predicted[i] & 0xff]++;
            }
        }
    }

    /** Mean over the classes with a non-empty union of tp / (tp + fp + fn), as the fixtures' manifest computes it. */
    private static double meanIou(long[][] c) {
        double sum = 0;
        int n = 0;
        for (int k = 0; k < CLASSES; k++) {
            long tp = c[k][k];
            long fn = 0;
            long fp = 0;
            for (int j = 0; j < CLASSES; j++) {
                if (j != k) {
                    fn += c[k][j];
                    fp += c[j][k];
                }
            }
            if (tp + fp + fn > 0) {
                sum += (double) tp / (tp + fp + fn);
                n++;
            }
        }
        return sum / n;
    }
}
