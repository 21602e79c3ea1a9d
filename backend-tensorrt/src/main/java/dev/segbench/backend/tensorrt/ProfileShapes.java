package dev.segbench.backend.tensorrt;

import dev.segbench.api.SessionOptions.ShapeProfile;

import java.util.Arrays;

/**
 * The min / opt / max NCHW input dimensions of the engine's single optimisation profile (C is always 3).
 * TensorRT tunes kernels for {@code opt} and accepts any shape between {@code min} and {@code max}.
 */
public record ProfileShapes(long[] min, long[] opt, long[] max) {

    public static final int CHANNELS = 3;

    public ProfileShapes {
        min = min.clone();
        opt = opt.clone();
        max = max.clone();
    }

    /** The profile for the run settings' shape profile. */
    public static ProfileShapes from(ShapeProfile p) {
        return new ProfileShapes(
                new long[] {p.minBatch(), CHANNELS, p.minHeight(), p.minWidth()},
                new long[] {p.optBatch(), CHANNELS, p.optHeight(), p.optWidth()},
                new long[] {p.maxBatch(), CHANNELS, p.maxHeight(), p.maxWidth()});
    }

    @Override
    public long[] min() {
        return min.clone();
    }

    @Override
    public long[] opt() {
        return opt.clone();
    }

    @Override
    public long[] max() {
        return max.clone();
    }

    /** Whether an input of this batch, height and width lies inside the profile. */
    public boolean accepts(long batch, long height, long width) {
        long[] dims = {batch, CHANNELS, height, width};
        for (int i = 0; i < 4; i++) {
            if (dims[i] < min[i] || dims[i] > max[i]) {
                return false;
            }
        }
        return true;
    }

    /** Largest input in bytes for FP32 NCHW at {@code max}. */
    public long maxInputBytes() {
        return max[0] * max[1] * max[2] * max[3] * Float.BYTES;
    }

    /** "min 1x3x64x64, opt 1x3x512x512, max 32x3x1024x1024": used in messages and in the cache key. */
    public String describe() {
        return "min " + dims(min) + ", opt " + dims(opt) + ", max " + dims(max);
    }

    private static String dims(long[] d) {
        return d[0] + "x" + d[1] + "x" + d[2] + "x" + d[3];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProfileShapes other && Arrays.equals(min, other.min) && Arrays.equals(opt, other.opt)
                && Arrays.equals(max, other.max);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(min) + Arrays.hashCode(opt)) + Arrays.hashCode(max);
    }

    @Override
    public String toString() {
        return "ProfileShapes[" + describe() + "]";
    }
}
