package dev.segbench.backend.opencv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsInfo;
import dev.segbench.api.WeightsSpec;
import dev.segbench.backend.cpu.OrtCpuBackend;
import dev.segbench.testfixtures.FloatArrays;
import dev.segbench.testfixtures.StubModels;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The opencv backend on seeded graphs and hand-built ones: no fixtures needed. */
class OpenCvBackendTest {

    private final OpenCvBackend backend = new OpenCvBackend();
    private static final SessionOptions FP32 = new SessionOptions(Precision.FP32, 2, null, null, Map.of());

    @Test
    void isFoundByServiceLoaderAndReportsItsEnvironment() {
        assertTrue(ServiceLoader.load(Backend.class).stream().anyMatch(p -> p.type() == OpenCvBackend.class),
                "META-INF/services does not register OpenCvBackend");
        Availability a = backend.availability();
        assertTrue(a.available(), "opencv unavailable: " + a.reason());
        assertTrue(a.version().startsWith("4.13"), "version " + a.version());
        assertEquals(a.version(), a.facts().get("opencv"));
        assertTrue(a.facts().get("opencv.dnn.backends").contains("OPENCV/CPU"), "facts " + a.facts());
        assertTrue(Integer.parseInt(a.facts().get("opencv.threads")) >= 1, "facts " + a.facts());
    }

    @Test
    void offersFp32OnlyAndSaysWhyNotTheOthers() throws Exception {
        assertEquals(java.util.Set.of(Precision.FP32), backend.precisions());
        assertTrue(backend.unsupportedReason(Precision.FP16).orElseThrow().contains("ARM"));
        assertTrue(backend.unsupportedReason(Precision.INT8).orElseThrow().contains("FP32 inside"));
        assertTrue(backend.unsupportedReason(Precision.FP32).isEmpty());
        BackendException e = assertThrows(BackendException.class, () -> backend.open(seeded("arch0"),
                new SessionOptions(Precision.FP16, 2, null, null, Map.of())));
        assertTrue(e.getMessage().contains("ARM"), e.getMessage());
    }

