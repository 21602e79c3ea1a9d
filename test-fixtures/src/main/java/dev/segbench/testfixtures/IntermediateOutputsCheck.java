package dev.segbench.testfixtures;

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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The check of a backend's intermediate outputs ({@code InferenceSession.run(input, capture)}) against a reference
 * backend's (the cpu backend, which test-fixtures cannot depend on): arch2 with seeded weights, every node output
 * asked for from one random 64x80 input, and each tensor the backend returns equal by name to the reference's.
 */
public final class IntermediateOutputsCheck {

    private IntermediateOutputsCheck() {
    }

    /**
     * What the two backends captured.
     *
     * @param convolutions the output of every Conv of the graph
     * @param expected     the reference backend's tensors by name
     * @param got          the checked backend's tensors by name
     */
    public record Captures(List<String> convolutions, Map<String, HostTensor> expected, Map<String, HostTensor> got) {

        /**
         * Every tensor {@code got} holds is one the reference returned too, of the same shape and values (within 1e-4
         * of its largest magnitude), and some value is negative: tensors are taken before the ReLU/Clip that follows
         * (why, in the backend's terms, is {@code beforeActivation}).
         */
        public void assertSameTensors(String beforeActivation) {
            assertTrue(expected.keySet().containsAll(got.keySet()), "no tensor the graph does not compute: "
                    + got.keySet().stream().filter(n -> !expected.containsKey(n)).toList());
            boolean negative = false;
            for (String name : got.keySet()) {
                assertArrayEquals(expected.get(name).shape(), got.get(name).shape(), name);
                float[] e = expected.get(name).data().toArray(HostTensor.FLOAT);
                float[] g = got.get(name).data().toArray(HostTensor.FLOAT);
                float scale = 0, diff = 0;
                for (int i = 0; i < e.length; i++) {
                    scale = Math.max(scale, Math.abs(e[i]));
                    diff = Math.max(diff, Math.abs(e[i] - g[i]));
                    negative |= g[i] < 0;
                }
                assertTrue(diff <= 1e-4f * scale + 1e-5f, name + ": max|diff| " + diff + " of max " + scale);
            }
            assertTrue(negative, beforeActivation);
        }
    }

    /** Every node output of arch2 captured by {@code reference} and by {@code backend}, which must offer capture. */
    public static Captures arch2(Backend reference, Backend backend) throws Exception {
        assertTrue(backend.availability().capabilities().contains(Capability.INTERMEDIATE_OUTPUTS),
                backend.id() + " declares no intermediate outputs");
        ModelSource arch2 = ServiceLoader.load(ModelCatalog.class).stream().map(ServiceLoader.Provider::get)
                .filter(c -> c.find("arch2").isPresent()).findFirst().orElseThrow()
                .load("arch2", WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
        List<OnnxMl.NodeProto> nodes = OnnxMl.ModelProto.parseFrom(arch2.artifact(Precision.FP32, false).onnx())
                .getGraph().getNodeList();
        Set<String> names = new LinkedHashSet<>();
        nodes.forEach(n -> names.addAll(n.getOutputList()));
        List<String> convs = nodes.stream().filter(n -> n.getOpType().equals("Conv")).map(n -> n.getOutput(0)).toList();
        return new Captures(convs, capture(reference, arch2, names), capture(backend, arch2, names));
    }

    /** The captured tensors of one run at 64x80, as heap copies; more than half the names must come back. */
    private static Map<String, HostTensor> capture(Backend backend, ModelSource model, Set<String> names)
            throws Exception {
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
                Map<String, HostTensor> copies = new TreeMap<>();
                r.extraOutputs().forEach((k, v) -> copies.put(k, new HostTensor(DType.FLOAT32, v.shape(),
                        MemorySegment.ofArray(v.data().toArray(HostTensor.FLOAT)))));
                assertTrue(copies.size() > names.size() / 2, backend.id() + " captured only " + copies.size()
                        + " of " + names.size() + ": " + copies.keySet());
                return copies;
            }
        }
    }
}
