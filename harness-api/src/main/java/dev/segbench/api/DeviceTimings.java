package dev.segbench.api;

import com.fasterxml.jackson.annotation.JsonAlias;

/**
 * Milliseconds measured with device events: host-to-device copy, compute, device-to-host copy. One inference's
 * in {@link InferenceResult#deviceTimings()}, the mean over a run's batch-1 inferences in
 * {@code Run.deviceTimingsMs()} of the results module. (The aliases read results written before this was one type.)
 */
public record DeviceTimings(@JsonAlias("h2d") double h2dMs, @JsonAlias("compute") double computeMs,
                            @JsonAlias("d2h") double d2hMs) {

    public double totalMs() {
        return h2dMs + computeMs + d2hMs;
    }
}
