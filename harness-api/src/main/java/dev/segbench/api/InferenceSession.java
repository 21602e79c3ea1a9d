package dev.segbench.api;

import java.lang.foreign.Arena;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One model loaded on one backend. Not thread-safe unless the backend says so; close releases every
 * native resource, a second close does nothing, and use after close throws IllegalStateException.
 */
public interface InferenceSession extends AutoCloseable {

    /** The graph variant this session runs (precision, labels-out or logits). */
    ModelArtifact artifact();

    /**
     * An FP32 NCHW input tensor that this backend reads without copying (a GPU backend may hand out
     * pinned memory). The default allocates in {@code arena}.
     */
    default HostTensor newInput(Arena arena, int batch, int height, int width) {
        return HostTensor.allocate(arena, DType.FLOAT32, batch, 3, height, width);
    }

    /**
     * Runs one batch. The result holds the output ({@code [N, classes, h, w]} FP32 logits, or
     * {@code [N, H, W]} UINT8 labels for a labels-out graph) until closed.
     */
    InferenceResult run(HostTensor input) throws BackendException;

    /**
     * Runs one batch and also hands back intermediate tensors, for backends with {@link Capability#INTERMEDIATE_OUTPUTS}:
     * each name in {@code capture} that the graph computes and this session can observe appears in the result's
     * {@link InferenceResult#extraOutputs()} under that name, as FP32 in the graph's layout (a quantized graph's
     * tensors under the float graph's names: the float value a layer produced before its QuantizeLinear). A name the
     * session cannot observe (fused away, or not in this graph) is absent, never filled in. Slower than
     * {@link #run(HostTensor)}; never timed.
     *
     * @throws UnsupportedOperationException where the backend lacks the capability (the default)
     */
    default InferenceResult run(HostTensor input, java.util.Set<String> capture) throws BackendException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot return intermediate tensors");
    }

    /**
     * Each graph node's time on this machine, measured with the runtime's own profiler over {@code runs} runs of
     * {@code input} after a warm-up: median microseconds keyed by the ONNX node name of the graph this session runs (a
     * kernel the runtime fused from a node counts for that node; kernels of its own, such as layout reorders, keep
     * the runtime's name). For per-layer decisions such as keeping in float a convolution whose int8 form is not
     * faster; never part of a timed result. Empty where the backend has no profiler (the default).
     */
    default Optional<java.util.Map<String, Double>> profileNodes(HostTensor input, int runs) throws BackendException {
        return Optional.empty();
    }

    /**
     * Seconds this session spent compiling the model when it opened (e.g. a TensorRT engine build); empty when
     * nothing was compiled (an engine loaded from a cache, or a backend that does not compile).
     */
    default OptionalDouble buildSeconds() {
        return OptionalDouble.empty();
    }

    /**
     * Device memory this session holds (engine, activations, buffers), in bytes, for backends that can
     * read it from their runtime (CUDA, TensorRT); empty where there is no device or it cannot be read.
     */
    default OptionalLong deviceMemoryBytes() {
        return OptionalLong.empty();
    }

    /**
     * Device memory free for more work now (e.g. {@code cudaMemGetInfo}'s free figure), for device backends; empty on
     * the host or where unknown. The harness skips a throughput batch that would not fit in it (host backends are
     * judged by the host's available memory instead).
     */
    default OptionalLong freeDeviceMemoryBytes() {
        return OptionalLong.empty();
    }

    /**
     * The device's clocks, temperature and throttle reasons right now, for backends that can read them (e.g. NVML on
     * a GPU); the harness takes a snapshot after the timed work so a slow run can be explained. Empty by default.
     */
    default Optional<DeviceTelemetry> deviceTelemetry() {
        return Optional.empty();
    }

    @Override
    void close();
}
