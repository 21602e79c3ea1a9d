package dev.segbench.api;

import java.util.Map;
import java.util.Optional;

/** The output of one run; valid until closed (it may point into backend-owned memory). */
public interface InferenceResult extends AutoCloseable {

    HostTensor output();

    /**
     * The graph's other outputs by name, for graphs with more than one (a {@link ModelSource.CalibrationGraph}
     * returns the tensors to calibrate here); empty for the usual one-output graphs. Valid until closed.
     */
    default Map<String, HostTensor> extraOutputs() {
        return Map.of();
    }

    /** Device-side timings of this run, for backends with {@link Capability#DEVICE_TIMINGS}. */
    default Optional<DeviceTimings> deviceTimings() {
        return Optional.empty();
    }

    @Override
    void close();
}
