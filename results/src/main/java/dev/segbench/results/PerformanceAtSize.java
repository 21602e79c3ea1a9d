package dev.segbench.results;

import java.util.List;

/**
 * Every performance scenario measured at one input size ({@code --perf-size} takes a list of sizes): what a run
 * measured, stored once ({@link Run}'s summary accessors read the first size's values from here).
 *
 * <p>The single-stream latencies are stored once, as {@code latencyHistogram}; {@code latencyMs} and
 * {@code latencyCi95Ms} are derived from it whenever a size is made (so also on read, where the values in the file
 * are ignored in favour of the histogram; results.json still writes them for its readers). Only intervals the
 * histogram cannot give are kept as given: {@link PercentileIntervals#BETWEEN_SHARDS} of a merged run needs each
 * shard's histogram, not their sum. A size without a histogram (made by hand) keeps the statistics given.
 *
 * @param height           input height
 * @param width            input width
 * @param scenarios        the scenarios that ran, LoadGen's names ("single-stream", "offline", "server")
 * @param latencyMs        single-stream (batch 1, closed loop) latency; null when single-stream did not run;
 *                         derived from {@code latencyHistogram} (pass null)
 * @param latencyCi95Ms    95% intervals of its p50 and p99: derived from the histogram
 *                         ({@link PercentileIntervals#ORDER_STATISTICS}; pass null) unless
 *                         {@link PercentileIntervals#BETWEEN_SHARDS}
 * @param latencyHistogram its microsecond HdrHistogram, compressed and base64-encoded: the stored ingredient
 * @param measurement      the single-stream verdict (minimums met, warm-up, variation)
 * @param throughput       offline throughput per (batch, in flight)
 * @param server           the server scenario; null when it did not run
 * @param telemetry        CPU and device clocks right after the timed work
 * @param deviceTimingsMs  the single-stream requests' mean device timings; null when the backend has none (files of
 *                         schema 3 and before kept them in the run, and read into the first size)
 */
public record PerformanceAtSize(int height, int width, List<String> scenarios, Run.Latency latencyMs,
                                PercentileIntervals latencyCi95Ms, String latencyHistogram, Run.Measurement measurement,
                                List<InFlightThroughput> throughput, Server server, Telemetry telemetry,
                                dev.segbench.api.DeviceTimings deviceTimingsMs) {

    public PerformanceAtSize {
        scenarios = scenarios == null ? List.of() : List.copyOf(scenarios);
        throughput = throughput == null ? List.of() : List.copyOf(throughput);
        if (latencyHistogram != null) {
            org.HdrHistogram.Histogram h = Latencies.decode(latencyHistogram);
            latencyMs = Latencies.stats(h);
            if (latencyCi95Ms == null || !PercentileIntervals.BETWEEN_SHARDS.equals(latencyCi95Ms.method())) {
                latencyCi95Ms = Latencies.intervalsMs(h);
            }
        }
    }

    /** A size without device timings. */
    public PerformanceAtSize(int height, int width, List<String> scenarios, Run.Latency latencyMs,
                             PercentileIntervals latencyCi95Ms, String latencyHistogram, Run.Measurement measurement,
                             List<InFlightThroughput> throughput, Server server, Telemetry telemetry) {
        this(height, width, scenarios, latencyMs, latencyCi95Ms, latencyHistogram, measurement, throughput, server,
                telemetry, null);
    }

    /** "HxW", as {@code --perf-size} writes it. */
    public String size() {
        return height + "x" + width;
    }
}
