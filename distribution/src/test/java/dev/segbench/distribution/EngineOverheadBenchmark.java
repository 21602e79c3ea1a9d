package dev.segbench.distribution;

import dev.segbench.api.Backend;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.harness.load.SessionUnderTest;
import dev.segbench.harness.load.SingleStreamScenario;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Harness overhead, measured: batch-1 p50 of one session driven by the harness's single-stream scenario against the
 * same session driven by a bare loop (run, close the result, nothing else), alternated A B B A in one JVM so machine
 * noise and warm-up fall on both. Not a test: run it with tools/bench-overhead. Arguments: backend model [threads] [seconds]
 * [rounds] [checkpoint].
 */
public final class EngineOverheadBenchmark {

    public static void main(String[] args) throws Exception {
        String backendId = args[0];
        String modelId = args[1];
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 5;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        WeightsSpec weights = args.length > 5 ? WeightsSpec.checkpoint(Path.of(args[5])) : WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED);
        Backend backend = ServiceLoader.load(Backend.class).stream().map(ServiceLoader.Provider::get)
                .filter(b -> b.id().equals(backendId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend " + backendId));
        if (!backend.availability().available()) {
            throw new IllegalStateException(backendId + " unavailable: " + backend.availability());
        }
        ModelSource model = null;
        for (ModelCatalog catalog : ServiceLoader.load(ModelCatalog.class)) {
            if (catalog.find(modelId).isPresent()) {
                model = catalog.load(modelId, weights);
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("no model " + modelId);
        }
        SessionOptions options = SessionOptions.of(Precision.FP32).withThreads(threads);
        try (InferenceSession session = backend.open(model, options)) {
            SingleStreamScenario.Settings settings = new SingleStreamScenario.Settings(1, seconds, 30, 0.05);
            for (int round = 0; round < rounds; round++) {
                // A B, then B A: whichever goes first in a round also pays what is still warming up (allocator caches)
                boolean loopFirst = round % 2 == 1;
                double loopP50 = loopFirst ? bareLoopP50Ms(session, seconds) : Double.NaN;
                SingleStreamScenario.Outcome harness = SingleStreamScenario.run(new SessionUnderTest(session, 512, 512),
                        settings, Progress.NONE, "bench");
                double harnessP50 = harness.latency().getValueAtPercentile(50) / 1000.0;
                if (!loopFirst) {
                    loopP50 = bareLoopP50Ms(session, seconds);
                }
                System.out.printf(Locale.ROOT, "%s %s threads=%d round=%d first=%s harness_p50_ms=%.3f loop_p50_ms=%.3f ratio=%.4f%n",
                        backendId, modelId, threads, round, loopFirst ? "loop" : "harness", harnessP50, loopP50, harnessP50 / loopP50);
            }
        }
    }

    /** One second of warm-up, then run-and-close until {@code seconds} have passed; the median of the timings. */
    private static double bareLoopP50Ms(InferenceSession session, double seconds) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            HostTensor input = session.newInput(arena, 1, 512, 512);
            SessionUnderTest.fill(input, 1);
            long warmEnd = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < warmEnd) {
                session.run(input).close();
            }
            long[] times = new long[1 << 16];
            int n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while ((System.nanoTime() < end || n < 30) && n < times.length) {
                long t0 = System.nanoTime();
                try (InferenceResult r = session.run(input)) {
                    times[n++] = System.nanoTime() - t0;
                }
            }
            long[] sorted = Arrays.copyOf(times, n);
            Arrays.sort(sorted);
            return sorted[(int) Math.ceil(0.5 * n) - 1] / 1e6;
        }
    }
}
