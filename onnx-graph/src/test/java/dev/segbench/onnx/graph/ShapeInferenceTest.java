package dev.segbench.onnx.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.BackendException;
import java.util.Arrays;
import java.util.List;
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
}
