package dev.segbench.api;

/**
 * How an int8 graph stores its activations; weights are always per-output-channel symmetric int8. A backend asks
 * {@link ModelSource#int8()} for the flavour its runtime executes best.
 */
public enum Int8Activations {
    /**
     * Signed int8 with zero point 0 and a float bias: what TensorRT's explicit quantization takes (its Q/DQ layers
     * are symmetric, and it keeps biases in higher precision itself).
     */
    SYMMETRIC_INT8,
    /**
     * Unsigned uint8 over the calibrated [min, max] (zero point 0 after ReLU/Clip), with an int32 bias at input scale x
     * weight scale: what ONNX Runtime's x86 kernels (u8 x s8) fuse into QLinearConv.
     */
    ASYMMETRIC_UINT8
}
