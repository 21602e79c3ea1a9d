package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Where the int8 graphs put their Q/DQ pairs (ort-cpu-notes.md), what the calibration graph exposes, and shapes. */
class QdqGraphsTest {

    private final NasSegmCatalog catalog = new NasSegmCatalog();

    private record Graph(GraphProto g, Map<String, NodeProto> producers, Map<String, List<NodeProto>> consumers,
                         Map<String, TensorProto> initializers) {
        static Graph of(ModelArtifact a) throws Exception {
            GraphProto g = ModelProto.parseFrom(a.onnx()).getGraph();
            Map<String, NodeProto> producers = new HashMap<>();
            Map<String, List<NodeProto>> consumers = new HashMap<>();
            for (NodeProto n : g.getNodeList()) {
                n.getOutputList().forEach(o -> producers.put(o, n));
                n.getInputList().forEach(i -> consumers.computeIfAbsent(i, k -> new java.util.ArrayList<>()).add(n));
            }
            return new Graph(g, producers, consumers, g.getInitializerList().stream()
                    .collect(Collectors.toMap(TensorProto::getName, t -> t)));
        }

        float scalarFloat(String name) {
            return initializers.get(name).getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat();
        }

        float[] floats(String name) {
            ByteBuffer b = initializers.get(name).getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[b.remaining() / 4];
            b.asFloatBuffer().get(v);
            return v;
        }

        List<NodeProto> ops(String type) {
            return g.getNodeList().stream().filter(n -> n.getOpType().equals(type)).toList();
        }
    }

    private static ModelSource seeded(NasSegmCatalog catalog, String id) throws ModelException {
        return catalog.load(id, WeightsSpec.seeded(3));
    }

    @Test
    void everyConvButTheClassifierReadsPerChannelInt8WeightsAndAQuantizedInput() throws Exception {
        ModelSource source = seeded(catalog, "arch0");
        CalibrationTable table = Calibrations.random(source, CalibrationMethod.MINMAX, 1, 64, 48, 1);
        for (Int8Activations flavour : Int8Activations.values()) {
            Graph q = Graph.of(source.int8().orElseThrow().artifact(table, flavour, false));
            List<NodeProto> convs = q.ops("Conv");
            assertEquals(177, convs.size());
            for (NodeProto conv : convs.subList(0, convs.size() - 1)) {
                NodeProto in = q.producers().get(conv.getInput(0));
                assertEquals("DequantizeLinear", in.getOpType(), conv.getName() + " input");
                NodeProto w = q.producers().get(conv.getInput(1));
                assertEquals("DequantizeLinear", w.getOpType(), conv.getName() + " weight");
                assertEquals(0, w.getAttribute(0).getI(), "per-channel axis 0");
                TensorProto wq = q.initializers().get(w.getInput(0));
                assertEquals(TensorProto.DataType.INT8_VALUE, wq.getDataType());
                long out = wq.getDims(0);
                assertEquals(out, q.floats(w.getInput(1)).length, "one scale per output channel");
                for (byte z : q.initializers().get(w.getInput(2)).getRawData().toByteArray()) {
                    assertEquals(0, z, "symmetric weights");
                }
                if (conv.getInputCount() > 2) {
                    String bias = conv.getInput(2);
                    if (flavour == Int8Activations.ASYMMETRIC_UINT8) {
                        NodeProto b = q.producers().get(bias);
                        assertEquals("DequantizeLinear", b.getOpType());
                        assertEquals(TensorProto.DataType.INT32_VALUE, q.initializers().get(b.getInput(0)).getDataType());
                        float inputScale = q.scalarFloat(in.getInput(1));
                        float[] weightScales = q.floats(w.getInput(1));
                        float[] biasScales = q.floats(b.getInput(1));
                        for (int o = 0; o < out; o++) {
                            assertEquals(inputScale * weightScales[o], biasScales[o], "bias scale = input x weight scale");
                        }
                    } else {
                        assertEquals(TensorProto.DataType.FLOAT_VALUE, q.initializers().get(bias).getDataType(),
                                "TensorRT keeps biases in float");
                    }
                }
            }
            NodeProto classifier = convs.getLast();
            assertEquals(TensorProto.DataType.FLOAT_VALUE, q.initializers().get(classifier.getInput(1)).getDataType(),
                    "the classifier keeps FP32 weights");
            assertEquals(ModelArtifact.LOGITS_NAME, classifier.getOutput(0), "and an FP32 output");
        }
    }

