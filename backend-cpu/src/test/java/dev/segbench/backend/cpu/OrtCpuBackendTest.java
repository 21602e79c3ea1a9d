package dev.segbench.backend.cpu;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.BackendException;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Capability;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsInfo;
import dev.segbench.testfixtures.StubModels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrtCpuBackendTest {

    private final OrtCpuBackend backend = new OrtCpuBackend();
    private final TinyConvModel tiny = new TinyConvModel();

    @Test
    void isFoundByServiceLoaderAsTheRankTenCpuBackend() {
        Backend found = ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get)
                .filter(b -> b.id().equals("cpu")).findFirst().orElseThrow();
        assertTrue(found instanceof OrtCpuBackend);
        assertEquals(10, found.rank());
        assertEquals(Set.of(Precision.FP32, Precision.FP16, Precision.INT8), found.precisions());
    }

    @Test
    void availabilityReportsTheLoadedLibraryVersionAndTheCpu() {
        Availability a = backend.availability();
        assertTrue(a.available(), () -> "unavailable: " + a.reason());
        assertEquals(OrtEnvironment.getEnvironment().getVersion(), a.version());
        assertTrue(a.version().startsWith("1.29"), () -> "pom pins ORT 1.29 but the library says " + a.version());
        assertEquals(1, a.devices().size());
        String device = a.devices().getFirst();
        assertTrue(device.matches("CPU: .+, " + Runtime.getRuntime().availableProcessors() + " threads"), device);
        assertEquals(Set.of(Capability.DYNAMIC_SHAPES, Capability.LABELS_OUT, Capability.CONCURRENT_RUNS,
                Capability.INTERMEDIATE_OUTPUTS), a.capabilities());
        assertSame(a, backend.availability(), "the probe runs once and is cached");
    }

    @Test
    void fp32LogitsMatchAPlainJavaConvolution() throws Exception {
        try (Arena arena = Arena.ofConfined();
             InferenceSession session = backend.open(tiny, SessionOptions.of(Precision.FP32))) {
            assertEquals(Precision.FP32, session.artifact().precision());
            // odd sizes check the ceil(H / stride) output rule
            checkLogits(session, arena, 2, 7, 11, 1, 1e-5f);
        }
    }

    @Test
    void oneSessionRunsManyShapesAndGrowsItsOutputBuffer() throws Exception {
        try (Arena arena = Arena.ofConfined();
             InferenceSession session = backend.open(tiny, new SessionOptions(Precision.FP32, 1,
                     SessionOptions.ShapeProfile.DEFAULT, null, Map.of()))) {
            checkLogits(session, arena, 1, 8, 8, 2, 1e-5f);
            checkLogits(session, arena, 3, 33, 20, 3, 1e-5f);
            checkLogits(session, arena, 1, 5, 6, 4, 1e-5f);
        }
    }

    /**
     * CONCURRENT_RUNS is declared because one session takes run calls from several threads at once: four threads,
     * each with its own input and shape, every result equal to the plain Java convolution.
     */
    @Test
    void oneSessionServesConcurrentRunsFromSeveralThreads() throws Exception {
        try (Arena arena = Arena.ofShared();
             InferenceSession session = backend.open(tiny, new SessionOptions(Precision.FP32, 1,
                     SessionOptions.ShapeProfile.DEFAULT, null, Map.of()))) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 20; i++) {
                            checkLogits(session, arena, 1 + thread % 2, 8 + thread, 9 + i % 3, 100L * thread + i, 1e-5f);
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    f.get(); // rethrows a thread's assertion failure
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void fp16GraphRunsAndStaysWithinHalfPrecisionOfTheReference() throws Exception {
        try (Arena arena = Arena.ofConfined();
             InferenceSession session = backend.open(tiny, SessionOptions.of(Precision.FP16))) {
            assertEquals(Precision.FP16, session.artifact().precision());
            // half floats carry ~3 decimal digits; outputs here are in [0, 6]
            checkLogits(session, arena, 2, 9, 13, 5, 2e-2f);
        }
    }

    @Test
    void labelsOutReturnsTheArgmaxAsBytes() throws Exception {
        SessionOptions options = SessionOptions.of(Precision.FP32).withLabelsOut(true);
        int n = 2, h = 6, w = 9;
        try (Arena arena = Arena.ofConfined(); InferenceSession session = backend.open(tiny, options)) {
            assertTrue(session.artifact().labelsOut());
            HostTensor input = session.newInput(arena, n, h, w);
            float[] x = fill(input, 6);
            float[] logits = TinyConvModel.expectedLogits(x, n, h, w, 1);
            try (InferenceResult result = session.run(input)) {
                HostTensor labels = result.output();
                assertEquals(DType.UINT8, labels.dtype());
                assertArrayEquals(new long[] {n, h, w}, labels.shape());
                int plane = h * w;
                int checked = 0;
                for (int b = 0; b < n; b++) {
                    for (int p = 0; p < plane; p++) {
                        float c0 = logits[(b * 2) * plane + p];
                        float c1 = logits[(b * 2 + 1) * plane + p];
                        if (Math.abs(c0 - c1) < 1e-4f) {
                            continue; // ties (both clipped to 0 or 6) may go either way
                        }
                        assertEquals(c1 > c0 ? 1 : 0, labels.data().get(ValueLayout.JAVA_BYTE, b * plane + p),
                                "pixel " + b + "/" + p);
                        checked++;
                    }
                }
                assertTrue(checked > plane / 2, "too few untied pixels to be a meaningful check: " + checked);
            }
        }
    }

    @Test
    void ortWrapsADirectBufferOverASegmentWithoutCopying() throws Exception {
        // The zero-copy claim in OrtCpuSession rests on this ORT 1.29 behaviour.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(4 * 12, 64);
            var floats = segment.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
            try (OnnxTensor tensor = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), floats,
                    new long[] {1, 3, 2, 2})) {
                assertFalse(tensor.ownsBuffer(), "ORT copied a direct buffer");
                var held = tensor.getBufferRef().orElseThrow();
                assertEquals(segment.address(), MemorySegment.ofBuffer(held).address(),
                        "the tensor must point at our segment");
            }
        }
    }

    @Test
    void aHeapInputOverAFloatArrayGivesTheSameLogits() throws Exception {
        int n = 1, h = 6, w = 5;
        try (Arena arena = Arena.ofConfined();
             InferenceSession session = backend.open(tiny, SessionOptions.of(Precision.FP32))) {
            float[] x = fill(session.newInput(arena, n, h, w), 12);
            HostTensor heap = new HostTensor(DType.FLOAT32, new long[] {n, 3, h, w}, MemorySegment.ofArray(x.clone()));
            try (InferenceResult result = session.run(heap)) {
                assertArrayEquals(TinyConvModel.expectedLogits(x, n, h, w, TinyConvModel.STRIDE),
                        result.output().data().toArray(HostTensor.FLOAT), 1e-5f);
            }
        }
    }

    @Test
    void outputMemoryIsReusedOnceTheEarlierResultIsClosedAndNeverWhileItIsOpen() throws Exception {
        try (Arena arena = Arena.ofConfined();
             InferenceSession session = backend.open(tiny, SessionOptions.of(Precision.FP32))) {
            HostTensor input = session.newInput(arena, 1, 10, 10);
            fill(input, 7);
            long firstAddress;
            try (InferenceResult first = session.run(input)) {
                firstAddress = first.output().data().address();
            }
            try (InferenceResult second = session.run(input)) {
                assertEquals(firstAddress, second.output().data().address(), "closed result's buffer is reused");
                float[] before = second.output().data().toArray(HostTensor.FLOAT);
                fill(input, 8);
                try (InferenceResult third = session.run(input)) {
                    assertNotEquals(second.output().data().address(), third.output().data().address());
                    assertArrayEquals(before, second.output().data().toArray(HostTensor.FLOAT),
                            "an open result must not be overwritten by a later run");
                }
            }
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseThrows() throws Exception {
        Arena arena = Arena.ofConfined();
        try (arena) {
            InferenceSession session = backend.open(tiny, SessionOptions.of(Precision.FP32));
            HostTensor input = session.newInput(arena, 1, 4, 4);
            float[] x = fill(input, 9);
            InferenceResult result = session.run(input);
            session.close();
            session.close();
            assertThrows(IllegalStateException.class, () -> session.run(input));
            // the result owns its memory until it is closed, even after its session
            float[] expected = TinyConvModel.expectedLogits(x, 1, 4, 4, 2);
            assertArrayEquals(expected, result.output().data().toArray(HostTensor.FLOAT), 1e-5f);
            result.close();
            result.close();
            assertThrows(IllegalStateException.class, result::output);
        }
    }

    @Test
    void badInputShapeOrTypeIsRejectedNamingExpectedAndActual() throws Exception {
        try (Arena arena = Arena.ofConfined();
             InferenceSession session = backend.open(tiny, SessionOptions.of(Precision.FP32))) {
            var wrongChannels = HostTensor.allocate(arena, DType.FLOAT32, 1, 4, 8, 8);
            var message = assertThrows(IllegalArgumentException.class, () -> session.run(wrongChannels)).getMessage();
            assertTrue(message.contains("expected input FLOAT32[N,3,H,W]") && message.contains("got FLOAT32[1, 4, 8, 8]"),
                    message);
            var wrongRank = HostTensor.allocate(arena, DType.FLOAT32, 3, 8, 8);
            assertThrows(IllegalArgumentException.class, () -> session.run(wrongRank));
            var wrongType = HostTensor.allocate(arena, DType.UINT8, 1, 3, 8, 8);
            message = assertThrows(IllegalArgumentException.class, () -> session.run(wrongType)).getMessage();
            assertTrue(message.contains("got UINT8[1, 3, 8, 8]"), message);
            var empty = HostTensor.allocate(arena, DType.FLOAT32, 1, 3, 0, 8);
            assertThrows(IllegalArgumentException.class, () -> session.run(empty));
            // the session is still usable after rejected inputs
            checkLogits(session, arena, 1, 8, 8, 10, 1e-5f);
        }
    }

    @Test
    void inputFromAClosedArenaIsRefusedAndTheSessionKeepsWorking() throws Exception {
        try (Arena arena = Arena.ofConfined();
             InferenceSession session = backend.open(tiny, SessionOptions.of(Precision.FP32))) {
            Arena shortLived = Arena.ofConfined();
            HostTensor freed = session.newInput(shortLived, 1, 8, 8);
            shortLived.close();
            var e = assertThrows(IllegalStateException.class, () -> session.run(freed));
            assertTrue(e.getMessage().contains("closed arena"), e.getMessage());
            checkLogits(session, arena, 1, 8, 8, 13, 1e-5f);
        }
    }

    @Test
    void badSessionPropertiesAreRejected() {
        SessionOptions options = new SessionOptions(Precision.FP32, 0, SessionOptions.ShapeProfile.DEFAULT, null,
                Map.of("cpu.threads", "8", "cuda.graphs", "false"));
        var e = assertThrows(IllegalArgumentException.class, () -> backend.open(tiny, options));
        assertEquals("unknown property cpu.threads (the cpu backend has no cpu.* properties)", e.getMessage());
    }

    @Test
    void brokenModelsBecomeModelInvalidBackendExceptions() {
        ModelSource garbage = source((p, l) -> new ModelArtifact("garbage", p, l, new byte[] {1, 2, 3, 4}, "x",
                WeightsInfo.seeded(0)));
        assertEquals(BackendException.Code.MODEL_INVALID, assertThrows(BackendException.class,
                () -> backend.open(garbage, SessionOptions.of(Precision.FP32))).code());

        // a labels graph presented as a logits artifact has no "logits" output
        ModelSource mislabelled = source((p, l) -> new ModelArtifact("mislabelled", p, false,
                TinyConvModel.graph(false, true).toByteArray(), "x", WeightsInfo.seeded(0)));
        var e = assertThrows(BackendException.class,
                () -> backend.open(mislabelled, SessionOptions.of(Precision.FP32)));
        assertEquals(BackendException.Code.MODEL_INVALID, e.code());
        assertTrue(e.getMessage().contains("'logits'"), e.getMessage());

        ModelSource failing = source((p, l) -> {
            throw new ModelException("weights.pth: not a checkpoint");
        });
        e = assertThrows(BackendException.class, () -> backend.open(failing, SessionOptions.of(Precision.FP32)));
        assertEquals(BackendException.Code.MODEL_INVALID, e.code());
        assertEquals("weights.pth: not a checkpoint", e.getMessage());
    }

    @Test
    void aGraphThatDisagreesWithTheModelInfoFailsTheRunCleanly() throws Exception {
        // info says stride 2, but the labels graph's conv has stride 1: ORT must refuse the pinned output shape
        ModelSource wrongStride = source((p, l) -> new ModelArtifact("wrong-stride", p, false,
                relabelOutput(TinyConvModel.graph(false, false), 1).toByteArray(), "x", WeightsInfo.seeded(0)));
        try (Arena arena = Arena.ofConfined();
             InferenceSession session = backend.open(wrongStride, SessionOptions.of(Precision.FP32))) {
            HostTensor input = session.newInput(arena, 1, 8, 8);
            fill(input, 11);
            var e = assertThrows(BackendException.class, () -> session.run(input));
            assertEquals(BackendException.Code.RUNTIME_ERROR, e.code());
            assertTrue(e.getMessage().startsWith("running wrong-stride on HostTensor[FLOAT32[1, 3, 8, 8]]: "),
                    e.getMessage());
            // the failed run gave its output buffer back; the session keeps working on its own terms
            assertThrows(BackendException.class, () -> session.run(input));
        }
    }

    @Test
    void int8NeedsACalibrationTableAndAModelWithInt8Graphs() {
        IllegalArgumentException noTable = assertThrows(IllegalArgumentException.class,
                () -> backend.open(tiny, SessionOptions.of(Precision.INT8)));
        assertTrue(noTable.getMessage().contains("calibration table"), noTable.getMessage());
        CalibrationTable table = CalibrationTable.of(new CalibrationTable.Key("tiny-conv", "seeded:0", "none",
                List.of("x"), CalibrationMethod.MINMAX, "g"), Map.of("input", new CalibrationTable.Range(-1f, 1f)));
        BackendException noGraph = assertThrows(BackendException.class,
                () -> backend.open(tiny, SessionOptions.of(Precision.INT8).withCalibration(table)));
        assertEquals(BackendException.Code.UNSUPPORTED_OP, noGraph.code());
        assertEquals("model tiny-conv has no int8 graph", noGraph.getMessage());
    }

    /**
     * The profile's optimal shape runs on a second ORT session whose symbolic dimensions are fixed, opened on the
     * first run of exactly that shape; every other shape keeps using the session that takes any size, and both give
     * the reference's values.
     */
    @Test
    void theProfilesOptimalShapeRunsOnALazilyOpenedFixedShapeSession() throws Exception {
        SessionOptions.ShapeProfile profile = new SessionOptions.ShapeProfile(1, 1, 4, 8, 16, 64, 8, 24, 64);
        try (Arena arena = Arena.ofConfined(); InferenceSession session = backend.open(tiny,
                new SessionOptions(Precision.FP32, 1, profile, null, Map.of()))) {
            OrtCpuSession ort = (OrtCpuSession) session;
            checkLogits(session, arena, 2, 16, 24, 1, 1e-5f); // batch 2: not the optimal shape
            checkLogits(session, arena, 1, 17, 24, 2, 1e-5f);
            assertEquals(-1, ort.fixedSessionOpenSeconds(), "no run had the optimal shape yet");
            checkLogits(session, arena, 1, 16, 24, 3, 1e-5f);
            double opened = ort.fixedSessionOpenSeconds();
            assertTrue(opened >= 0, "the optimal shape opened the fixed-shape session");
            checkLogits(session, arena, 1, 16, 24, 4, 1e-5f);
            checkLogits(session, arena, 1, 9, 9, 5, 1e-5f);
            assertEquals(opened, ort.fixedSessionOpenSeconds(), "opened once");
        }
        try (Arena arena = Arena.ofConfined(); InferenceSession session = backend.open(tiny,
                new SessionOptions(Precision.FP32, 1, null, null, Map.of()))) {
            checkLogits(session, arena, 1, 16, 24, 6, 1e-5f);
            assertEquals(-1, ((OrtCpuSession) session).fixedSessionOpenSeconds(), "no profile, no fixed-shape session");
        }
    }

    @Test
    void ortErrorsBecomeOneLineBackendExceptionsWithTheMatchingCode() {
        var e = OrtCpuSession.translate("running m", new ai.onnxruntime.OrtException(
                ai.onnxruntime.OrtException.OrtErrorCode.ORT_INVALID_GRAPH, "bad node\n  Conv_3\r\n  details"));
        assertEquals("running m: Error code - ORT_INVALID_GRAPH - message: bad node Conv_3 details", e.getMessage());
        assertEquals(BackendException.Code.MODEL_INVALID, e.code());
        e = OrtCpuSession.translate("running m", new ai.onnxruntime.OrtException(
                ai.onnxruntime.OrtException.OrtErrorCode.ORT_FAIL, "std::bad_alloc"));
        assertEquals(BackendException.Code.OUT_OF_MEMORY, e.code());
    }

    /** The logits graph with the conv stride changed, so the real output no longer matches ceil(H / 2). */
    private static ai.onnx.proto.OnnxMl.ModelProto relabelOutput(ai.onnx.proto.OnnxMl.ModelProto model, int stride) {
        var graph = model.getGraph().toBuilder();
        for (var node : graph.getNodeBuilderList()) {
            if (node.getOpType().equals("Conv")) {
                for (var attribute : node.getAttributeBuilderList()) {
                    if (attribute.getName().equals("strides")) {
                        attribute.clearInts().addInts(stride).addInts(stride);
                    }
                }
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }

    /** Runs a random input through the session and compares with the Java reference. */
    private static void checkLogits(InferenceSession session, Arena arena, int n, int h, int w, long seed,
                                    float tolerance) throws BackendException {
        HostTensor input = session.newInput(arena, n, h, w);
        float[] x = fill(input, seed);
        float[] expected = TinyConvModel.expectedLogits(x, n, h, w, TinyConvModel.STRIDE);
        try (InferenceResult result = session.run(input)) {
            HostTensor out = result.output();
            assertEquals(DType.FLOAT32, out.dtype());
            assertArrayEquals(new long[] {n, TinyConvModel.CLASSES, (h + 1) / 2, (w + 1) / 2}, out.shape());
            float[] actual = out.data().toArray(HostTensor.FLOAT);
            assertArrayEquals(expected, actual, tolerance);
            double sum = 0;
            for (float v : actual) {
                sum += v;
            }
            assertTrue(sum > 0, "all-zero output would make the comparison vacuous");
        }
    }

    private static float[] fill(HostTensor input, long seed) {
        Random random = new Random(seed);
        float[] x = new float[(int) input.elementCount()];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() * 4 - 2;
            input.setFloat(i, x[i]);
        }
        return x;
    }

    private static ModelSource source(StubModels.Artifacts factory) {
        return StubModels.source(new TinyConvModel().info(), WeightsInfo.seeded(0), factory);
    }
}
