package dev.segbench.backend.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsInfo;
import dev.segbench.testfixtures.StubModels;
import dev.segbench.testfixtures.TorchvisionModels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.Collections;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * torchvision's LR-ASPP and DeepLabV3 (MobileNetV3, seeded weights, exported with a dynamic input size) on the pytorch
 * interpreter against ONNX Runtime on the same file: logits within 1e-4 x max|logit| and labels equal on >= 99.9% of
 * the pixels, at a square and a non-square size (the shape sub-graph folded for each).
 */
class TorchvisionModelsTest {

    static ModelSource source(String id, byte[] onnx) {
        var info = new StubModels.Info(id, "torchvision " + id, "-", Collections.nCopies(21, "class"), Preprocessing.IMAGENET,
                1, 0, (h, w) -> 0);
        return StubModels.source(info, WeightsInfo.seeded(0), (precision, labels) ->
                new ModelArtifact(id, precision, false, onnx, "", WeightsInfo.seeded(0)));
    }

    @ParameterizedTest
    @CsvSource({"lraspp,256,256", "lraspp,200,328", "deeplabv3,256,256", "deeplabv3,240,320"})
    void logitsAndLabelsMatchOnnxRuntime(String model, int h, int w) throws Exception {
        byte[] onnx = Files.readAllBytes(TorchvisionModels.onnx(model));
        long[] shape = {1, 3, h, w};
        float[] input = new float[3 * h * w];
        Random random = new Random(11);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] want;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession ort = env.createSession(onnx);
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result expected = ort.run(Map.of("input", in))) {
            OnnxTensor e = (OnnxTensor) expected.get(0);
            assertArrayEquals(new long[] {1, 21, h, w}, e.getInfo().getShape());
            want = new float[(int) e.getInfo().getNumElements()];
            e.getFloatBuffer().get(want);
        }
        SessionOptions options = new SessionOptions(Precision.FP32, 1, null, null, Map.of());
        float[] got;
        try (InferenceSession session = new PyTorchBackend().open(source(model, onnx), options);
             Arena arena = Arena.ofConfined()) {
            HostTensor x = HostTensor.allocate(arena, DType.FLOAT32, shape);
            x.data().copyFrom(MemorySegment.ofArray(input));
            try (InferenceResult r = session.run(x)) {
                assertArrayEquals(new long[] {1, 21, h, w}, r.output().shape());
                got = r.output().data().toArray(ValueLayout.JAVA_FLOAT);
            }
        }
        float scale = 0;
        float diff = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(got[i] - want[i]));
        }
        assertTrue(scale > 0 && diff <= 1e-4f * scale, model + " " + h + "x" + w + ": max|diff| " + diff + " of max|logit| " + scale);
        int plane = h * w;
        int differing = 0;
        for (int p = 0; p < plane; p++) {
            differing += argmax(want, p, plane) != argmax(got, p, plane) ? 1 : 0;
        }
        assertTrue(differing <= plane / 1000, model + ": " + differing + " of " + plane + " labels differ");
    }

    private static int argmax(float[] logits, int pixel, int plane) {
        int best = 0;
        for (int c = 1; c < 21; c++) {
            if (logits[c * plane + pixel] > logits[best * plane + pixel]) {
                best = c;
            }
        }
        return best;
    }
}
