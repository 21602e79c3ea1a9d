package dev.segbench.backend.cpu;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;

/**
 * Batch-1 latency of bare ONNX Runtime (OrtSession.run with tensors it allocates itself) against the same graph
 * through {@link OrtCpuBackend} (HostTensor in, pinned output out), to show what the backend costs on top of ORT.
 * Both sides use identical ORT session options. After 2 s of warm-up each, the two variants alternate every
 * iteration (at least 30 iterations and 5 s each) so that load from other processes on a shared machine hits both
 * alike; the paired per-iteration difference is reported too.
 *
 * <p>Run from backend-cpu after {@code mvn -o -q -pl backend-cpu install}:
 * {@code mvn -o -q -pl backend-cpu dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/cp.txt}
 * then {@code java --enable-native-access=ALL-UNNAMED -cp target/test-classes:target/classes:$(cat target/cp.txt)
 * dev.segbench.backend.cpu.CpuBackendBenchmark [models=arch0,arch1,arch2] [size=512] [threads=2]}.
 * With no NAS-segm catalogue on the classpath, or {@code models=synthetic}, it runs {@link SyntheticConvModel};
 * {@code models=tiny size=16} measures the backend's fixed per-call cost on {@link TinyConvModel}.
 */
public final class CpuBackendBenchmark {

    private static final double WARMUP_SECONDS = 2;
    private static final double MIN_SECONDS = 5;
    private static final int MIN_ITERS = 30;

    public static void main(String[] args) throws Exception {
        Map<String, String> arg = new java.util.HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("arguments are key=value, got '" + a + "'");
            }
            arg.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int size = Integer.parseInt(arg.getOrDefault("size", "512"));
        int threads = Integer.parseInt(arg.getOrDefault("threads", "2"));
        List<String> modelIds = List.of(arg.getOrDefault("models", "arch0,arch1,arch2").split(","));

        OrtCpuBackend backend = new OrtCpuBackend();
        System.out.printf("ORT %s on %s; batch 1, %dx%d, intra-op threads %d; warm-up %.0f s each, then >= %d iters"
                        + " and >= %.0f s each, bare/backend alternating%n", backend.availability().version(),
                backend.availability().devices(), size, size, threads, WARMUP_SECONDS, MIN_ITERS, MIN_SECONDS);
        System.out.printf("%-15s %-8s %6s %10s %10s %10s%n", "model", "variant", "iters", "median ms", "p90 ms", "min ms");
        for (String id : modelIds) {
            ModelSource model = resolve(id);
            benchmark(backend, model, size, threads);
        }
    }

    private static ModelSource resolve(String id) throws Exception {
        if (id.equals("tiny")) { // isolates the per-call cost of the backend: the graph itself takes microseconds
            return new TinyConvModel();
        }
        if (!id.equals("synthetic")) {
            Optional<ModelCatalog> catalog = ServiceLoader.load(ModelCatalog.class).stream()
                    .map(ServiceLoader.Provider::get).filter(c -> c.find(id).isPresent()).findFirst();
            if (catalog.isPresent()) {
                return catalog.get().load(id, WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
            }
            System.out.println("(no catalogue lists " + id + "; using the synthetic conv graph instead)");
        }
        return new SyntheticConvModel();
    }

    private static void benchmark(OrtCpuBackend backend, ModelSource model, int size, int threads)
            throws Exception {
        ModelArtifact artifact = model.artifact(Precision.FP32, false);
        SessionOptions options = new SessionOptions(Precision.FP32, threads, SessionOptions.ShapeProfile.DEFAULT,
                null, Map.of());
        List<Long> bareNs = new ArrayList<>();
        List<Long> backendNs = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (Arena arena = Arena.ofConfined();
             OrtSession.SessionOptions ortOptions = bareOptions(threads);
             OrtSession bare = env.createSession(artifact.onnx(), ortOptions);
             InferenceSession session = backend.open(model, options)) {
            HostTensor input = session.newInput(arena, 1, size, size);
            Random random = new Random(5);
            for (long i = 0; i < input.elementCount(); i++) {
                input.setFloat(i, (float) random.nextGaussian());
            }
            // bare ORT gets its own direct buffer, as a plain ORT user would write it
            FloatBuffer bareData = ByteBuffer.allocateDirect((int) input.byteSize()).order(ByteOrder.nativeOrder())
                    .asFloatBuffer().put(input.data().toArray(HostTensor.FLOAT));
            bareData.rewind();
            try (OnnxTensor bareInput = OnnxTensor.createTensor(env, bareData, input.shape())) {
                Map<String, OnnxTensor> feeds = Map.of(ModelArtifact.INPUT_NAME, bareInput);
                Step bareStep = () -> {
                    try (OrtSession.Result r = bare.run(feeds)) {
                        if (r.size() != 1) {
                            throw new IllegalStateException("expected one output");
                        }
                    }
                };
                Step backendStep = () -> {
                    try (InferenceResult r = session.run(input)) {
                        if (r.output().elementCount() == 0) {
                            throw new IllegalStateException("empty output");
                        }
                    }
                };
                warmUp(bareStep);
                warmUp(backendStep);
                measureInterleaved(bareStep, backendStep, bareNs, backendNs);
            }
        }
        report(artifact.modelId(), "bare-ort", bareNs);
        report(artifact.modelId(), "backend", backendNs);
        long[] diff = new long[bareNs.size()];
        for (int i = 0; i < diff.length; i++) {
            diff[i] = backendNs.get(i) - bareNs.get(i);
        }
        Arrays.sort(diff);
        System.out.printf("%-15s backend minus bare, paired per iteration: median %+.3f ms%n", artifact.modelId(),
                nearestRank(diff, 0.5) / 1e6);
    }

    private static OrtSession.SessionOptions bareOptions(int threads) throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return o;
        } catch (Exception e) {
            o.close(); // native options object: the caller never sees it, so it would leak
            throw e;
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private static void warmUp(Step step) throws Exception {
        long warmEnd = System.nanoTime() + (long) (WARMUP_SECONDS * 1e9);
        while (System.nanoTime() < warmEnd) {
            step.run();
        }
    }

    /** Alternates A and B every iteration so that load from other processes hits both variants alike. */
    private static void measureInterleaved(Step a, Step b, List<Long> aNs, List<Long> bNs) throws Exception {
        long start = System.nanoTime();
        while (aNs.size() < MIN_ITERS || System.nanoTime() - start < 2 * MIN_SECONDS * 1e9) {
            long t0 = System.nanoTime();
            a.run();
            long t1 = System.nanoTime();
            b.run();
            long t2 = System.nanoTime();
            aNs.add(t1 - t0);
            bNs.add(t2 - t1);
        }
    }

    private static void report(String model, String variant, List<Long> ns) {
        long[] sorted = ns.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("%-15s %-8s %6d %10.3f %10.3f %10.3f%n", model, variant, sorted.length,
                nearestRank(sorted, 0.5) / 1e6, nearestRank(sorted, 0.9) / 1e6, sorted[0] / 1e6);
    }

    /** Nearest-rank percentile: the smallest sample with at least p of the samples at or below it. */
    private static long nearestRank(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private CpuBackendBenchmark() {
    }
}
