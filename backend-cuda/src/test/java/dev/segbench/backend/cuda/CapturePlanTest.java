package dev.segbench.backend.cuda;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.segbench.backend.cuda.plan.CapturePlan;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.plan.ExecutionPlanner;
import dev.segbench.backend.cuda.ref.ReferenceExecutor;
import dev.segbench.onnx.graph.Graph;
import dev.segbench.onnx.graph.OnnxImporter;
import dev.segbench.onnx.graph.ShapeInference;
import dev.segbench.onnx.graph.TestGraphs;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cuda backend's intermediate outputs without a GPU: the capture plan keeps every captured tensor (unfused, its
 * buffer never reused), checked by running that plan in the reference executor (which poisons a buffer at its
 * tensor's last use) and comparing each captured tensor with ONNX Runtime's value of the same name.
 */
class CapturePlanTest {

    @ParameterizedTest
    @ValueSource(strings = {"mobile", "decoder"})
    void capturedTensorsSurviveTheRunAndEqualOnnxRuntimes(String which) throws Exception {
        byte[] onnx = which.equals("mobile") ? TestGraphs.mobileBlock(1) : TestGraphs.decoder(2);
        long[] shape = {1, 3, 15, 22};
        Graph graph = OnnxImporter.parse(onnx);
        Set<String> all = new LinkedHashSet<>();
        graph.nodes().forEach(n -> all.addAll(n.outputs()));
        all.add("no-such-tensor");

        ExecutionPlan plain = ExecutionPlanner.plan(ShapeInference.infer(graph, shape), true);
        ExecutionPlan kept = CapturePlan.plan(graph, shape, all, true);
        List<String> observable = CapturePlan.observable(ShapeInference.infer(graph, shape), all);
        assertTrue(!observable.contains("no-such-tensor") && observable.size() > 3, observable.toString());
        assertTrue(kept.steps().size() > plain.steps().size(), "captured tensors are not fused away: "
                + kept.steps().size() + " steps vs " + plain.steps().size());
        for (String name : observable) {
            assertEquals(kept.steps().size(), kept.slot(name).lastStep(), name + " stays alive to the end");
            assertTrue(kept.steps().stream().anyMatch(s -> s.output().equals(name)), name + " is a step's own output");
        }

        float[] input = OrtReference.randomInput(3, shape);
        Map<String, float[]> got = ReferenceExecutor.run(kept, input);
        Map<String, float[]> expected = ort(onnx, input, shape, observable);
        for (String name : observable) {
            double err = OrtReference.relativeError(got.get(name), expected.get(name));
            assertTrue(err < 1e-5, which + " " + name + ": relative error " + err);
        }
    }

    /** ONNX Runtime's values of {@code names}, added to the graph as outputs. */
    private static Map<String, float[]> ort(byte[] onnx, float[] input, long[] shape, List<String> names) throws Exception {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.parseFrom(onnx).toBuilder();
        Set<String> outputs = new LinkedHashSet<>();
        m.getGraph().getOutputList().forEach(o -> outputs.add(o.getName()));
        for (String n : names) {
            if (outputs.add(n)) {
                m.getGraphBuilder().addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(n));
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, float[]> out = new LinkedHashMap<>();
        try (OrtSession s = env.createSession(m.build().toByteArray());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result r = s.run(Map.of("input", in))) {
            for (Map.Entry<String, OnnxValue> e : r) {
                OnnxTensor t = (OnnxTensor) e.getValue();
                float[] v = new float[(int) t.getInfo().getNumElements()];
                t.getFloatBuffer().get(v);
                out.put(e.getKey(), v);
            }
        }
        return out;
    }
}
