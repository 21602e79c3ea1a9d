package dev.segbench.onnx.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.testfixtures.TorchvisionModels;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * torchvision's LR-ASPP and DeepLabV3 exports (dynamic H and W) specialised to one input size: the whole shape
 * sub-graph folds on the host, so the interpreters see compute ops only, and every Resize has constant sizes.
 */
class TorchvisionGraphsTest {

    /** What the two exports compute on tensor data once their shape arithmetic is folded. */
    private static final Set<String> COMPUTE_OPS = Set.of("Conv", "HardSigmoid", "Mul", "Relu", "Add", "GlobalAveragePool",
            "Resize", "Sigmoid", "Concat");

    @ParameterizedTest
    @CsvSource({"lraspp,1,256,256", "lraspp,2,200,328", "deeplabv3,1,256,256", "deeplabv3,1,240,320"})
    void theShapeSubgraphFoldsToConstantResizeSizes(String model, long batch, long height, long width) throws Exception {
        Graph graph = OnnxImporter.parse(Files.readAllBytes(TorchvisionModels.onnx(model)));
        ShapedGraph g = ShapeInference.infer(graph, new long[] {batch, 3, height, width});
        Set<String> runtime = new TreeSet<>();
        g.runtimeNodes().forEach(n -> runtime.add(n.op()));
        assertTrue(COMPUTE_OPS.containsAll(runtime), model + " leaves " + runtime + " to execute");
        assertTrue(runtime.containsAll(List.of("HardSigmoid", "Mul", "Resize")), model + " runs " + runtime);
        assertTrue(graph.nodes().stream().anyMatch(n -> n.op().equals("Shape")), "the export has a shape sub-graph to fold");
        List<Node> resizes = g.runtimeNodes().stream().filter(n -> n.op().equals("Resize")).toList();
        assertEquals(2, resizes.size());
        for (Node r : resizes) {
            assertTrue(g.isConstant(r.input(3)), r.describe() + " has constant sizes");
            long[] sizes = g.constant(r.input(3)).asLongs();
            assertArrayEquals(g.shape(r.outputs().get(0)), sizes);
            assertEquals(g.shape(r.input(0))[1], sizes[1], "a Resize keeps the channels");
        }
        // the last Resize brings the logits back to the input size, whatever the size was
        assertArrayEquals(new long[] {batch, 21, height, width}, g.shape("logits"));
        assertArrayEquals(new long[] {batch, 21, height, width}, g.constant(resizes.get(1).input(3)).asLongs());
    }
}
