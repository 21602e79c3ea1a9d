package dev.segbench.backend.tensorrt;

import dev.segbench.api.Availability;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.SessionOptions.ShapeProfile;
import dev.segbench.api.WeightsSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Needs an NVIDIA GPU, the CUDA 13 runtime and TensorRT 10; skipped visibly elsewhere. Builds small-profile
 * FP16 engines for every catalogue model (seeded weights), runs them, and checks cache reuse and rebuild of a
 * corrupted entry. Accuracy against the CPU backend is the harness's job, not this test's.
 */
class TensorRtGpuTest {

    /** A small profile and opt level 0 keep each build short. */
    private static final ShapeProfile PROFILE = new ShapeProfile(1, 1, 2, 64, 128, 256, 64, 160, 256);

    @TempDir
    Path cacheDir;

    private TensorRtBackend backend;

    @BeforeEach
    void needsTensorRt() {
        backend = new TensorRtBackend();
        Availability a = backend.availability();
        assumeTrue(a.available(), () -> "no CUDA device / TensorRT: " + a.reason());
    }

    private static ModelCatalog catalog() {
        return ServiceLoader.load(ModelCatalog.class).findFirst()
                .orElseThrow(() -> new AssertionError("no ModelCatalog on the test class path"));
    }

    private SessionOptions options(Precision p, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>(Map.of(TensorRtSettings.OPT_LEVEL, "0"));
        props.putAll(extra);
        return new SessionOptions(p, 0, PROFILE, cacheDir, props);
    }

    private static HostTensor randomInput(InferenceSession s, Arena arena, int n, int h, int w) {
        HostTensor in = s.newInput(arena, n, h, w);
        Random r = new Random(3);
        for (long i = 0; i < in.elementCount(); i++) {
            in.setFloat(i, (float) r.nextGaussian());
        }
        return in;
    }

    private static float[] logits(InferenceResult r) {
        HostTensor out = r.output();
        float[] v = new float[(int) out.elementCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = out.getFloat(i);
        }
        return v;
    }

