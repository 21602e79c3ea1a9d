package dev.segbench.models.checkpoint;

/**
 * One tensor of a PyTorch state_dict, copied out of its storage in row-major (C-contiguous) order.
 *
 * @param name   state_dict key, e.g. {@code encoder.layer1.0.weight}
 * @param shape  tensor sizes; empty for a scalar
 * @param dtype  PyTorch element type name: {@code float32}, {@code float16}, {@code bfloat16}, {@code float64},
 *               {@code int64}, {@code int32}, {@code int16}, {@code int8}, {@code uint8}, {@code bool}
 * @param floats the values converted to float32 for floating point dtypes, otherwise {@code null}
 * @param longs  the values widened to int64 for integer and bool dtypes, otherwise {@code null}
 */
public record CheckpointTensor(String name, long[] shape, String dtype, float[] floats, long[] longs) {

    /** Number of elements (product of the shape; 1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** True when the values are in {@link #floats()}. */
    public boolean isFloating() {
        return floats != null;
    }
}
