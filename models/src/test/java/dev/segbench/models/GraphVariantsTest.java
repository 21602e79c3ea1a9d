package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Structure of the four graph variants, seeded determinism, and one graph serving many shapes. */
class GraphVariantsTest {

    private final ModelCatalog catalog = new NasSegmCatalog();

    private static Map<String, String> metadata(ModelProto m) {
        return m.getMetadataPropsList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
    }

    private static List<String> dims(ValueInfoProto v) {
        return v.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue())).toList();
    }

    @Test
    void fp32LogitsGraphHasTheContract() throws Exception {
        ModelSource source = catalog.load("arch0", WeightsSpec.seeded(5));
        ModelArtifact a = source.artifact(Precision.FP32, false);
        assertEquals(dev.segbench.api.io.Sha256.hex(a.onnx()), a.onnxSha256());
        ModelProto m = ModelProto.parseFrom(a.onnx());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("segbench", m.getProducerName());
        assertEquals(Map.of("producer", "segbench", "model_id", "arch0", "genotype", source.info().genotype(),
                "weights", "seeded:5", "precision", "fp32", "output", "logits"), metadata(m));
        assertEquals(List.of("batch", "3", "height", "width"), dims(m.getGraph().getInput(0)));
        assertEquals(ModelArtifact.INPUT_NAME, m.getGraph().getInput(0).getName());
        assertEquals(ModelArtifact.LOGITS_NAME, m.getGraph().getOutput(0).getName());
        assertEquals(List.of("batch", "21", "logits_height", "logits_width"), dims(m.getGraph().getOutput(0)));
        List<String> ops = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).distinct().sorted().toList();
        // BN folded, ReLU6 as Clip, no aux cells; the pooled branch is broadcast by Resize (no Expand)
        assertEquals(List.of("Add", "Clip", "Concat", "Conv", "GlobalAveragePool", "Relu", "Resize", "Shape",
                "Slice"), ops);
        // arch0's merge cells read taps 0, 2 and 3: the tap-1 adaptation (decoder.adapt2) feeds nothing, so the graph
        // leaves it out, as PyTorch's exporter does (177 Convs, like PyTorch's graph)
        assertEquals(177, m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).count());
        assertTrue(m.getGraph().getNodeList().stream().noneMatch(n -> n.getName().startsWith("decoder.adapt2")));
        assertTrue(m.getGraph().getInitializerList().stream().noneMatch(t -> t.getName().startsWith("decoder.adapt2")));
        assertTrue(m.getGraph().getInitializerList().stream().noneMatch(t -> t.getName().contains("aux")));
        for (NodeProto n : m.getGraph().getNodeList()) {
            if (n.getOpType().equals("Resize")) {
                assertEquals("half_pixel", attribute(n, "coordinate_transformation_mode"));
                assertEquals("linear", attribute(n, "mode"));
                assertEquals(4, n.getInputCount(), "Resize takes runtime sizes");
            }
        }
    }

    private static String attribute(NodeProto n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst().orElseThrow()
                .getS().toStringUtf8();
    }

    /** ONNX requires topological order and single assignment; TensorRT's parser relies on both. */
    @Test
    void everyVariantIsTopologicallySortedWithUniqueNames() throws Exception {
        ModelSource source = catalog.load("arch2", WeightsSpec.seeded(5));
        CalibrationTable table = Calibrations.random(source, CalibrationMethod.MINMAX, 1, 40, 56, 1);
        for (Precision p : Precision.values()) {
            for (boolean labelsOut : new boolean[] {false, true}) {
                ModelArtifact artifact = p == Precision.INT8
                        ? source.int8().orElseThrow().artifact(table, Int8Activations.ASYMMETRIC_UINT8, labelsOut)
                        : source.artifact(p, labelsOut);
                ModelProto m = ModelProto.parseFrom(artifact.onnx());
                java.util.Set<String> defined = new java.util.HashSet<>(List.of("", ModelArtifact.INPUT_NAME));
                m.getGraph().getInitializerList().forEach(t -> assertTrue(defined.add(t.getName()), t.getName()));
                java.util.Set<String> nodeNames = new java.util.HashSet<>();
                for (NodeProto n : m.getGraph().getNodeList()) {
                    assertTrue(nodeNames.add(n.getName()), "node name " + n.getName() + " repeats");
                    n.getInputList().forEach(in -> assertTrue(defined.contains(in), n.getName() + " reads " + in
                            + " before it is defined (" + p + ", labelsOut " + labelsOut + ")"));
                    n.getOutputList().forEach(out -> assertTrue(defined.add(out), out + " is assigned twice"));
                }
                assertTrue(defined.contains(artifact.outputName()));
            }
        }
    }

    @Test
    void fp16GraphComputesInHalfBehindCastsAtBothEnds() throws Exception {
        ModelProto m = ModelProto.parseFrom(catalog.load("arch2", WeightsSpec.seeded(5))
                .artifact(Precision.FP16, false).onnx());
        List<NodeProto> nodes = m.getGraph().getNodeList();
        assertEquals("Cast", nodes.getFirst().getOpType());
        assertEquals(ModelArtifact.INPUT_NAME, nodes.getFirst().getInput(0));
        assertEquals(TensorProto.DataType.FLOAT16_VALUE, nodes.getFirst().getAttribute(0).getI());
        assertEquals("Cast", nodes.getLast().getOpType());
        assertEquals(ModelArtifact.LOGITS_NAME, nodes.getLast().getOutput(0));
        assertEquals(TensorProto.DataType.FLOAT_VALUE, nodes.getLast().getAttribute(0).getI());
        assertEquals(TensorProto.DataType.FLOAT_VALUE, m.getGraph().getInput(0).getType().getTensorType().getElemType());
        assertEquals(TensorProto.DataType.FLOAT_VALUE, m.getGraph().getOutput(0).getType().getTensorType().getElemType());
        // every non-index constant (weights, Clip bounds) is FP16
        for (TensorProto t : m.getGraph().getInitializerList()) {
            assertTrue(t.getDataType() == TensorProto.DataType.FLOAT16_VALUE
                    || t.getDataType() == TensorProto.DataType.INT64_VALUE, t.getName() + " has type " + t.getDataType());
        }
        assertEquals("fp16", metadata(m).get("precision"));
    }

    @Test
    void labelsOutGraphEndsInUint8Labels() throws Exception {
        ModelArtifact a = catalog.load("arch1", WeightsSpec.seeded(5)).artifact(Precision.FP16, true);
        assertEquals(ModelArtifact.LABELS_NAME, a.outputName());
        ModelProto m = ModelProto.parseFrom(a.onnx());
        ValueInfoProto out = m.getGraph().getOutput(0);
        assertEquals(ModelArtifact.LABELS_NAME, out.getName());
        assertEquals(TensorProto.DataType.UINT8_VALUE, out.getType().getTensorType().getElemType());
        assertEquals(List.of("batch", "height", "width"), dims(out));
        List<String> tail = m.getGraph().getNodeList().stream().skip(m.getGraph().getNodeCount() - 3)
                .map(NodeProto::getOpType).toList();
        assertEquals(List.of("Resize", "ArgMax", "Cast"), tail);
    }

    @Test
    void seededWeightsAreAPureFunctionOfTheSeed() throws Exception {
        byte[] first = catalog.load("arch1", WeightsSpec.seeded(7)).artifact(Precision.FP32, false).onnx();
        byte[] again = catalog.load("arch1", WeightsSpec.seeded(7)).artifact(Precision.FP32, false).onnx();
        byte[] other = catalog.load("arch1", WeightsSpec.seeded(8)).artifact(Precision.FP32, false).onnx();
        assertArrayEquals(first, again);
        assertFalse(java.util.Arrays.equals(first, other));
        assertEquals(first.length, other.length, "only the values differ");
    }

    @Test
    void artifactsAreCachedPerVariant() throws Exception {
        ModelSource source = catalog.load("arch2", WeightsSpec.seeded(1));
        ModelArtifact a = source.artifact(Precision.FP32, false);
        assertSame(a, source.artifact(Precision.FP32, false));
        assertNotEquals(a.onnxSha256(), source.artifact(Precision.FP32, true).onnxSha256());
        assertEquals("seeded:1", source.weights().sha256());
        assertFalse(source.weights().trained());
    }

    /**
     * One session serves several batch sizes and image sizes; each batch element equals its own
     * single-image run, and labels-out gives [N, H, W].
     */
    @Test
    void oneGraphServesAnyBatchHeightAndWidth() throws Exception {
        ModelSource source = catalog.load("arch0", WeightsSpec.seeded(11));
        SplittableRandom random = new SplittableRandom(3);
        try (OrtSession logits = Fixtures.open(source.artifact(Precision.FP32, false));
             OrtSession labels = Fixtures.open(source.artifact(Precision.FP32, true))) {
            for (int[] hw : new int[][] {{33, 47}, {64, 21}}) {
                int h = hw[0];
                int w = hw[1];
                int plane = 3 * h * w;
                float[] batch = new float[2 * plane];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = (float) random.nextGaussian();
                }
                float[] both = Fixtures.run(logits, batch, 2, 3, h, w).floats();
                float[] second = Fixtures.run(logits, java.util.Arrays.copyOfRange(batch, plane, 2 * plane),
                        1, 3, h, w).floats();
                int out = both.length / 2;
                assertEquals(21 * ((h + 3) / 4) * ((w + 3) / 4), out);
                float diff = Fixtures.maxAbsDiff(java.util.Arrays.copyOfRange(both, out, 2 * out), second);
                assertTrue(diff <= 1e-4f * Fixtures.maxAbs(second), "batch element differs by " + diff);
                assertArrayEquals(new long[] {2, h, w}, Fixtures.run(labels, batch, 2, 3, h, w).shape());
            }
        }
    }
}