    /** A graph with an op OpenCV has no layer for is refused when the session opens, in one line naming the op. */
    @Test
    void unknownOpIsRefusedAtOpenWithItsName() {
        ModelSource bogus = StubModels.source(TINY_INFO, WeightsInfo.seeded(0), (precision, labelsOut) ->
                new ModelArtifact("bogus-op", precision, labelsOut, graphWith("SegbenchNoSuchOp").toByteArray(),
                        "not-hashed", WeightsInfo.seeded(0)));
        BackendException e = assertThrows(BackendException.class, () -> backend.open(bogus, FP32));
        System.out.println("refusal: " + e.getMessage());
        assertEquals(BackendException.Code.UNSUPPORTED_OP, e.code());
        assertTrue(e.getMessage().contains("SegbenchNoSuchOp"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "not one line: " + e.getMessage());
        assertFalse(e.getMessage().contains(".cpp"), "OpenCV's source location leaked: " + e.getMessage());
    }

    /** The same graph with a known op opens and runs: the refusal above is about the op, not the graph around it. */
    @Test
    void theSameGraphWithAKnownOpRuns() throws Exception {
        ModelSource relu = StubModels.source(TINY_INFO, WeightsInfo.seeded(0), (precision, labelsOut) ->
                new ModelArtifact("relu", precision, labelsOut, graphWith("Relu").toByteArray(), "not-hashed",
                        WeightsInfo.seeded(0)));
        try (Arena arena = Arena.ofConfined(); InferenceSession session = backend.open(relu, FP32)) {
            HostTensor input = random(session, arena, 1, 8, 8, 1);
            try (InferenceResult r = session.run(input)) {
                assertEquals(List.of(1L, 3L, 8L, 8L), java.util.Arrays.stream(r.output().shape()).boxed().toList());
                for (long i = 0; i < input.elementCount(); i++) {
                    assertEquals(Math.max(0, input.getFloat(i)), r.output().getFloat(i), 0f);
                }
            }
        }
    }

    /** Two input shapes in one session each get a network of their own, and both agree with the cpu backend. */
    @Test
    void twoInputShapesInOneSessionBothMatchCpu() throws Exception {
        ModelSource arch0 = seeded("arch0");
        int[][] shapes = {{1, 64, 96}, {2, 80, 48}, {1, 64, 96}};
        try (Arena arena = Arena.ofConfined();
             InferenceSession opencv = backend.open(arch0, FP32);
             InferenceSession cpu = new OrtCpuBackend().open(arch0, FP32)) {
            int seed = 0;
            for (int[] s : shapes) {
                HostTensor input = random(opencv, arena, s[0], s[1], s[2], seed++);
                float[] expected;
                try (InferenceResult r = cpu.run(input)) {
                    expected = r.output().data().toArray(HostTensor.FLOAT);
                }
                try (InferenceResult r = opencv.run(input)) {
                    int stride = arch0.info().outputStride();
                    assertEquals(List.of((long) s[0], 21L, (long) (s[1] + stride - 1) / stride, (long) (s[2] + stride - 1) / stride),
                            java.util.Arrays.stream(r.output().shape()).boxed().toList());
                    double error = FloatArrays.relativeError(r.output().data().toArray(HostTensor.FLOAT), expected);
                    assertTrue(error <= 1e-4, "shape " + java.util.Arrays.toString(s) + ": opencv differs from cpu by "
                            + error + " x max|logit|");
                }
            }
            // the profile's shape (built at open) and the two above
            assertEquals(3, ((OpenCvSession) opencv).cachedNetworks());
        }
    }

    @Test
    void theNetworkCacheKeepsOnlyTheShapesUsedLast() throws Exception {
        ModelSource arch0 = seeded("arch0");
        try (Arena arena = Arena.ofConfined(); InferenceSession opencv = backend.open(arch0, FP32)) {
            for (int i = 0; i < OpenCvSession.CACHED_SHAPES + 2; i++) {
                HostTensor input = random(opencv, arena, 1, 32, 32 + 8 * i, i);
                opencv.run(input).close();
            }
            assertEquals(OpenCvSession.CACHED_SHAPES, ((OpenCvSession) opencv).cachedNetworks());
        }
    }

    @Test
    void aResultOutlivesTheNextRunAndTheSession() throws Exception {
        ModelSource arch0 = seeded("arch0");
        try (Arena arena = Arena.ofConfined()) {
            InferenceResult first;
            float[] copy;
            try (InferenceSession opencv = backend.open(arch0, FP32)) {
                first = opencv.run(random(opencv, arena, 1, 32, 32, 1));
                copy = first.output().data().toArray(HostTensor.FLOAT);
                opencv.run(random(opencv, arena, 1, 32, 32, 2)).close();
            }
            assertEquals(0.0, FloatArrays.relativeError(first.output().data().toArray(HostTensor.FLOAT), copy));
            first.close();
            assertThrows(IllegalStateException.class, first::output);
        }
    }

    /** OpenCV's nested error text (as 4.13 wrote it for an unknown op) becomes its innermost description, one line. */
    @Test
    void openCvErrorTextBecomesItsInnermostDescription() {
        String text = "OpenCV(4.13.0) /build/modules/dnn/src/onnx/onnx_importer.cpp:1059: error: (-2:Unspecified error)"
                + " in function 'handleNode'\n> Node [Foo@ai.onnx]:(onnx_node!n) parse error: OpenCV(4.13.0)"
                + " /build/modules/dnn/src/layers/foo.cpp:108: error: (-215:Assertion failed) inputs.size() == 2"
                + " in function 'getMemoryShapes'\n> \n";
        assertEquals("ONNX op Foo (node onnx_node!n): inputs.size() == 2", OpenCvSession.oneLine(text));
    }

    private static ModelSource seeded(String id) throws Exception {
        return OpenCvOnFixturesTest.catalogWith(id).load(id, WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
    }

    private static HostTensor random(InferenceSession session, Arena arena, int n, int h, int w, int seed) {
        HostTensor input = session.newInput(arena, n, h, w);
        Random random = new Random(seed);
        for (long i = 0; i < input.elementCount(); i++) {
            input.setFloat(i, (float) random.nextGaussian());
        }
        return input;
    }

    private static final StubModels.Info TINY_INFO = new StubModels.Info("tiny", "one op", "none",
            List.of("a", "b", "c"), Preprocessing.IMAGENET, 1, 0, (h, w) -> 0);

    /** input [N,3,H,W] -> {@code op} -> logits, with symbolic N, H, W as the models module writes them. */
    private static OnnxMl.ModelProto graphWith(String op) {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("one_op")
                .addInput(valueInfo(ModelArtifact.INPUT_NAME))
                .addOutput(valueInfo(ModelArtifact.LOGITS_NAME))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType(op).setName("the_node")
                        .addInput(ModelArtifact.INPUT_NAME).addOutput(ModelArtifact.LOGITS_NAME));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("segbench-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g).build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (String d : new String[] {"N", "3", "H", "W"}) {
            OnnxMl.TensorShapeProto.Dimension.Builder dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (d.equals("3")) {
                dim.setDimValue(3);
            } else {
                dim.setDimParam(d);
            }
            shape.addDim(dim);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
