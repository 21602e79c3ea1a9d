package dev.segbench.api;

import java.util.Optional;

/** The output of one run; valid until closed (it may point into backend-owned memory). */
public interface InferenceResult extends AutoCloseable {

    HostTensor output();

    /** Device-side timings of this run, for backends with {@link Capability#DEVICE_TIMINGS}. */
    default Optional<DeviceTimings> deviceTimings() {
        return Optional.empty();
    }

    @Override
    void close();

    /** Milliseconds measured with device events: host-to-device copy, compute, device-to-host copy. */
    record DeviceTimings(double h2dMs, double computeMs, double d2hMs) {
        public double totalMs() {
            return h2dMs + computeMs + d2hMs;
        }
    }
}
