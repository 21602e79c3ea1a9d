package dev.segbench.api.results;

import java.util.List;

/**
 * Every performance scenario measured at one input size ({@code --perf-size} takes a list of sizes). Meant to
 * become {@code Run.performance}, one entry per size, when the run record is regrouped.
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
 */
public record PerformanceAtSize(int height, int width, List<String> scenarios, Run.Latency latencyMs,
                                PercentileIntervals latencyCi95Ms, String latencyHistogram, Run.Measurement measurement,
                                List<InFlightThroughput> throughput, Server server, Telemetry telemetry) {

    public PerformanceAtSize {
        scenarios = scenarios == null ? List.of() : List.copyOf(scenarios);
        throughput = throughput == null ? List.of() : List.copyOf(throughput);
    }

    /** "HxW", as {@code --perf-size} writes it. */
    public String size() {
        return height + "x" + width;
    }
}
