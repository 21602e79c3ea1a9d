package dev.segbench.onnx.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.BackendException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {

    @Test
    void foldsShapeArithmeticPerInputShape() throws Exception {
        byte[] onnx = TestGraphs.arithmeticResize();
        ShapedGraph g = ShapeInference.infer(OnnxImporter.parse(onnx), new long[] {2, 3, 5, 9});
        assertEquals(List.of(2L, 3L, 10L, 4L), Arrays.stream(g.shape("logits")).boxed().toList());
        assertEquals(1, g.runtimeNodes().size(), "only the Resize is left for the device");
        ShapedGraph other = ShapeInference.infer(OnnxImporter.parse(onnx), new long[] {1, 3, 7, 12});
        assertEquals(List.of(1L, 3L, 14L, 6L), Arrays.stream(other.shape("logits")).boxed().toList());
    }

    @Test
    void concatOfMismatchedShapeVectorsIsAModelError() {
        OnnxBuilder b = new OnnxBuilder(5).input("input", 1, 3).output("logits", 1, 4);
        String shape = b.node("Shape", List.of("input"));
        String bad = b.node("Concat", List.of(shape, b.node("Unsqueeze", List.of(shape, b.longInit(0)))), "axis", 0L);
        b.nodeNamed("logits", "Expand", List.of("input", bad));
        BackendException e = assertThrows(BackendException.class,
                () -> ShapeInference.infer(OnnxImporter.parse(b.build()), new long[] {1, 3, 4, 4}));
        assertEquals(BackendException.Code.MODEL_INVALID, e.code());
        assertTrue(e.getMessage().contains("Concat") && e.getMessage().contains("ranks"), e.getMessage());
    }

    @Test
    void dataDependentSizesAreRefusedNamingTheNode() {
        OnnxBuilder b = new OnnxBuilder(5).input("input", 1, 3).output("logits", 1, 4);
        String sizes = b.node("Cast", List.of(b.node("GlobalAveragePool", List.of("input"))), "to", 7L);
        b.nodeNamed("logits", "Expand", List.of("input", sizes));
        BackendException e = assertThrows(BackendException.class,
                () -> ShapeInference.infer(OnnxImporter.parse(b.build()), new long[] {1, 3, 4, 4}));
        assertEquals(BackendException.Code.UNSUPPORTED_OP, e.code());
        assertTrue(e.getMessage().contains("Expand") && e.getMessage().contains("depends on tensor data"), e.getMessage());
    }

    @Test
    void rejectsShapesThatContradictTheDeclaredInputAndBrokenModels() throws Exception {
        var graph = OnnxImporter.parse(TestGraphs.decoder(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShapeInference.infer(graph, new long[] {1, 4, 8, 8}));
        assertTrue(e.getMessage().contains("does not fit 'input'"), e.getMessage());
        BackendException bad = assertThrows(BackendException.class, () -> OnnxImporter.parse(new byte[] {1, 2, 3, 4, 5}));
        assertEquals(BackendException.Code.MODEL_INVALID, bad.code());
    }

    @Test
    void torchvisionStyleSizesFoldAndLeaveOnlyComputeOps() throws Exception {
        ShapedGraph g = ShapeInference.infer(OnnxImporter.parse(TestGraphs.segmentationHead(1)), new long[] {2, 3, 13, 18});
        List<String> ops = g.runtimeNodes().stream().map(Node::op).distinct().sorted().toList();
        assertEquals(List.of("Conv", "GlobalAveragePool", "HardSigmoid", "MaxPool", "Mul", "Relu", "Resize", "Sigmoid"), ops);
        Node resize = g.runtimeNodes().getLast();
        assertEquals(List.of(2L, 5L, 13L, 18L), Arrays.stream(g.constant(resize.input(3)).asLongs()).boxed().toList());
        assertEquals(List.of(2L, 5L, 13L, 18L), Arrays.stream(g.shape("logits")).boxed().toList());
        Node gate = g.runtimeNodes().stream().filter(n -> n.op().equals("Mul") && g.shape(n.input(0))[2] == 1).findFirst().orElseThrow();
        assertEquals(List.of(2L, 12L, 4L, 5L), Arrays.stream(g.shape(gate.outputs().get(0))).boxed().toList(),
                "the [N, C, 1, 1] gate broadcasts over the feature map");
    }

    @Test
    void maxPoolOutputSizesFollowTorchIncludingCeilMode() throws Exception {
        // {input, kernel, stride, pad, ceil_mode, output length} as torch.nn.functional.max_pool2d gives them
        long[][] cases = {{7, 3, 2, 1, 1, 4}, {5, 2, 2, 1, 1, 3}, {6, 3, 2, 0, 1, 3}, {6, 3, 2, 0, 0, 2}, {9, 3, 2, 1, 1, 5}};
        for (long[] c : cases) {
            Node pool = new Node("pool", "MaxPool", List.of("x"), List.of("y"), java.util.Map.of(
                    "kernel_shape", Attribute.ofInts("kernel_shape", new long[] {c[1], c[1]}),
                    "strides", Attribute.ofInts("strides", new long[] {c[2], c[2]}),
                    "pads", Attribute.ofInts("pads", new long[] {c[3], c[3], c[3], c[3]}),
                    "ceil_mode", Attribute.ofInt("ceil_mode", c[4])));
            PoolGeometry p = PoolGeometry.of(pool, new long[] {1, 2, c[0], c[0]});
            assertEquals(c[5], p.outH(), Arrays.toString(c));
            assertEquals(c[5], p.outW(), Arrays.toString(c));
        }
    }

    @Test
    void anOpNoEngineRunsIsRefusedAtOpenNamingIt() throws Exception {
        OnnxBuilder b = new OnnxBuilder(5).input("input", 1, 3).output("logits", 1, 4);
        b.nodeNamed("logits", "Softplus", List.of(b.node("Relu", List.of("input"))));
        Graph graph = OnnxImporter.parse(b.build());
        BackendException e = assertThrows(BackendException.class,
                () -> ShapeInference.requireKnownOps(graph, Set.of("Relu"), "pytorch"));
        assertEquals(BackendException.Code.UNSUPPORTED_OP, e.code());
        assertTrue(e.getMessage().startsWith("node '") && e.getMessage().endsWith(": op Softplus is not implemented by the pytorch backend"),
                e.getMessage());
        ShapeInference.requireKnownOps(graph, Set.of("Relu", "Softplus"), "pytorch");
    }
}