    @Test
    void buildsRunsAndReusesFp16EnginesForEveryModel() throws Exception {
        ModelCatalog catalog = catalog();
        for (ModelInfo info : catalog.models()) {
            ModelSource model = catalog.load(info.id(), WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
            float[] first;
            try (InferenceSession s = backend.open(model, options(Precision.FP16, Map.of()));
                 Arena arena = Arena.ofConfined()) {
                assertTrue(s.buildSeconds().isPresent(), info.id() + ": first open must build");
                assertTrue(s.buildSeconds().getAsDouble() > 0);
                assertEquals(Precision.FP16, s.artifact().precision());
                HostTensor in = randomInput(s, arena, 2, 100, 150);
                try (InferenceResult r = s.run(in)) {
                    int stride = info.outputStride();
                    assertArrayEquals(new long[] {2, info.numClasses(), ceil(100, stride), ceil(150, stride)},
                            r.output().shape(), info.id());
                    first = logits(r);
                    for (float f : first) {
                        assertTrue(Float.isFinite(f), info.id() + ": non-finite logit");
                    }
                    InferenceResult.DeviceTimings t = r.deviceTimings().orElseThrow();
                    assertTrue(t.h2dMs() > 0 && t.computeMs() > 0 && t.d2hMs() > 0, t.toString());
                }
            }
            try (InferenceSession s = backend.open(model, options(Precision.FP16, Map.of()));
                 Arena arena = Arena.ofConfined()) {
                assertTrue(s.buildSeconds().isEmpty(), info.id() + ": second open must load the cached engine");
                assertTrue(((TensorRtSession) s).engineFromCache());
                try (InferenceResult r = s.run(randomInput(s, arena, 2, 100, 150))) {
                    float[] again = logits(r);
                    float scale = 1e-6f;
                    float worst = 0f;
                    for (int i = 0; i < first.length; i++) {
                        scale = Math.max(scale, Math.abs(first[i]));
                        worst = Math.max(worst, Math.abs(first[i] - again[i]));
                    }
                    assertTrue(worst <= 1e-3f * scale, info.id() + ": cached engine differs by " + worst
                            + " (largest logit " + scale + ")");
                }
            }
        }
    }

    @Test
    void corruptedCacheEntryIsRebuilt() throws Exception {
        ModelSource model = catalog().load("arch0", WeightsSpec.seeded(1));
        Path entry;
        try (InferenceSession s = backend.open(model, options(Precision.FP16, Map.of()))) {
            assertTrue(s.buildSeconds().isPresent());
            entry = ((TensorRtSession) s).cacheEntry().orElseThrow();
            assertTrue(entry.startsWith(cacheDir.resolve("tensorrt")), entry.toString());
        }
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(entry, bytes);
        try (InferenceSession s = backend.open(model, options(Precision.FP16, Map.of()))) {
            assertTrue(s.buildSeconds().isPresent(), "a corrupted entry must be rebuilt, not loaded");
        }
        try (InferenceSession s = backend.open(model, options(Precision.FP16, Map.of()))) {
            assertTrue(s.buildSeconds().isEmpty(), "the rebuilt entry is valid again");
        }
    }

    @Test
    void labelsOutFp32WithCudaGraphsAndConcurrentRuns() throws Exception {
        ModelSource model = catalog().load("arch0", WeightsSpec.seeded(1));
        Map<String, String> props = Map.of(TensorRtSettings.LABELS_OUT, "true", TensorRtSettings.CUDA_GRAPH, "true",
                TensorRtSettings.CONTEXTS, "2");
        try (InferenceSession s = backend.open(model, options(Precision.FP32, props)); Arena arena = Arena.ofShared()) {
            HostTensor in = randomInput(s, arena, 1, 128, 160);
            byte[] reference = null;
            for (int i = 0; i < 3; i++) { // plain, captured, replayed
                try (InferenceResult r = s.run(in)) {
                    assertEquals(DType.UINT8, r.output().dtype());
                    assertArrayEquals(new long[] {1, 128, 160}, r.output().shape());
                    byte[] labels = r.output().data().asSlice(0, 128 * 160).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    for (byte b : labels) {
                        assertTrue((b & 0xff) < model.info().numClasses());
                    }
                    if (reference == null) {
                        reference = labels;
                    } else {
                        assertArrayEquals(reference, labels, "graph replay " + i + " differs from the plain run");
                    }
                }
            }
            assertEquals(1L, ((TensorRtSession) s).contextsReplayingGraphs(),
                    "the third run must replay a captured graph (a failed capture falls back to eager runs)");
            try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
                List<Future<Long>> futures = pool.invokeAll(List.of(() -> runs(s, in, 10), () -> runs(s, in, 10)));
                for (Future<Long> f : futures) {
                    assertEquals(10L, f.get());
                }
                int contexts = ((TensorRtSession) s).contextCount();
                assertTrue(contexts >= 1 && contexts <= 2, "contexts: " + contexts);
            }
        }
    }

    @Test
    void closedSessionRefusesWork() throws Exception {
        ModelSource model = catalog().load("arch0", WeightsSpec.seeded(1));
        InferenceSession s = backend.open(model, options(Precision.FP16, Map.of()));
        try (Arena arena = Arena.ofConfined()) {
            HostTensor in = randomInput(s, arena, 1, 64, 64);
            s.close();
            s.close();
            assertThrows(IllegalStateException.class, () -> s.run(in));
        }
    }

    private static long runs(InferenceSession s, HostTensor in, int n) throws Exception {
        long ok = 0;
        for (int i = 0; i < n; i++) {
            try (InferenceResult r = s.run(in)) {
                ok += r.output().elementCount() == 128L * 160 ? 1 : 0;
            }
        }
        return ok;
    }

    private static long ceil(int a, int b) {
        return (a + b - 1) / b;
    }
}
