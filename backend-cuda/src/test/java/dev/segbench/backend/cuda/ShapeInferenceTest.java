package dev.segbench.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.BackendException;
import dev.segbench.backend.cuda.graph.OnnxImporter;
import dev.segbench.backend.cuda.graph.ShapeInference;
import dev.segbench.backend.cuda.graph.ShapedGraph;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.ref.ReferenceExecutor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {

    /** sizes = Concat(Shape(x)[0:2], Unsqueeze(Gather(Shape(x), 2) * 2), Unsqueeze(Cast(Gather(Shape(x), 3)) / 2)). */
    private static byte[] arithmeticResize() {
        OnnxBuilder b = new OnnxBuilder(5).input("input", 1, 3).output("logits", 1, 4);
        String shape = b.node("Shape", List.of("input"));
        String nc = b.node("Slice", List.of(shape, b.longInit(0), b.longInit(2), b.longInit(0), b.longInit(1)));
        String h = b.node("Mul", List.of(b.node("Gather", List.of(shape, b.longScalar(2)), "axis", 0L), b.longScalar(2)));
        String w = b.node("Div", List.of(b.node("Cast", List.of(b.node("Gather", List.of(shape, b.longScalar(3)))), "to", 7L),
                b.longScalar(2)));
        String axes = b.longInit(0);
        String sizes = b.node("Concat", List.of(nc, b.node("Unsqueeze", List.of(h, axes)), b.node("Unsqueeze", List.of(w, axes))),
                "axis", 0L);
        b.nodeNamed("logits", "Resize", List.of("input", "", "", sizes), "mode", "linear");
        return b.build();
    }

    @Test
    void foldsShapeArithmeticPerInputShape() throws Exception {
        byte[] onnx = arithmeticResize();
        ShapedGraph g = ShapeInference.infer(OnnxImporter.parse(onnx), new long[] {2, 3, 5, 9});
        assertEquals(List.of(2L, 3L, 10L, 4L), Arrays.stream(g.shape("logits")).boxed().toList());
        assertEquals(1, g.runtimeNodes().size(), "only the Resize is left for the device");
        ShapedGraph other = ShapeInference.infer(OnnxImporter.parse(onnx), new long[] {1, 3, 7, 12});
        assertEquals(List.of(1L, 3L, 14L, 6L), Arrays.stream(other.shape("logits")).boxed().toList());
        ExecutionPlan p = ReferenceExecutorTest.plan(onnx, true, 1, 3, 7, 12);
        float[] input = OrtReference.randomInput(4, 1, 3, 7, 12);
        double err = OrtReference.relativeError(ReferenceExecutor.run(p, input).get("logits"), OrtReference.run(onnx, input, 1, 3, 7, 12));
        assertTrue(err < 1e-6, "relative error " + err);
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
}
