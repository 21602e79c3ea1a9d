package dev.segbench.backend.cpu;

import ai.onnx.proto.OnnxMl;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Intermediate tensors through ONNX Runtime: the captured values are the ones the graph computes. */
class CpuIntermediateOutputsTest {

    private final OrtCpuBackend backend = new OrtCpuBackend();

    @Test
    void capturedConvAndClipOfTheTinyGraphEqualPlainJava() throws Exception {
        int h = 9, w = 7;
        float[] x = random(3 * h * w, 5);
        float[] expected = TinyConvModel.expectedLogits(x, 1, h, w, TinyConvModel.STRIDE);
        try (Arena arena = Arena.ofConfined();
             InferenceSession s = backend.open(new TinyConvModel(), new SessionOptions(Precision.FP32, 1, null, null, Map.of()))) {
            HostTensor input = input(arena, x, h, w);
            try (InferenceResult r = s.run(input, Set.of("conv", "clipped", "no-such-tensor"));
                 InferenceResult plain = s.run(input)) {
                Map<String, HostTensor> extras = r.extraOutputs();
                assertEquals(Set.of("conv", "clipped"), extras.keySet(), "a name the graph lacks must be absent");
                float[] conv = floats(extras.get("conv"));
                float[] clipped = floats(extras.get("clipped"));
                boolean negative = false;
                for (int i = 0; i < conv.length; i++) {
                    assertEquals(expected[i], Math.min(Math.max(conv[i], 0), TinyConvModel.CLIP_MAX), 1e-5, "conv[" + i + "]");
                    assertEquals(expected[i], clipped[i], 1e-5, "clipped[" + i + "]");
                    negative |= conv[i] < 0;
                }
                assertTrue(negative, "the conv output is captured before the clip (some value below 0)");
                assertArrayEquals(floats(plain.output()), floats(r.output()), "the output is the plain run's");
            }
        }
    }

    @Test
    void fp16TensorsComeBackAsFp32CloseToTheFloatGraph() throws Exception {
        int h = 8, w = 8;
        float[] x = random(3 * h * w, 6);
        try (Arena arena = Arena.ofConfined();
             InferenceSession fp32 = backend.open(new TinyConvModel(), new SessionOptions(Precision.FP32, 1, null, null, Map.of()));
             InferenceSession fp16 = backend.open(new TinyConvModel(), new SessionOptions(Precision.FP16, 1, null, null, Map.of()))) {
            HostTensor input = input(arena, x, h, w);
            try (InferenceResult a = fp32.run(input, Set.of("conv")); InferenceResult b = fp16.run(input, Set.of("conv"))) {
                float[] ref = floats(a.extraOutputs().get("conv"));
                float[] half = floats(b.extraOutputs().get("conv"));
                assertEquals(ref.length, half.length);
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], half[i], 1e-2 + 1e-3 * Math.abs(ref[i]), "conv[" + i + "] in fp16");
                }
            }
        }
    }

    /** The int8 graph answers to the float graph's names of every Conv, Relu and Add output. */
    @Test
    void int8GraphAnswersToTheFloatGraphsTensorNames() throws Exception {
        ModelSource arch2 = NasSegmOnCpuTest.catalogWith("arch2").load("arch2", WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
        OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(arch2.artifact(Precision.FP32, false).onnx()).getGraph();
        Set<String> names = new LinkedHashSet<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            if (Set.of("Conv", "Relu", "Add").contains(n.getOpType())) {
                names.addAll(n.getOutputList());
            }
        }
        int h = 64, w = 80;
        List<float[]> images = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            images.add(random(3 * h * w, 20 + i));
        }
        CalibrationTable table = new NasSegmOnCpuTest().calibrate(arch2, images, h, w, CalibrationMethod.MINMAX);
        try (Arena arena = Arena.ofConfined();
             InferenceSession fp32 = backend.open(arch2, new SessionOptions(Precision.FP32, 2, null, null, Map.of()));
             InferenceSession int8 = backend.open(arch2, new SessionOptions(Precision.INT8, 2, null, null, Map.of())
                     .withCalibration(table))) {
            HostTensor input = input(arena, images.getFirst(), h, w);
            try (InferenceResult a = fp32.run(input, names); InferenceResult b = int8.run(input, names)) {
                assertEquals(names, a.extraOutputs().keySet());
                assertEquals(names, b.extraOutputs().keySet());
                for (String name : names) {
                    float[] ref = floats(a.extraOutputs().get(name));
                    float[] q = floats(b.extraOutputs().get(name));
                    assertEquals(ref.length, q.length, name);
                    double err = 0, norm = 0;
                    for (int i = 0; i < ref.length; i++) {
                        err += (ref[i] - q[i]) * (double) (ref[i] - q[i]);
                        norm += ref[i] * (double) ref[i];
                    }
                    assertTrue(Math.sqrt(err / Math.max(norm, 1e-30)) < 0.5, name + " of int8 is far from fp32's");
                }
                assertFalse(names.isEmpty());
            }
        }
    }

    private static HostTensor input(Arena arena, float[] x, int h, int w) {
        HostTensor t = HostTensor.allocate(arena, dev.segbench.api.DType.FLOAT32, 1, 3, h, w);
        t.data().copyFrom(MemorySegment.ofArray(x));
        return t;
    }

    private static float[] floats(HostTensor t) {
        return t.data().toArray(HostTensor.FLOAT);
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
