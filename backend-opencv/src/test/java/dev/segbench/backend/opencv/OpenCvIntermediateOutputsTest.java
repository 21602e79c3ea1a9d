package dev.segbench.backend.opencv;

import ai.onnx.proto.OnnxMl;
import dev.segbench.api.Backend;
import dev.segbench.api.Capability;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.backend.cpu.OrtCpuBackend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every node result OpenCV DNN returns by layer (tensor) name equals what ONNX Runtime computes for the same name. */
class OpenCvIntermediateOutputsTest {

    @Test
    void capturedTensorsOfArch2EqualTheCpuBackends() throws Exception {
        assertTrue(new OpenCvBackend().availability().capabilities().contains(Capability.INTERMEDIATE_OUTPUTS));
        ModelSource arch2 = ServiceLoader.load(ModelCatalog.class).stream().map(ServiceLoader.Provider::get)
                .filter(c -> c.find("arch2").isPresent()).findFirst().orElseThrow()
                .load("arch2", WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
        Set<String> names = new LinkedHashSet<>();
        for (OnnxMl.NodeProto n : OnnxMl.ModelProto.parseFrom(arch2.artifact(Precision.FP32, false).onnx()).getGraph().getNodeList()) {
            names.addAll(n.getOutputList());
        }
        Map<String, HostTensor> expected = capture(new OrtCpuBackend(), arch2, names);
        Map<String, HostTensor> got = capture(new OpenCvBackend(), arch2, names);
        java.util.List<String> convs = OnnxMl.ModelProto.parseFrom(arch2.artifact(Precision.FP32, false).onnx()).getGraph()
                .getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).map(n -> n.getOutput(0)).toList();
        assertTrue(got.keySet().containsAll(convs), "every convolution's output, unfused: missing "
                + convs.stream().filter(c -> !got.containsKey(c)).toList());
        assertTrue(expected.keySet().containsAll(got.keySet()), "no tensor the graph does not compute");
        boolean negativeBeforeRelu = false;
        for (String name : got.keySet()) {
            assertArrayEquals(expected.get(name).shape(), got.get(name).shape(), name);
            float[] e = expected.get(name).data().toArray(HostTensor.FLOAT);
            float[] g = got.get(name).data().toArray(HostTensor.FLOAT);
            float scale = 0, diff = 0;
            for (int i = 0; i < e.length; i++) {
                scale = Math.max(scale, Math.abs(e[i]));
                diff = Math.max(diff, Math.abs(e[i] - g[i]));
                negativeBeforeRelu |= g[i] < 0;
            }
            assertTrue(diff <= 1e-4f * scale + 1e-5f, name + ": max|diff| " + diff + " of max " + scale);
        }
        assertTrue(negativeBeforeRelu, "convolution outputs are taken before the ReLU/Clip after them (not fused)");
    }

    /** The captured tensors of one run at 64x80, as heap copies. */
    static Map<String, HostTensor> capture(Backend backend, ModelSource model, Set<String> names) throws Exception {
        Random random = new Random(5);
        float[] x = new float[3 * 64 * 80];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (Arena arena = Arena.ofConfined();
             InferenceSession s = backend.open(model, new SessionOptions(Precision.FP32, 2, null, null, Map.of()))) {
            HostTensor input = HostTensor.allocate(arena, DType.FLOAT32, 1, 3, 64, 80);
            input.data().copyFrom(MemorySegment.ofArray(x));
            try (InferenceResult r = s.run(input, names)) {
                Map<String, HostTensor> copies = new java.util.TreeMap<>();
                r.extraOutputs().forEach((k, v) -> copies.put(k, new HostTensor(DType.FLOAT32, v.shape(),
                        MemorySegment.ofArray(v.data().toArray(HostTensor.FLOAT)))));
                assertTrue(copies.size() > names.size() / 2, backend.id() + " captured only " + copies.size()
                        + " of " + names.size() + ": " + Arrays.toString(copies.keySet().toArray()));
                return copies;
            }
        }
    }
}
