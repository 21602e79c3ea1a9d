package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.ModelSpec;
import dev.segbench.api.Precision;
import dev.segbench.testfixtures.TorchvisionModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** onnx:PATH models: torchvision's LR-ASPP and DeepLabV3 exports, and the bad files refused in one line. */
class OnnxFileModelTest {

    private static final int H = 64;
    private static final int W = 96;

    private static OnnxFileModel open(String spec) throws ModelException {
        return OnnxFileModel.open(ModelSpec.parse(spec).orElseThrow());
    }

    private static float[] image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[3 * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static byte[] argmax(float[] logits, int classes) {
        int pixels = logits.length / classes;
        byte[] labels = new byte[pixels];
        for (int p = 0; p < pixels; p++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[c * pixels + p] > logits[best * pixels + p]) {
                    best = c;
                }
            }
            labels[p] = (byte) best;
        }
        return labels;
    }

    private static double agreement(byte[] a, byte[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return (double) same / a.length;
    }

    private static byte[] labels(ModelArtifact artifact, float[] x) throws Exception {
        try (OrtSession s = Fixtures.open(artifact)) {
            return Fixtures.run(s, x, 1, 3, H, W).bytes();
        }
    }

    @Test
    void torchvisionExportsOpenWithTheirShapesAndEveryVariantAgreesAndPassesTheChecker(@TempDir Path dir) throws Exception {
        List<String> files = new ArrayList<>();
        for (String name : List.of(TorchvisionModels.LRASPP, TorchvisionModels.DEEPLABV3)) {
            Path file = TorchvisionModels.onnx(name);
            OnnxFileModel model = open("onnx:" + file + "?name=" + name + "-x&mean=0.5,0.5,0.5");
            assertEquals(name + "-x", model.id());
            assertEquals(21, model.numClasses(), "classes from the output");
            assertEquals(1, model.outputStride(), "torchvision resizes its logits to the input size");
            assertEquals(0.5f, model.preprocessing().mean()[1], "mean= is the model's preprocessing");
            assertTrue(model.multiplyAdds(512, 512) > 1e9, name + ": GMACs counted from the graph's shapes");
            assertEquals(13, OnnxFileModel.opset(ModelProto.parseFrom(model.artifact(Precision.FP32, false).onnx())));

            float[] x = image(3);
            float[] original;
            float[] ours;
            try (OrtSession s = Fixtures.open(new ModelArtifact(name, Precision.FP32, false, Files.readAllBytes(file),
                    "", model.weights()))) {
                original = Fixtures.run(s, x, 1, 3, H, W).floats();
            }
            try (OrtSession s = Fixtures.open(model.artifact(Precision.FP32, false))) {
                ours = Fixtures.run(s, x, 1, 3, H, W).floats();
            }
            assertEquals(0f, Fixtures.maxAbsDiff(original, ours), name + ": the fp32 variant is the graph as given");
            byte[] reference = argmax(ours, 21);
            assertEquals(1.0, agreement(reference, labels(model.artifact(Precision.FP32, true), x)), 1e-3,
                    name + ": labels-out is the argmax of the logits");
            double fp16 = agreement(reference, labels(model.artifact(Precision.FP16, true), x));
            assertTrue(fp16 > 0.95, name + ": fp16 labels agree with fp32 on " + fp16);

            CalibrationTable table = Calibrations.random(model, CalibrationMethod.MINMAX, 2, H, W, 5);
            ModelSource.Int8Graphs int8 = model.int8().orElseThrow();
            ModelArtifact q = int8.artifact(table, Int8Activations.ASYMMETRIC_UINT8, true);
            double int8Agreement = agreement(reference, labels(q, x));
            System.out.printf("%s: fp16 agreement %.4f, int8 agreement %.4f%n", name, fp16, int8Agreement);
            ModelProto qdq = ModelProto.parseFrom(q.onnx());
            long quantizedConvs = qdq.getGraph().getNodeList().stream()
                    .filter(n -> n.getOpType().equals("DequantizeLinear") && n.getInput(0).endsWith("_quantized")
                            && qdq.getGraph().getInitializerList().stream().anyMatch(t -> t.getName().equals(n.getInput(0))
                            && t.getDataType() == TensorProto.DataType.INT8_VALUE)).count();
            assertTrue(quantizedConvs > 50, name + ": int8 weights for the Convs, got " + quantizedConvs);
            QdqGraphs.Plan plan = QdqGraphs.plan(ModelProto.parseFrom(model.artifact(Precision.FP32, false).onnx()).getGraph());
            assertEquals(name.equals(TorchvisionModels.LRASPP) ? 2 : 1, plan.classifiers().size(),
                    name + ": the Convs the logits come from stay fp32: " + plan.classifiers());

            // --int8-fallback on a model of one's own: the named convolutions keep float weights
            List<ModelSource.Layer> layers = int8.quantizableLayers();
            assertTrue(layers.size() > 50, name + ": " + layers.size() + " quantizable convolutions");
            java.util.Set<String> kept = java.util.Set.of(layers.get(0).name(), layers.get(layers.size() / 2).name());
            ModelArtifact partly = int8.artifact(table, Int8Activations.ASYMMETRIC_UINT8, true, kept);
            ModelProto partlyProto = ModelProto.parseFrom(partly.onnx());
            for (var n : partlyProto.getGraph().getNodeList()) {
                if (n.getOpType().equals("Conv") && kept.contains(n.getName())) {
                    assertTrue(partlyProto.getGraph().getInitializerList().stream()
                            .anyMatch(t -> t.getName().equals(n.getInput(1)) && t.getDataType() == TensorProto.DataType.FLOAT_VALUE),
                            name + ": kept layer " + n.getName() + " reads float weights");
                }
            }
            assertTrue(agreement(reference, labels(partly, x)) > 0.5, name + ": the graph with kept layers runs");

            int i = 0;
            for (ModelArtifact v : List.of(model.artifact(Precision.FP32, false), model.artifact(Precision.FP32, true), partly,
                    model.artifact(Precision.FP16, false), model.artifact(Precision.FP16, true),
                    int8.artifact(table, Int8Activations.ASYMMETRIC_UINT8, false), q,
                    int8.artifact(table, Int8Activations.SYMMETRIC_INT8, true), int8.calibrationGraph().artifact())) {
                Path out = dir.resolve(name + "-" + (i++) + ".onnx");
                Files.write(out, v.onnx());
                files.add(out.toString());
            }
        }
        OnnxCheckerTest.assertFullCheck(files);
    }

    /**
     * layout=labels: a graph that outputs labels [N, 1, H, W] (here the argmax of its input's 3 channels) is one-hot
     * encoded to logits, so its logits and labels-out variants both give those labels back.
     */
    @Test
    void aLabelsGraphIsTakenWithLayoutLabels(@TempDir Path dir) throws Exception {
        NodeProto argmax = NodeProto.newBuilder().setOpType("ArgMax").setName("am").addInput("x").addOutput("y")
                .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("axis")
                        .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INT).setI(1)).build();
        GraphProto.Builder g = GraphProto.newBuilder().setName("labels")
                .addInput(OnnxFileModel.tensorInfo("x", TensorProto.DataType.FLOAT, "n", 3, "h", "w")).addNode(argmax)
                .addOutput(OnnxFileModel.tensorInfo("y", TensorProto.DataType.INT64, "n", 1, "h", "w"));
        Path file = dir.resolve("argmax.onnx");
        Files.write(file, ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(g).build().toByteArray());
        String noClasses = assertThrows(ModelException.class, () -> open("onnx:" + file + "?layout=labels")).getMessage();
        assertTrue(noClasses.contains("classes=N"), noClasses);
        String notLabels = assertThrows(ModelException.class, () -> open("onnx:" + file)).getMessage();
        assertTrue(notLabels.contains("not float logits"), notLabels);

        OnnxFileModel model = open("onnx:" + file + "?layout=labels&classes=3");
        assertEquals(3, model.numClasses());
        float[] x = image(9);
        byte[] expected = argmax(x, 3);
        try (OrtSession s = Fixtures.open(model.artifact(Precision.FP32, false))) {
            assertEquals(1.0, agreement(expected, argmax(Fixtures.run(s, x, 1, 3, H, W).floats(), 3)), 0.0,
                    "one-hot logits argmax to the graph's labels");
        }
        assertEquals(1.0, agreement(expected, labels(model.artifact(Precision.FP32, true), x)), 0.0,
                "labels-out gives the graph's labels");
    }

    // ---- bad input: one line each --------------------------------------------------------------------------------

    private static ModelProto graph(List<NodeProto> nodes, List<String> outputs, Object... outputDims) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("tiny")
                .addInput(OnnxFileModel.tensorInfo("x", TensorProto.DataType.FLOAT, "n", 3, "h", "w"));
        nodes.forEach(g::addNode);
        outputs.forEach(o -> g.addOutput(OnnxFileModel.tensorInfo(o, TensorProto.DataType.FLOAT, outputDims)));
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(g).build();
    }

    private static NodeProto relu(String in, String out) {
        return NodeProto.newBuilder().setOpType("Relu").setName(out).addInput(in).addOutput(out).build();
    }

    private static String refused(Path dir, byte[] bytes, String options) throws Exception {
        Path file = dir.resolve("bad.onnx");
        Files.write(file, bytes);
        ModelException e = assertThrows(ModelException.class, () -> open("onnx:" + file + options));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    /** A calibration cached for one normalisation must not be taken for another of the same file. */
    @Test
    void theInt8GraphVersionChangesWithTheNormalisation() throws Exception {
        Path file = TorchvisionModels.onnx(TorchvisionModels.LRASPP);
        String imagenet = open("onnx:" + file).int8().orElseThrow().graphVersion();
        assertEquals(imagenet, open("onnx:" + file + "?name=other").int8().orElseThrow().graphVersion(),
                "the name alone changes nothing calibrated");
        assertNotEquals(imagenet, open("onnx:" + file + "?mean=0.5,0.5,0.5&std=0.5,0.5,0.5").int8().orElseThrow()
                .graphVersion());
    }

    @Test
    void aFileThatIsNotOnnxIsRefused(@TempDir Path dir) throws Exception {
        String m = refused(dir, "not a model at all\n".getBytes(), "");
        assertTrue(m.contains("bad.onnx") && m.contains("not an ONNX model"), m);
    }

    @Test
    void twoOutputsWithoutOutputOptionAreRefusedAndOutputPicksOne(@TempDir Path dir) throws Exception {
        ModelProto two = graph(List.of(relu("x", "a"), relu("x", "b")), List.of("a", "b"), "n", 3, "h", "w");
        String m = refused(dir, two.toByteArray(), "");
        assertTrue(m.contains("2 outputs (a, b)") && m.contains("output=NAME"), m);
        Path file = dir.resolve("two.onnx");
        Files.write(file, two.toByteArray());
        OnnxFileModel picked = open("onnx:" + file + "?output=b");
        ModelProto g = ModelProto.parseFrom(picked.artifact(Precision.FP32, false).onnx());
        assertEquals(List.of(ModelArtifact.LOGITS_NAME), g.getGraph().getOutputList().stream().map(v -> v.getName()).toList());
        assertEquals(1, g.getGraph().getNodeCount(), "the other output's nodes are dropped");
        assertEquals("two", picked.id(), "the id is the file's base name");
    }

    @Test
    void anOutputThatIsNotNchwIsRefused(@TempDir Path dir) throws Exception {
        NodeProto flatten = NodeProto.newBuilder().setOpType("Flatten").setName("f").addInput("x").addOutput("y").build();
        String m = refused(dir, graph(List.of(flatten), List.of("y"), "n", "k").toByteArray(), "");
        assertTrue(m.contains("output y") && m.contains("not float logits [N, C, H, W]"), m);
    }

    @Test
    void anOpsetTooOldForTheLabelsHeadIsRefusedAtOpen(@TempDir Path dir) throws Exception {
        ModelProto old = graph(List.of(relu("x", "y")), List.of("y"), "n", 3, "h", "w").toBuilder()
                .setOpsetImport(0, OperatorSetIdProto.newBuilder().setVersion(10)).build();
        String m = refused(dir, old.toByteArray(), "");
        assertTrue(m.contains("opset 10") && m.contains("11 or newer"), m);
    }

    @Test
    void anUnknownOptionIsRefused(@TempDir Path dir) throws Exception {
        String m = refused(dir, graph(List.of(relu("x", "y")), List.of("y"), "n", 3, "h", "w").toByteArray(), "?colour=red");
        assertTrue(m.contains("unknown option 'colour'") && m.contains("mean"), m);
    }
}
