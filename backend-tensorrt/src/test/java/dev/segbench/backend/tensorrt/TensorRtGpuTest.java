package dev.segbench.backend.tensorrt;

import dev.segbench.api.Availability;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.SessionOptions.ShapeProfile;
import dev.segbench.api.WeightsSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TensorRT-specific behaviour on a GPU (the checks every GPU backend must pass, accuracy against the CPU backend
 * included, are in the gpu-tests module): rebuilding a corrupted cache entry, CUDA-graph replay equal to the eager
 * run, and closing a session while a result still holds a context. Needs an NVIDIA GPU, CUDA 13 and TensorRT 10.15+; skipped visibly elsewhere.
 */
@Tag("gpu")
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

    private static ModelSource arch0() throws Exception {
        ModelCatalog catalog = ServiceLoader.load(ModelCatalog.class).findFirst()
                .orElseThrow(() -> new AssertionError("no ModelCatalog on the test class path"));
        return catalog.load("arch0", WeightsSpec.seeded(1));
    }

    private SessionOptions options(Precision p, Map<String, String> extra) {
        Map<String, String> props = new java.util.HashMap<>(Map.of(TensorRtSettings.OPT_LEVEL, "0"));
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

    @Test
    void corruptedCacheEntryIsRebuilt() throws Exception {
        ModelSource model = arch0();
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
    void cudaGraphReplayGivesExactlyTheEagerResult() throws Exception {
        try (InferenceSession s = backend.open(arch0(), options(Precision.FP16, Map.of(TensorRtSettings.CUDA_GRAPH, "true",
                TensorRtSettings.CONTEXTS, "1"))); Arena arena = Arena.ofConfined()) {
            HostTensor in = randomInput(s, arena, 2, 128, 160);
            float[] eager = null;
            for (int i = 0; i < 3; i++) { // eager, captured, replayed
                try (InferenceResult r = s.run(in)) {
                    float[] out = r.output().data().asSlice(0, r.output().byteSize())
                            .toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
                    if (eager == null) {
                        eager = out;
                    } else {
                        assertArrayEquals(eager, out, "run " + i + " (from the captured graph) differs from the eager run");
                    }
                }
            }
            assertEquals(1L, ((TensorRtSession) s).contextsReplayingGraphs(),
                    "the third run replayed a captured graph (a failed capture falls back to eager runs)");
        }
    }

    @Test
    void closingWithAnOpenResultKeepsItReadableAndFreesTheContextWhenTheResultCloses() throws Exception {
        InferenceSession s = backend.open(arch0(), options(Precision.FP16, Map.of(TensorRtSettings.CONTEXTS, "2")));
        TensorRtSession trt = (TensorRtSession) s;
        try (Arena arena = Arena.ofConfined()) {
            HostTensor in = randomInput(s, arena, 1, 64, 64);
            InferenceResult held = s.run(in);
            try (InferenceResult other = s.run(in)) {
                assertEquals(2, trt.contextCount(), "two results open at once hold two contexts");
                assertTrue(s.deviceMemoryBytes().orElseThrow() > 0);
            }
            float before = held.output().getFloat(0);
            s.close();
            assertEquals(1, trt.contextCount(), "the idle context is freed at close, the held one is not");
            assertEquals(before, held.output().getFloat(0), "an open result stays readable after the session closed");
            assertThrows(IllegalStateException.class, () -> s.run(in));
            held.close();
            assertEquals(0, trt.contextCount(), "closing the last result frees its context (and then the engine)");
            s.close();
        }
    }
}
