package dev.segbench.api;

/** What a backend can do beyond running an FP32 graph; the runner skips what a backend lacks and says why. */
public enum Capability {
    /** Runs FP16 graphs with FP16 arithmetic (not only FP16 storage). */
    FP16_COMPUTE,
    /** Accepts any batch, height and width without reopening. */
    DYNAMIC_SHAPES,
    /** Returns device-side timings (H2D, compute, D2H) measured with GPU events. */
    DEVICE_TIMINGS,
    /** Can run the labels-out graph variant (argmax inside, one byte per pixel back). */
    LABELS_OUT,
    /** Runs on a GPU. */
    GPU,
    /**
     * {@link InferenceSession#run} may be called from several threads at once and the requests overlap
     * (e.g. several TensorRT execution contexts on their own streams), so the harness may keep K in flight.
     */
    CONCURRENT_RUNS,
    /**
     * {@link InferenceSession#run(HostTensor, java.util.Set)} returns the graph's intermediate tensors by their ONNX
     * names (what {@code segbench diagnose} compares layer by layer); a backend without it is listed as such.
     */
    INTERMEDIATE_OUTPUTS
}