    @Test
    void activationPairsFollowTheFusionRules() throws Exception {
        ModelSource source = seeded(catalog, "arch0");
        CalibrationTable table = Calibrations.random(source, CalibrationMethod.PERCENTILE, 1, 64, 48, 2);
        Graph q = Graph.of(source.int8().orElseThrow().artifact(table, Int8Activations.ASYMMETRIC_UINT8, false));
        Set<String> quantizedTensors = new HashSet<>();
        int convsWithFoldedActivation = 0;
        for (NodeProto ql : q.ops("QuantizeLinear")) {
            assertTrue(quantizedTensors.add(ql.getInput(0)), "one pair per tensor: " + ql.getInput(0) + " twice");
            List<NodeProto> readers = q.consumers().get(ql.getOutput(0));
            assertEquals(1, readers.size());
            assertEquals("DequantizeLinear", readers.getFirst().getOpType());
            assertEquals(ql.getInput(1), readers.getFirst().getInput(1), "the pair shares its scale");
            assertEquals(ql.getInput(2), readers.getFirst().getInput(2), "and its zero point");
        }
        for (NodeProto n : q.g().getNodeList()) {
            String op = n.getOpType();
            if (op.equals("Relu") || op.equals("Clip") || op.equals("Add")) {
                assertTrue(quantizedTensors.contains(n.getOutput(0)), op + " output " + n.getOutput(0) + " is quantized");
            }
            if (op.equals("Add")) {
                for (String in : n.getInputList()) {
                    assertEquals("DequantizeLinear", q.producers().get(in).getOpType(), "Add input " + in);
                }
            }
            if (op.equals("Relu") || op.equals("Clip")) {
                NodeProto ql = q.consumers().get(n.getOutput(0)).stream()
                        .filter(c -> c.getOpType().equals("QuantizeLinear")).findFirst().orElseThrow();
                assertEquals(0, q.initializers().get(ql.getInput(2)).getRawData().byteAt(0), op + " output zero point");
                if (op.equals("Clip")) {
                    assertTrue(q.scalarFloat(ql.getInput(1)) <= 6f / 255, "Clip(0,6) scale at most 6/255");
                }
                // a conv before it has no pair of its own: ORT folds the activation into QLinearConv
                NodeProto before = q.producers().get(n.getInput(0));
                if (before.getOpType().equals("Conv")) {
                    assertFalse(quantizedTensors.contains(before.getOutput(0)), before.getName());
                    convsWithFoldedActivation++;
                } else {
                    assertEquals("DequantizeLinear", before.getOpType(), "an activation after " + before.getOpType());
                }
            }
            if (op.equals("Resize") && !n.getOutput(0).startsWith("logits")) {
                NodeProto ql = q.consumers().get(n.getOutput(0)).stream()
                        .filter(c -> c.getOpType().equals("QuantizeLinear")).findFirst().orElseThrow();
                NodeProto dq = q.producers().get(n.getInput(0));
                assertEquals(dq.getInput(1), ql.getInput(1), "Resize reuses its input's scale, so ORT resizes in 8 bits");
                assertEquals(dq.getInput(2), ql.getInput(2));
            }
            if (op.equals("Shape")) {
                assertFalse(n.getInput(0).endsWith("_dequantized"), "shapes are read from FP32 tensors");
            }
        }
        assertTrue(quantizedTensors.contains(ModelArtifact.INPUT_NAME));
        assertFalse(quantizedTensors.contains(ModelArtifact.LOGITS_NAME));
        // every Relu/Clip but the one after the collecting Concat follows a Conv
        assertEquals(q.ops("Relu").size() + q.ops("Clip").size() - 1, convsWithFoldedActivation);
    }

    @Test
    void theCalibrationGraphExposesEveryCalibratedTensorAndNothingElseChanges() throws Exception {
        ModelSource source = seeded(catalog, "arch1");
        ModelSource.CalibrationGraph graph = source.int8().orElseThrow().calibrationGraph();
        assertSame(graph, source.int8().orElseThrow().calibrationGraph(), "built once");
        ModelProto calibration = ModelProto.parseFrom(graph.artifact().onnx());
        ModelProto fp32 = ModelProto.parseFrom(source.artifact(Precision.FP32, false).onnx());
        assertEquals(fp32.getGraph().getNodeList(), calibration.getGraph().getNodeList());
        List<String> outputs = calibration.getGraph().getOutputList().stream().map(o -> o.getName()).toList();
        assertEquals(ModelArtifact.LOGITS_NAME, outputs.getFirst());
        assertEquals(graph.tensors(), outputs.subList(1, outputs.size()));
        assertTrue(graph.tensors().contains(ModelArtifact.INPUT_NAME) || !outputs.contains(ModelArtifact.INPUT_NAME));
        assertTrue(graph.tensors().size() > 100, graph.tensors().size() + " tensors");
        assertTrue(graph.tensors().stream().noneMatch(t -> t.equals(ModelArtifact.LOGITS_NAME)));
        // running it gives the same logits as the FP32 graph
        float[] x = new float[3 * 40 * 52];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (OrtSession a = Fixtures.open(graph.artifact()); OrtSession b = Fixtures.open(source.artifact(Precision.FP32, false))) {
            Fixtures.Output ca = Fixtures.run(a, x, 1, 3, 40, 52);
            Fixtures.Output cb = Fixtures.run(b, x, 1, 3, 40, 52);
            assertArrayEquals(cb.shape(), ca.shape());
            assertTrue(Fixtures.maxAbsDiff(ca.floats(), cb.floats()) <= 1e-4f * Fixtures.maxAbs(cb.floats()));
        }
    }

