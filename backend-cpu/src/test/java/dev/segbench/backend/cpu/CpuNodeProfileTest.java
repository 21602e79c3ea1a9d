package dev.segbench.backend.cpu;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link InferenceSession#profileNodes} on real ONNX Runtime profiles: ORT renames the kernels it fuses (QDQ groups into
 * QLinearConv, Conv+activation into FusedConv, NCHWc convolutions), and every quantizable convolution must still come
 * back under its own Conv node name, in the FP32 graph and in the fully quantized int8 graph.
 */
class CpuNodeProfileTest {

    private final OrtCpuBackend backend = new OrtCpuBackend();

    private static List<String> foreign(Map<String, Double> times, GraphProto g) {
        Set<String> names = new HashSet<>();
        g.getNodeList().forEach(n -> names.add(n.getName()));
        return times.keySet().stream().filter(k -> !names.contains(k)).toList();
    }

    private static String producer(GraphProto g, String tensor) {
        return g.getNodeList().stream().filter(n -> n.getOutputList().contains(tensor)).map(NodeProto::getName)
                .findFirst().orElse("");
    }

    @Test
    void everyConvolutionOfArch2IsTimedUnderItsNodeNameInFp32AndInt8() throws Exception {
        ModelSource arch2 = NasSegmOnCpuTest.catalogWith("arch2").load("arch2", WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
        List<float[]> images = new ArrayList<>();
        Random random = new Random(5);
        float[] x = new float[3 * 64 * 80];
        for (int j = 0; j < x.length; j++) {
            x[j] = (float) random.nextGaussian();
        }
        images.add(x);
        CalibrationTable table = new NasSegmOnCpuTest().calibrate(arch2, images, 64, 80, CalibrationMethod.MINMAX);
        List<ModelSource.Layer> layers = arch2.int8().orElseThrow().quantizableLayers();
        try (Arena arena = Arena.ofConfined();
             InferenceSession fp32 = backend.open(arch2, new SessionOptions(Precision.FP32, 1, null, null, Map.of()));
             InferenceSession int8 = backend.open(arch2, new SessionOptions(Precision.INT8, 1, null, null, Map.of())
                     .withCalibration(table))) {
            HostTensor input = fp32.newInput(arena, 1, 64, 80);
            input.data().copyFrom(MemorySegment.ofArray(x));
            Map<String, Double> f = fp32.profileNodes(input, 2).orElseThrow();
            Map<String, Double> q = int8.profileNodes(input, 2).orElseThrow();
            GraphProto fg = ModelProto.parseFrom(fp32.artifact().onnx()).getGraph();
            GraphProto qg = ModelProto.parseFrom(int8.artifact().onnx()).getGraph();
            System.out.println("fp32 kernels under no graph node: " + foreign(f, fg));
            System.out.println("int8 kernels under no graph node: " + foreign(q, qg));
            for (ModelSource.Layer l : layers) {
                // FP32: ORT fuses Conv and its activation into one kernel named after either node
                double ft = f.getOrDefault(l.name(), 0.0) + f.getOrDefault(producer(fg, l.output()), 0.0);
                assertTrue(ft > 0, l.name() + ": no time in the FP32 profile");
                // int8: the QDQ group becomes a QLinearConv that keeps the Conv's name
                assertTrue(q.getOrDefault(l.name(), 0.0) > 0, l.name() + ": no time in the int8 profile");
            }
            // what is left unmapped is ORT's own layout work, never a renamed node of the graph
            for (String k : foreign(f, fg)) {
                assertTrue(k.matches("(ReorderInput|ReorderOutput|Transpose)(_token_\\d+)?"), "fp32 kernel " + k);
            }
            for (String k : foreign(q, qg)) {
                assertTrue(k.matches("(ReorderInput|ReorderOutput|Transpose)(_token_\\d+)?"), "int8 kernel " + k);
            }
        }
    }
}
