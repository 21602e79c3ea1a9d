package dev.segbench.backend.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.Availability;
import dev.segbench.api.BackendException;
import dev.segbench.api.Capability;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsInfo;
import dev.segbench.onnx.graph.OnnxBuilder;
import dev.segbench.onnx.graph.TestGraphs;
import dev.segbench.testfixtures.StubModels;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The interpreter on small graphs with the models' op patterns (no fixtures needed), refusals, concurrency. */
class PyTorchBackendTest {

    private static final PyTorchBackend BACKEND = new PyTorchBackend();

    private static ModelSource source(String id, byte[] onnx, boolean labelsOut) {
        var info = new StubModels.Info(id, "test graph", "-", List.of("a", "b", "c", "d", "e"), Preprocessing.IMAGENET, 1, 0,
                (h, w) -> 0);
        return StubModels.source(info, WeightsInfo.seeded(1), (precision, labels) ->
                new ModelArtifact(id, precision, labelsOut, onnx, "", WeightsInfo.seeded(1)));
    }

    @Test
    void reportsItsEnvironment() {
        Availability a = BACKEND.availability();
        assertTrue(a.available(), String.valueOf(a.reason()));
        assertTrue(a.version().startsWith("2.10"), a.version());
        assertTrue(a.capabilities().contains(Capability.CONCURRENT_RUNS));
        for (String key : List.of("torch", "torch.cpu-capability", "torch.parallel-backend", "torch.onednn")) {
            assertTrue(a.facts().containsKey(key) && !a.facts().get(key).isBlank(), key + " in " + a.facts());
        }
        assertTrue(a.facts().get("torch.onednn").contains("DNN"), a.facts().toString());
    }

    @Test
    void openMpWorkersSleepRatherThanSpinUnlessTheUserChoseOtherwise() {
        String user = System.getenv("OMP_WAIT_POLICY");
        String spin = System.getenv("GOMP_SPINCOUNT");
        String expected = user != null ? user + " (environment)"
                : spin != null ? "GOMP_SPINCOUNT=" + spin + " (environment)" : "PASSIVE";
        assertEquals(expected, BACKEND.availability().facts().get("torch.omp-wait-policy"));
    }