    @Test
    void graphVersionsDifferBetweenModelsAndStayForOtherWeights() throws Exception {
        String v0 = seeded(catalog, "arch0").int8().orElseThrow().graphVersion();
        assertNotEquals(v0, seeded(catalog, "arch1").int8().orElseThrow().graphVersion());
        assertEquals(v0, catalog.load("arch0", WeightsSpec.seeded(99)).int8().orElseThrow().graphVersion());
        assertTrue(v0.startsWith(QdqGraphs.PLACEMENT_VERSION + "+"), v0);
    }

    @Test
    void aTableForOtherWeightsOrAnotherModelIsRefused() throws Exception {
        ModelSource a = seeded(catalog, "arch1");
        CalibrationTable table = Calibrations.random(a, CalibrationMethod.MINMAX, 1, 32, 32, 1);
        ModelSource otherWeights = catalog.load("arch1", WeightsSpec.seeded(4));
        ModelException e = assertThrows(ModelException.class, () -> otherWeights.int8().orElseThrow()
                .artifact(table, Int8Activations.ASYMMETRIC_UINT8, false));
        assertTrue(e.getMessage().contains("weights seeded:3") && e.getMessage().contains("seeded:4"), e.getMessage());
        ModelSource otherModel = seeded(catalog, "arch2");
        assertThrows(ModelException.class, () -> otherModel.int8().orElseThrow()
                .artifact(table, Int8Activations.ASYMMETRIC_UINT8, false));
        assertThrows(ModelException.class, () -> a.artifact(Precision.INT8, false), "INT8 needs a table");
    }

    @Test
    void int8ArtifactsCarryTheirTableAndAreCachedPerTableAndFlavour() throws Exception {
        ModelSource source = seeded(catalog, "arch2");
        CalibrationTable table = Calibrations.random(source, CalibrationMethod.MINMAX, 1, 32, 40, 1);
        ModelSource.Int8Graphs int8 = source.int8().orElseThrow();
        ModelArtifact uint8 = int8.artifact(table, Int8Activations.ASYMMETRIC_UINT8, false);
        assertSame(uint8, int8.artifact(table, Int8Activations.ASYMMETRIC_UINT8, false));
        assertNotEquals(uint8.onnxSha256(), int8.artifact(table, Int8Activations.SYMMETRIC_INT8, false).onnxSha256());
        assertEquals(Precision.INT8, uint8.precision());
        Map<String, String> meta = ModelProto.parseFrom(uint8.onnx()).getMetadataPropsList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
        assertEquals("int8", meta.get("precision"));
        assertEquals(table.sha256(), meta.get("calibration_sha256"));
        assertEquals("asymmetric_uint8", meta.get("int8_activations"));
        assertNotNull(meta.get("graph_version"));
    }

