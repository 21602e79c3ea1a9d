package dev.segbench.results;

import java.util.List;

/**
 * Every performance scenario measured at one input size ({@code --perf-size} takes a list of sizes): what a run
 * measured, stored once ({@link Run}'s summary accessors read the first size's values from here).
 *
 * @param height           input height
 * @param width            input width
 * @param scenarios        the scenarios that ran, LoadGen's names ("single-stream", "offline", "server")
 * @param latencyMs        single-stream (batch 1, closed loop) latency; null when single-stream did not run
 * @param latencyCi95Ms    bootstrap intervals of its p50 and p99
 * @param latencyHistogram its microsecond HdrHistogram, compressed and base64-encoded
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
