package dev.segbench.gputests;

import dev.segbench.api.Availability;
import dev.segbench.api.Backend;
import dev.segbench.api.Capability;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.backend.cuda.CudaSession;
import dev.segbench.cuda.CudaRuntime;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every GPU backend must do besides matching the CPU backend: labels-out is the argmax of the logits, a second
 * open hits the engine or plan cache, CUDA-graph replay equals an eager run (cuda here; TensorRT's in TensorRtGpuTest,
 * which can see its contexts), several threads and sessions at once give the same outputs, and the environment facts
 * and device memory are reported. Seeded weights (no fixtures needed), small random inputs.
 */
@Tag("gpu")
class GpuSessionTest {

    private static final int H = 96;
    private static final int W = 128;

    @TempDir
    Path cacheDir;

    private static ModelSource seeded(String id) throws Exception {
        return GpuFixtures.catalog().load(id, WeightsSpec.seeded(7));
    }

    private static float[] randomInput(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n * 3 * H * W];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static byte[] labels(InferenceSession s, float[] input) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            HostTensor in = s.newInput(arena, 1, H, W);
            for (int i = 0; i < input.length; i++) {
                in.setFloat(i, input[i]);
            }
            try (InferenceResult r = s.run(in)) {
                assertEquals(DType.UINT8, r.output().dtype());
                assertArrayEquals(new long[] {1, H, W}, r.output().shape());
                return r.output().data().asSlice(0, (long) H * W).toArray(ValueLayout.JAVA_BYTE);
            }
        }
    }

    @ParameterizedTest(name = "{0}: the labels-out graph gives the argmax of the upsampled logits")
    @EnumSource(GpuBackend.class)
    void labelsOutIsTheArgmaxOfTheLogits(GpuBackend gpu) throws Exception {
        Backend backend = gpu.available();
        ModelSource model = seeded("arch0");
        float[] input = randomInput(1, 1);
        GpuFixtures.Logits logits;
        try (InferenceSession s = backend.open(model, gpu.options(Precision.FP32, false, null, Map.of()))) {
            logits = GpuFixtures.run(s, input, new long[] {1, 3, H, W});
        }
        byte[] labels;
        try (InferenceSession s = backend.open(model, gpu.options(Precision.FP32, false, null, Map.of()).withLabelsOut(true))) {
            assertTrue(s.artifact().labelsOut());
            labels = labels(s, input);
        }
        int differing = Compare.labelsOutMismatches(logits, labels, H, W, 1e-4);
        int pixels = H * W;
        System.out.println(gpu + " labels-out vs argmax of logits: " + differing + " of " + pixels + " pixels differ (near ties)");
        assertTrue(differing <= pixels / 1000, differing + " near-tie pixels differ");
    }

    @ParameterizedTest(name = "{0}: a second open of the same model hits the engine or plan cache")
    @EnumSource(GpuBackend.class)
    void aSecondOpenHitsTheCache(GpuBackend gpu) throws Exception {
        Backend backend = gpu.available();
        ModelSource model = seeded("arch1");
        float[] input = randomInput(2, 1);
        GpuFixtures.Logits first;
        try (InferenceSession s = backend.open(model, gpu.options(Precision.FP16, false, cacheDir, Map.of()))) {
            first = GpuFixtures.run(s, input, new long[] {1, 3, H, W});
            if (gpu == GpuBackend.TENSORRT) {
                assertTrue(s.buildSeconds().isPresent(), "a fresh cache folder: the first open builds the engine");
            }
        }
        try (InferenceSession s = backend.open(model, gpu.options(Precision.FP16, false, cacheDir, Map.of()))) {
            assertTrue(s.buildSeconds().isEmpty(), "nothing compiled on the second open: " + s.buildSeconds());
            GpuFixtures.Logits again = GpuFixtures.run(s, input, new long[] {1, 3, H, W});
            if (s instanceof CudaSession cuda) {
                CudaSession.CacheStats stats = cuda.cacheStats();
                assertTrue(stats.kernelsFromCache(), stats.toString());
                assertTrue(stats.convolutions() > 0 && stats.convolutionsFromCache() == stats.convolutions(),
                        "every convolution's cuDNN choice from the cache: " + stats);
            }
            assertArrayEquals(first.values(), again.values(), "the cached engine or plan computes the same");
        }
    }

    @ParameterizedTest(name = "cuda: CUDA-graph replay gives exactly the eager result")
    @EnumSource(value = GpuBackend.class, names = "CUDA")
    void cudaGraphReplayEqualsEager(GpuBackend gpu) throws Exception {
        Backend backend = gpu.available();
        ModelSource model = seeded("arch2");
        float[] input = randomInput(3, 2);
        long[] shape = {2, 3, H, W};
        GpuFixtures.Logits eager;
        try (InferenceSession s = backend.open(model, gpu.options(Precision.FP16, false, null, Map.of("cuda.graphs", "false")))) {
            eager = GpuFixtures.run(s, input, shape);
            assertFalse(((CudaSession) s).replaysGraph());
        }
        try (InferenceSession s = backend.open(model, gpu.options(Precision.FP16, false, null, Map.of("cuda.graphs", "true")))) {
            GpuFixtures.Logits first = GpuFixtures.run(s, input, shape);
            assertTrue(((CudaSession) s).replaysGraph(), "the graph was captured: " + ((CudaSession) s).describeLastPlan());
            GpuFixtures.Logits second = GpuFixtures.run(s, input, shape);
            assertArrayEquals(eager.values(), first.values(), "replay = eager");
            assertArrayEquals(first.values(), second.values(), "replay = replay");
        }
    }

    /**
     * Two sessions, and on a backend that declares CONCURRENT_RUNS two threads on each, all running at once: every
     * thread holds its open result until all the others hold theirs, which can only happen if the runs really
     * overlap; a backend (or a test) that runs them one after another fails on the barrier's timeout.
     */
    @ParameterizedTest(name = "{0}: several threads and sessions at once give the same outputs")
    @EnumSource(GpuBackend.class)
    void concurrentRunsGiveTheSameOutputs(GpuBackend gpu) throws Exception {
        Backend backend = gpu.available();
        boolean concurrent = backend.availability().capabilities().contains(Capability.CONCURRENT_RUNS);
        int perSession = concurrent ? 2 : 1;
        ModelSource model = seeded("arch0");
        float[] input = randomInput(4, 1);
        long[] shape = {1, 3, H, W};
        List<InferenceSession> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                sessions.add(backend.open(model, gpu.options(Precision.FP32, false, cacheDir,
                        gpu == GpuBackend.TENSORRT ? Map.of("tensorrt.contexts", "2") : Map.of())));
            }
            GpuFixtures.Logits reference = GpuFixtures.run(sessions.getFirst(), input, shape);
            List<float[]> outputs = ConcurrentRuns.run(sessions, perSession, input, shape, java.time.Duration.ofSeconds(120));
            assertEquals(sessions.size() * perSession, outputs.size());
            for (float[] out : outputs) {
                assertArrayEquals(reference.values(), out, "a concurrent run differs from the single run");
            }
        } finally {
            sessions.forEach(InferenceSession::close);
        }
    }

    @ParameterizedTest(name = "{0}: environment facts and device memory are reported")
    @EnumSource(GpuBackend.class)
    void factsAndDeviceMemoryAreReported(GpuBackend gpu) throws Exception {
        Backend backend = gpu.available();
        Availability a = backend.availability();
        assertTrue(a.facts().keySet().containsAll(List.of("cuda.runtime", "cuda.driver-api", "gpu")), a.facts().toString());
        assertTrue(a.facts().containsKey(gpu == GpuBackend.CUDA ? "cudnn" : "tensorrt"), a.facts().toString());
        CudaRuntime.useDevice(0);
        long freeBefore = CudaRuntime.memoryInfo().freeBytes();
        try (InferenceSession s = backend.open(seeded("arch0"), gpu.options(Precision.FP32, false, null, Map.of()))) {
            GpuFixtures.run(s, randomInput(5, 1), new long[] {1, 3, H, W});
            long reported = s.deviceMemoryBytes().orElseThrow(() -> new AssertionError(gpu + " reports no device memory"));
            long used = freeBefore - CudaRuntime.memoryInfo().freeBytes();
            System.out.println(gpu + " device memory: session reports " + reported + " B, cudaMemGetInfo delta " + used + " B");
            assertTrue(reported > 0, "reported " + reported);
            // the delta also holds what cuDNN/TensorRT and the allocator keep for themselves, so it bounds from above
            assertTrue(reported <= used + (64L << 20), "reported " + reported + " B but only " + used + " B were taken");
        }
    }
}