    /** jqwik: the calibrated int8 graph's output shape equals FP32's for random sizes (and its logits are finite). */
    @Property(tries = 6)
    void int8OutputShapeEqualsFp32s(@ForAll @IntRange(min = 0, max = 2) int model,
                                    @ForAll @IntRange(min = 9, max = 80) int height,
                                    @ForAll @IntRange(min = 9, max = 80) int width,
                                    @ForAll boolean symmetric) throws Exception {
        ModelSource source = seeded(catalog, "arch" + model);
        CalibrationTable table = Calibrations.random(source, CalibrationMethod.ENTROPY, 1, 40, 32, model);
        ModelArtifact int8 = source.int8().orElseThrow().artifact(table,
                symmetric ? Int8Activations.SYMMETRIC_INT8 : Int8Activations.ASYMMETRIC_UINT8, false);
        float[] x = new float[3 * height * width];
        SplittableRandom r = new SplittableRandom(height * 100L + width);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (OrtSession q = Fixtures.open(int8); OrtSession f = Fixtures.open(source.artifact(Precision.FP32, false))) {
            Fixtures.Output qo = Fixtures.run(q, x, 1, 3, height, width);
            Fixtures.Output fo = Fixtures.run(f, x, 1, 3, height, width);
            assertArrayEquals(fo.shape(), qo.shape(), height + "x" + width);
            for (float v : qo.floats()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    /** Layers kept in float: FP32 weights, no pair that only they need, the rest of the graph quantized as before. */
    @Test
    void keptLayersHaveFloatWeightsAndNoPairThatOnlyTheyNeed() throws Exception {
        ModelSource source = seeded(catalog, "arch0");
        CalibrationTable table = Calibrations.random(source, CalibrationMethod.MINMAX, 1, 64, 48, 1);
        ModelSource.Int8Graphs int8 = source.int8().orElseThrow();
        List<ModelSource.Layer> layers = int8.quantizableLayers();
        assertEquals(176, layers.size(), "every Conv but the classifier");
        Graph none = Graph.of(int8.artifact(table, Int8Activations.ASYMMETRIC_UINT8, false));
        // the stem (reads the graph input) and a pair of layers where the second alone reads the first's result
        ModelSource.Layer first = null;
        ModelSource.Layer second = null;
        for (ModelSource.Layer a : layers) {
            for (ModelSource.Layer b : layers) {
                if (b.input().equals(a.output()) && none.consumers().get(QdqGraphs.dequantized(a.output())).size() == 1
                        && a != layers.getFirst()) {
                    first = first == null ? a : first;
                    second = second == null ? b : second;
                }
            }
        }
        assertNotNull(first, "arch0 has a layer read only by the next layer");
        Set<String> kept = Set.of(layers.getFirst().name(), first.name(), second.name());
        Graph q = Graph.of(int8.artifact(table, Int8Activations.ASYMMETRIC_UINT8, false, kept));
        Set<String> quantizedTensors = q.ops("QuantizeLinear").stream().map(n -> n.getInput(0)).collect(Collectors.toSet());
        List<NodeProto> convs = q.ops("Conv");
        for (NodeProto conv : convs.subList(0, convs.size() - 1)) { // the classifier is FP32 anyway
            boolean isKept = kept.contains(conv.getName());
            assertEquals(isKept, q.initializers().containsKey(conv.getInput(1)), conv.getName() + ": FP32 weight iff kept");
            if (isKept) {
                assertEquals(TensorProto.DataType.FLOAT_VALUE, q.initializers().get(conv.getInput(1)).getDataType());
            }
        }
        assertFalse(quantizedTensors.contains(ModelArtifact.INPUT_NAME), "only the kept stem read the input: no pair");
        assertTrue(q.consumers().get(ModelArtifact.INPUT_NAME).stream().anyMatch(n -> n.getName().equals(
                layers.getFirst().name())), "the stem reads the input in float");
        assertFalse(quantizedTensors.contains(first.output()), "a kept layer's result read only by a kept layer");
        String secondName = second.name();
        assertEquals(first.output(), q.ops("Conv").stream().filter(n -> n.getName().equals(secondName)).findFirst()
                .orElseThrow().getInput(0), "is read in float");
        // no new pair, and every pair left is needed: by a quantized producer or by a quantized reader
        Set<String> before = none.ops("QuantizeLinear").stream().map(n -> n.getInput(0)).collect(Collectors.toSet());
        assertTrue(before.containsAll(quantizedTensors), "no new pair");
        assertTrue(quantizedTensors.contains(second.output()) || q.consumers().get(second.output()).stream()
                .noneMatch(n -> n.getOpType().equals("Conv")), "quantized layers read the kept second layer's result");
        for (NodeProto dq : q.ops("DequantizeLinear")) {
            NodeProto ql = q.producers().get(dq.getInput(0));
            if (ql == null || !ql.getOpType().equals("QuantizeLinear")) {
                continue; // a weight or bias
            }
            NodeProto producer = q.producers().get(ql.getInput(0));
            boolean quantizedProducer = producer != null && !kept.contains(producer.getName())
                    && (producer.getInputList().stream().anyMatch(i -> i.endsWith("_dequantized"))
                    || producer.getOpType().equals("Relu") || producer.getOpType().equals("Clip"));
            boolean onlyKeptReaders = q.consumers().get(dq.getOutput(0)).stream()
                    .allMatch(n -> kept.contains(n.getName()));
            assertTrue(quantizedProducer || !onlyKeptReaders, ql.getInput(0) + ": a pair only kept layers need");
        }
        // and ONNX Runtime runs it
        float[] x = new float[3 * 48 * 64];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (OrtSession s = Fixtures.open(int8.artifact(table, Int8Activations.ASYMMETRIC_UINT8, false, kept))) {
            for (float v : Fixtures.run(s, x, 1, 3, 48, 64).floats()) {
                assertTrue(Float.isFinite(v));
            }
        }
        ModelException bad = assertThrows(ModelException.class,
                () -> int8.artifact(table, Int8Activations.ASYMMETRIC_UINT8, false, Set.of("no_such_conv")));
        assertTrue(bad.getMessage().contains("'no_such_conv' is not a quantized convolution"), bad.getMessage());
    }
}
