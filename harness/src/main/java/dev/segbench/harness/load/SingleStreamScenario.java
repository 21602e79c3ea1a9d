package dev.segbench.harness.load;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.BackendException;
import dev.segbench.api.Progress;
import dev.segbench.results.Run;
import dev.segbench.results.Latencies;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * LoadGen's SingleStream: batch 1, the next request only after the previous one returned (closed loop). A timed
 * warm-up, then requests until both the minimum duration and the minimum count are met. Only the request (run and
 * release of its result) is inside the timed window.
 */
public final class SingleStreamScenario {

    /**
     * @param cvThreshold coefficient of variation above which the measurement is flagged unstable (not invalid)
     */
    public record Settings(double warmupSeconds, double minDurationSeconds, long minRequests, double cvThreshold) {
        public Settings {
            if (warmupSeconds < 0 || minDurationSeconds < 0 || minRequests < 1 || !(cvThreshold > 0)) {
                throw new IllegalArgumentException("bad single-stream settings: " + warmupSeconds + ", "
                        + minDurationSeconds + ", " + minRequests + ", " + cvThreshold);
            }
        }
    }

    /**
     * @param latency          microsecond histogram of the timed requests (its statistics and intervals are derived
     *                         from it, {@link Latencies})
     * @param windowStartNanos {@link System#nanoTime()} when the first timed request started
     * @param windowEndNanos   {@link System#nanoTime()} when the last one returned: the same closed loop as offline
     *                         batch 1 with one in flight, so that cell is {@link OfflineScenario#cell} of this window
     * @param measurement      LoadGen-style verdict: valid only if every rule held; unstable if the CV exceeds the
     *                         threshold
     * @param deviceTimings    mean device-side timings, for backends that report them; else null
     */
    public record Outcome(Histogram latency, long windowStartNanos, long windowEndNanos,
                          Run.Measurement measurement, DeviceTimings deviceTimings, List<String> warnings) {
        public Outcome {
            warnings = List.copyOf(warnings);
        }
    }

    private SingleStreamScenario() {
    }

    /**
     * The verdict on a latency measurement. Invalid only for broken rules ({@code brokenRules}: minimum duration or
     * count not met, warm-up skipped), as LoadGen's INVALID; a coefficient of variation above {@code cvThreshold} is
     * not a broken rule but sets {@code unstable}, with the CV and the robust spread (p90 - p10) / p50 recorded.
     */
    public static Run.Measurement verdict(Histogram latency, List<String> brokenRules, double cvThreshold,
                                          double warmupSeconds, double durationSeconds, long requests) {
        Run.Latency stats = Latencies.stats(latency);
        Double cv = stats == null ? null : stats.cv();
        Double spread = robustSpread(latency);
        Boolean unstable = cv == null ? null : cv > cvThreshold;
        return new Run.Measurement(brokenRules.isEmpty(), brokenRules, warmupSeconds, durationSeconds, requests, unstable,
                cv, spread, cvThreshold);
    }

    /** (p90 - p10) / p50 of a histogram: a spread that one stall does not move; null when empty. */
    public static Double robustSpread(Histogram latency) {
        if (latency.getTotalCount() == 0) {
            return null;
        }
        double p50 = latency.getValueAtPercentile(50);
        return p50 <= 0 ? null : (latency.getValueAtPercentile(90) - latency.getValueAtPercentile(10)) / p50;
    }

    public static Outcome run(SystemUnderTest sut, Settings settings, Progress progress, String label) throws BackendException {
        List<String> reasons = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Histogram latency = Latencies.newHistogram();
        double[] device = new double[3];
        long deviceCount = 0;
        long warmupNanos = (long) (settings.warmupSeconds() * 1e9);
        long minNanos = (long) (settings.minDurationSeconds() * 1e9);
        long timedNanos = 0;
        long requests = 0;
        double warmedSeconds;
        long windowStart = 0;
        long windowEnd = 0;
        try (SystemUnderTest.PreparedInputs inputs = sut.prepare(1, 1)) {
            progress.start("single-stream " + label, -1, "run");
            try {
                long start = System.nanoTime();
                long warmups = 0;
                while (System.nanoTime() - start < warmupNanos) {
                    inputs.run(0);
                    warmups++;
                    progress.advance(1);
                }
                warmedSeconds = (System.nanoTime() - start) / 1e9;
                if (warmups == 0) {
                    reasons.add("warm-up skipped (--warmup 0)");
                }
                windowStart = System.nanoTime();
                while (timedNanos < minNanos || requests < settings.minRequests()) {
                    long t0 = System.nanoTime();
                    Optional<DeviceTimings> dt = inputs.run(0);
                    windowEnd = System.nanoTime();
                    long elapsed = windowEnd - t0;
                    timedNanos += elapsed;
                    requests++;
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
        }
        if (timedNanos < minNanos) {
            reasons.add(String.format(Locale.ROOT, "timed for %.3f s, less than the minimum %.3f s", timedNanos / 1e9,
                    settings.minDurationSeconds()));
        }
        if (requests < settings.minRequests()) {
            reasons.add("timed " + requests + " requests, fewer than the minimum " + settings.minRequests());
        }
        Run.Measurement measurement = verdict(latency, reasons, settings.cvThreshold(), warmedSeconds, timedNanos / 1e9,
                requests);
        DeviceTimings timings = deviceCount == 0 ? null
                : new DeviceTimings(device[0] / deviceCount, device[1] / deviceCount, device[2] / deviceCount);
        return new Outcome(latency, windowStart, windowEnd, measurement,
                timings, warnings);
    }
}