    @Test
    void aGraphWithAnOpTheInterpreterDoesNotRunIsRefusedAtOpenNamingTheOp() {
        OnnxBuilder b = new OnnxBuilder(3).input("input", 1, 3).output("logits", 1, 4);
        String x = b.conv("input", 3, 4, 3, 1, 1, 1, 1, true);
        b.nodeNamed("logits", "HardSwish", List.of(x));
        BackendException e = assertThrows(BackendException.class,
                () -> BACKEND.open(source("hswish", b.build(), false), SessionOptions.of(Precision.FP32)));
        assertEquals(BackendException.Code.UNSUPPORTED_OP, e.code());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains("op HardSwish is not implemented by the pytorch backend"), e.getMessage());
        assertTrue(e.getMessage().startsWith("hswish (fp32): "), e.getMessage());
    }

    @Test
    void precisionsItDoesNotOfferAreRefused() {
        BackendException e = assertThrows(BackendException.class,
                () -> BACKEND.open(source("mobile", TestGraphs.mobileBlock(1), false), SessionOptions.of(Precision.FP16)));
        assertTrue(e.getMessage().contains("not fp16"), e.getMessage());
        assertTrue(BACKEND.unsupportedReason(Precision.FP16).orElseThrow().contains("fp32 inside"), "the skip says why");
        assertTrue(BACKEND.unsupportedReason(Precision.INT8).isPresent());
        assertTrue(BACKEND.unsupportedReason(Precision.FP32).isEmpty());
    }

    @ParameterizedTest
    @CsvSource({"mobile,1,16,16", "decoder,2,15,22", "decoder,1,33,17", "resize,1,7,12", "labels,2,14,19", "head,1,13,18",
            "head,2,20,17", "pools,1,13,18", "pools,2,16,11"})
    void smallGraphsMatchOnnxRuntime(String graph, int n, int h, int w) throws Exception {
        byte[] onnx = switch (graph) {
            case "mobile" -> TestGraphs.mobileBlock(1);
            case "decoder" -> TestGraphs.decoder(2);
            case "resize" -> TestGraphs.arithmeticResize();
            case "head" -> TestGraphs.segmentationHead(4);
            case "pools" -> TestGraphs.maxPools();
            default -> TestGraphs.labels(3);
        };
        boolean labels = graph.equals("labels");
        float[] input = random(7, n * 3 * h * w);
        long[] shape = {n, 3, h, w};
        SessionOptions options = new SessionOptions(Precision.FP32, 1, null, null, Map.of()).withLabelsOut(labels);
        try (var session = BACKEND.open(source(graph, onnx, labels), options); Arena arena = Arena.ofConfined()) {
            HostTensor x = tensor(arena, input, shape);
            try (InferenceResult r = session.run(x); OrtSession ort = OrtEnvironment.getEnvironment().createSession(onnx);
                 OnnxTensor in = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(input), shape);
                 OrtSession.Result expected = ort.run(Map.of("input", in))) {
                OnnxTensor e = (OnnxTensor) expected.get(0);
                assertArrayEquals(e.getInfo().getShape(), r.output().shape(), graph + " output shape");
                if (labels) {
                    // these fixed inputs have no near-tie of the top two scores: every label must match
                    byte[] want = new byte[e.getByteBuffer().remaining()];
                    e.getByteBuffer().get(want);
                    assertArrayEquals(want, r.output().data().toArray(ValueLayout.JAVA_BYTE));
                } else {
                    float[] want = new float[(int) e.getInfo().getNumElements()];
                    e.getFloatBuffer().get(want);
                    float[] got = r.output().data().toArray(ValueLayout.JAVA_FLOAT);
                    float scale = 0;
                    float diff = 0;
                    for (int i = 0; i < want.length; i++) {
                        scale = Math.max(scale, Math.abs(want[i]));
                        diff = Math.max(diff, Math.abs(got[i] - want[i]));
                    }
                    assertTrue(diff <= 1e-5f * scale, graph + ": max|diff| " + diff + " of max " + scale);
                }
            }
        }
    }

    @Test
    void concurrentRunsOnSeparateInputsGiveTheSequentialResults() throws Exception {
        int runs = 8;
        long[] shape = {1, 3, 24, 20};
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            inputs.add(random(100 + i, 3 * 24 * 20));
        }
        SessionOptions options = new SessionOptions(Precision.FP32, 1, null, null, Map.of());
        try (var session = BACKEND.open(source("decoder", TestGraphs.decoder(2), false), options);
             Arena arena = Arena.ofShared()) {
            List<float[]> sequential = new ArrayList<>();
            for (float[] in : inputs) {
                try (InferenceResult r = session.run(tensor(arena, in, shape))) {
                    sequential.add(r.output().data().toArray(ValueLayout.JAVA_FLOAT));
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<float[]>> concurrent = new ArrayList<>();
                for (float[] in : inputs) {
                    concurrent.add(pool.submit(() -> {
                        try (InferenceResult r = session.run(tensor(arena, in, shape))) {
                            return r.output().data().toArray(ValueLayout.JAVA_FLOAT);
                        }
                    }));
                }
                for (int i = 0; i < runs; i++) {
                    assertArrayEquals(sequential.get(i), concurrent.get(i).get(), "run " + i);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void aResultOutlivesItsSessionAndAClosedSessionRefusesToRun() throws Exception {
        SessionOptions options = new SessionOptions(Precision.FP32, 1, null, null, Map.of());
        var session = BACKEND.open(source("mobile", TestGraphs.mobileBlock(1), false), options);
        try (Arena arena = Arena.ofConfined()) {
            HostTensor x = tensor(arena, random(1, 3 * 16 * 16), new long[] {1, 3, 16, 16});
            InferenceResult r = session.run(x);
            float[] before = r.output().data().toArray(ValueLayout.JAVA_FLOAT);
            session.close();
            assertArrayEquals(before, r.output().data().toArray(ValueLayout.JAVA_FLOAT));
            r.close();
            assertThrows(IllegalStateException.class, () -> session.run(x));
            session.close(); // a second close does nothing
        }
    }

    private static float[] random(long seed, int count) {
        Random random = new Random(seed);
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static HostTensor tensor(Arena arena, float[] values, long[] shape) {
        HostTensor t = HostTensor.allocate(arena, DType.FLOAT32, shape);
        t.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(values));
        return t;
    }
}
