package dev.segbench.harness.passes;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.BackendException;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.Progress;
import dev.segbench.api.results.Run;
import dev.segbench.harness.metrics.Latencies;
import dev.segbench.harness.plan.RunSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * The performance pass on one fixed input size, LoadGen style: a timed warm-up, then batch-1 runs
 * until both the minimum duration and the minimum count are met, then back-to-back batches for
 * throughput. Only {@code session.run} (and closing its result) is inside the timed window.
 */
final class PerformancePass {

    /** Rough bytes of activations per input pixel for these MobileNet-v2 style networks, for the memory check. */
    static final long ACTIVATION_BYTES_PER_PIXEL = 256;

    record Outcome(Histogram latency, List<Run.Throughput> throughput, Run.Measurement measurement,
                   DeviceTimings deviceTimings, List<String> warnings) {
    }

    private final RunSettings.Performance settings;
    private final List<Integer> batchSizes;
    private final long freeMemoryBytes;

    PerformancePass(RunSettings.Performance settings, List<Integer> batchSizes, long freeMemoryBytes) {
        this.settings = settings;
        this.batchSizes = List.copyOf(batchSizes);
        this.freeMemoryBytes = freeMemoryBytes;
    }

    Outcome run(InferenceSession session, String runKey, Progress progress) throws BackendException {
        int h = settings.height();
        int w = settings.width();
        List<String> warnings = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        List<Run.Throughput> throughput = new ArrayList<>();
        Histogram latency = Latencies.newHistogram();
        double[] device = new double[3];
        int deviceCount = 0;
        long warmupNanos = (long) (settings.warmupSeconds() * 1e9);
        long minNanos = (long) (settings.minDurationSeconds() * 1e9);
        double warmedSeconds;
        long timedNanos = 0;
        long iterations = 0;
        try (Arena arena = Arena.ofConfined()) {
            HostTensor input = session.newInput(arena, 1, h, w);
            fill(input, 1);
            progress.start("perf " + runKey, -1, "run");
            try {
                long start = System.nanoTime();
                long warmups = 0;
                while (System.nanoTime() - start < warmupNanos) {
                    session.run(input).close();
                    warmups++;
                    progress.advance(1);
                }
                warmedSeconds = (System.nanoTime() - start) / 1e9;
                if (warmups == 0) {
                    reasons.add("warm-up skipped (--warmup 0)");
                }
                while (timedNanos < minNanos || iterations < settings.minIterations()) {
                    long t0 = System.nanoTime();
                    Optional<DeviceTimings> dt;
                    try (InferenceResult r = session.run(input)) {
                        dt = r.deviceTimings();
                    }
                    long elapsed = System.nanoTime() - t0;
                    timedNanos += elapsed;
                    iterations++;
                    Latencies.recordNanos(latency, elapsed);
                    if (dt.isPresent()) {
                        device[0] += dt.get().h2dMs();
                        device[1] += dt.get().computeMs();
                        device[2] += dt.get().d2hMs();
                        deviceCount++;
                    }
                    progress.advance(1);
                }
            } finally {
                progress.done();
            }
            throughput.add(new Run.Throughput(1, iterations / (timedNanos / 1e9)));
            for (int batch : batchSizes) {
                if (batch == 1) {
                    continue;
                }
                long needed = batch * ((long) h * w * (ACTIVATION_BYTES_PER_PIXEL + 3 * Float.BYTES));
                if (freeMemoryBytes > 0 && needed > freeMemoryBytes / 2) {
                    warnings.add(String.format(Locale.ROOT, "batch %d skipped: it needs about %d MiB, more than half of the %d MiB free",
                            batch, needed >> 20, freeMemoryBytes >> 20));
                    continue;
                }
                throughput.add(new Run.Throughput(batch, batchThroughput(session, arena, batch, h, w, runKey, progress)));
            }
        }
        Run.Latency stats = Latencies.stats(latency);
        if (stats != null && stats.cv() != null && stats.cv() > settings.cvThreshold()) {
            String reason = String.format(Locale.ROOT, "batch-1 latency varies too much: CV %.1f%% > %.1f%% (busy or throttling machine?)",
                    stats.cv() * 100, settings.cvThreshold() * 100);
            reasons.add(reason);
            warnings.add(reason);
        }
        Run.Measurement measurement = new Run.Measurement(reasons.isEmpty(), reasons, warmedSeconds, timedNanos / 1e9, iterations);
        DeviceTimings timings = deviceCount == 0 ? null
                : new DeviceTimings(device[0] / deviceCount, device[1] / deviceCount, device[2] / deviceCount);
        return new Outcome(latency, throughput, measurement, timings, warnings);
    }

    /** Images per second of back-to-back batches after one untimed batch (which lets the backend size its buffers). */
    private double batchThroughput(InferenceSession session, Arena arena, int batch, int h, int w, String runKey,
                                   Progress progress) throws BackendException {
        HostTensor input = session.newInput(arena, batch, h, w);
        fill(input, batch);
        long minNanos = (long) (settings.minDurationSeconds() * 1e9);
        long minRuns = 2;
        progress.start("batch " + batch + " " + runKey, -1, "batch");
        try {
            session.run(input).close();
            long start = System.nanoTime();
            long runs = 0;
            while (System.nanoTime() - start < minNanos || runs < minRuns) {
                session.run(input).close();
                runs++;
                progress.advance(1);
            }
            return runs * batch / ((System.nanoTime() - start) / 1e9);
        } finally {
            progress.done();
        }
    }

    /** A fixed pseudo-random normalised image (seeded, so every backend sees the same input). */
    static void fill(HostTensor input, int batch) {
        SplittableRandom random = new SplittableRandom(7);
        long perImage = input.elementCount() / batch;
        float[] image = new float[Math.toIntExact(perImage)];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) (random.nextDouble() * 4.0 - 2.0);
        }
        for (int b = 0; b < batch; b++) {
            MemorySegment.copy(image, 0, input.data(), HostTensor.FLOAT, b * perImage * Float.BYTES, image.length);
        }
    }
}
