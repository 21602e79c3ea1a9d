package dev.segbench.harness.metrics;

import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.Preprocessing;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The numeric steps around the network: image to normalised NCHW input, and logits to a label map
 * by bilinear upsampling (half_pixel, PyTorch's align_corners=False) and argmax. Written by hand
 * because they must match the PyTorch reference bit for bit where possible, in float arithmetic.
 */
public final class Segmentation {

    private Segmentation() {
    }

    /**
     * A network's output for one image, copied out of the backend's memory: logits ({@code classes} x outH x outW,
     * labels null) or, from a labels-out graph, one label per image pixel (logits null).
     */
    public record Output(float[] logits, int classes, int outH, int outW, byte[] labels) {

        /** The label map at the image's size: the output's own labels, or argmax of the upsampled logits. */
        public byte[] labelsAt(int height, int width) {
            return labels != null ? labels : Segmentation.labels(logits, classes, outH, outW, height, width);
        }
    }

    /**
     * Reads one image's output: FLOAT32[1, classes, h, w] logits or UINT8[1, height, width] labels; any other dtype
     * or shape is a backend bug, thrown with both shapes.
     */
    public static Output output(HostTensor out, int classes, int height, int width) {
        long[] shape = out.shape();
        if (out.dtype() == DType.FLOAT32 && shape.length == 4 && shape[0] == 1 && shape[1] == classes) {
            int h = Math.toIntExact(shape[2]);
            int w = Math.toIntExact(shape[3]);
            float[] logits = new float[classes * h * w];
            MemorySegment.copy(out.data(), HostTensor.FLOAT, 0, logits, 0, logits.length);
            return new Output(logits, classes, h, w, null);
        }
        if (out.dtype() == DType.UINT8 && shape.length == 3 && shape[0] == 1 && shape[1] == height && shape[2] == width) {
            byte[] labels = new byte[height * width];
            MemorySegment.copy(out.data(), ValueLayout.JAVA_BYTE, 0, labels, 0, labels.length);
            return new Output(null, classes, 0, 0, labels);
        }
        throw new IllegalStateException("backend returned " + out.dtype() + Arrays.toString(shape) + " for a " + height + "x"
                + width + " image; expected FLOAT32[1," + classes + ",h,w] logits or UINT8[1," + height + "," + width
                + "] labels");
    }

    /**
     * Writes {@code x = (pixel * scale - mean[c]) / std[c]} for an interleaved RGB image into
     * {@code target} as one NCHW image at element offset {@code offset} (floats).
     */
    public static void preprocess(byte[] rgb, int width, int height, Preprocessing p, MemorySegment target, long offset) {
        float scale = p.scale();
        float[] mean = p.mean();
        float[] std = p.std();
        int plane = width * height;
        float[] channel = new float[plane];
        for (int c = 0; c < 3; c++) {
            float m = mean[c];
            float s = std[c];
            for (int i = 0, j = c; i < plane; i++, j += 3) {
                channel[i] = ((rgb[j] & 0xff) * scale - m) / s;
            }
            MemorySegment.copy(channel, 0, target, HostTensor.FLOAT, (offset + (long) c * plane) * Float.BYTES, plane);
        }
    }

    /** Per output coordinate: the two source indices and their weights, as PyTorch computes them. */
    record Axis(int[] lo, int[] hi, float[] wLo, float[] wHi) {

        static Axis of(int in, int out) {
            int[] lo = new int[out];
            int[] hi = new int[out];
            float[] wLo = new float[out];
            float[] wHi = new float[out];
            float scale = (float) in / out;
            for (int d = 0; d < out; d++) {
                float src = Math.max(scale * (d + 0.5f) - 0.5f, 0f);
                int i0 = Math.min((int) src, in - 1);
                float l1 = Math.min(src - i0, 1f);
                lo[d] = i0;
                hi[d] = i0 < in - 1 ? i0 + 1 : i0;
                wLo[d] = 1f - l1;
                wHi[d] = l1;
            }
            return new Axis(lo, hi, wLo, wHi);
        }
    }

    /** Bilinear half_pixel resize of one {@code [inH, inW]} plane to {@code [outH, outW]}. */
    public static float[] resizeBilinear(float[] plane, int inH, int inW, int outH, int outW) {
        Axis ys = Axis.of(inH, outH);
        Axis xs = Axis.of(inW, outW);
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            int r0 = ys.lo[y] * inW;
            int r1 = ys.hi[y] * inW;
            float h0 = ys.wLo[y];
            float h1 = ys.wHi[y];
            for (int x = 0; x < outW; x++) {
                out[y * outW + x] = interpolate(plane, 0, r0, r1, xs.lo[x], xs.hi[x], h0, h1, xs.wLo[x], xs.wHi[x]);
            }
        }
        return out;
    }

    private static float interpolate(float[] v, int base, int r0, int r1, int c0, int c1,
                                     float h0, float h1, float w0, float w1) {
        return h0 * (w0 * v[base + r0 + c0] + w1 * v[base + r0 + c1])
                + h1 * (w0 * v[base + r1 + c0] + w1 * v[base + r1 + c1]);
    }

    /**
     * Upsamples {@code [classes, inH, inW]} logits to {@code [outH, outW]} and takes the argmax per
     * pixel (the first maximum wins, like torch.argmax), without materialising the upsampled logits.
     * Separable: each source row is interpolated horizontally once for all classes, then each output
     * pixel blends two such rows. The float operations are the same, in the same order, as
     * {@link #resizeBilinear}'s {@code h0 * (w0 * a + w1 * b) + h1 * (w0 * c + w1 * d)}.
     */
    public static byte[] labels(float[] logits, int classes, int inH, int inW, int outH, int outW) {
        if (logits.length < classes * inH * inW) {
            throw new IllegalArgumentException("logits have " + logits.length + " values, expected " + classes * inH * inW);
        }
        Axis ys = Axis.of(inH, outH);
        Axis xs = Axis.of(inW, outW);
        byte[] out = new byte[outH * outW];
        float[] upper = new float[classes * outW];
        float[] lower = new float[classes * outW];
        int upperRow = -1;
        int lowerRow = -1;
        for (int y = 0; y < outH; y++) {
            int r0 = ys.lo[y];
            int r1 = ys.hi[y];
            if (r0 != upperRow) {
                if (r0 == lowerRow) {
                    float[] t = upper;
                    upper = lower;
                    lower = t;
                    lowerRow = -1;
                } else {
                    horizontal(logits, classes, inH, inW, r0, xs, outW, upper);
                }
                upperRow = r0;
            }
            if (r1 != lowerRow) {
                if (r1 == upperRow) {
                    System.arraycopy(upper, 0, lower, 0, upper.length);
                } else {
                    horizontal(logits, classes, inH, inW, r1, xs, outW, lower);
                }
                lowerRow = r1;
            }
            float h0 = ys.wLo[y];
            float h1 = ys.wHi[y];
            int rowBase = y * outW;
            for (int x = 0; x < outW; x++) {
                int best = 0;
                float bestValue = h0 * upper[x] + h1 * lower[x];
                for (int k = 1, i = outW + x; k < classes; k++, i += outW) {
                    float v = h0 * upper[i] + h1 * lower[i];
                    if (v > bestValue) {
                        bestValue = v;
                        best = k;
                    }
                }
                out[rowBase + x] = (byte) best;
            }
        }
        return out;
    }

    /** Source row {@code row} of every class, interpolated to {@code outW} columns, into {@code dst[class * outW + x]}. */
    private static void horizontal(float[] logits, int classes, int inH, int inW, int row, Axis xs, int outW, float[] dst) {
        int plane = inH * inW;
        for (int c = 0; c < classes; c++) {
            int base = c * plane + row * inW;
            int o = c * outW;
            for (int x = 0; x < outW; x++) {
                dst[o + x] = xs.wLo[x] * logits[base + xs.lo[x]] + xs.wHi[x] * logits[base + xs.hi[x]];
            }
        }
    }
}
