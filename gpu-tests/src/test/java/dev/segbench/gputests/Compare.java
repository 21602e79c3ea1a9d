package dev.segbench.gputests;

import dev.segbench.testfixtures.FloatArrays;

/** Numeric comparisons of outputs. */
final class Compare {

    private Compare() {
    }

    /** Largest absolute difference over the largest reference magnitude; NaN anywhere counts as infinite. */
    static double relativeError(float[] actual, float[] expected) {
        return FloatArrays.relativeError(actual, expected);
    }

    /** The class index with the largest score at each pixel of [N, C, H, W] scores (first maximum on ties). */
    static int[] argmax(long[] shape, float[] scores) {
        int n = (int) shape[0];
        int classes = (int) shape[1];
        int plane = (int) (shape[2] * shape[3]);
        int[] labels = new int[n * plane];
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < plane; p++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (scores[(b * classes + c) * plane + p] > scores[(b * classes + best) * plane + p]) {
                        best = c;
                    }
                }
                labels[b * plane + p] = best;
            }
        }
        return labels;
    }

    /** The share of pixels whose argmax class is the same in both. */
    static double argmaxAgreement(GpuFixtures.Logits a, GpuFixtures.Logits b) {
        int[] la = argmax(a.shape(), a.values());
        int[] lb = argmax(b.shape(), b.values());
        long same = 0;
        for (int i = 0; i < la.length; i++) {
            same += la[i] == lb[i] ? 1 : 0;
        }
        return (double) same / la.length;
    }

    /**
     * Bilinear upsampling of [N, C, h, w] scores to [N, C, H, W] with half-pixel centres (ONNX Resize, linear,
     * half_pixel; the labels-out graph's Resize), in double precision.
     */
    static float[] upsample(long[] shape, float[] scores, int height, int width) {
        int n = (int) shape[0];
        int c = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        float[] out = new float[n * c * height * width];
        for (int plane = 0; plane < n * c; plane++) {
            for (int y = 0; y < height; y++) {
                double sy = Math.min(Math.max((y + 0.5) * h / height - 0.5, 0), h - 1);
                int y0 = (int) sy;
                int y1 = Math.min(y0 + 1, h - 1);
                double fy = sy - y0;
                for (int x = 0; x < width; x++) {
                    double sx = Math.min(Math.max((x + 0.5) * w / width - 0.5, 0), w - 1);
                    int x0 = (int) sx;
                    int x1 = Math.min(x0 + 1, w - 1);
                    double fx = sx - x0;
                    int base = plane * h * w;
                    double top = scores[base + y0 * w + x0] * (1 - fx) + scores[base + y0 * w + x1] * fx;
                    double bottom = scores[base + y1 * w + x0] * (1 - fx) + scores[base + y1 * w + x1] * fx;
                    out[(plane * height + y) * width + x] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
        return out;
    }

    /**
     * Checks that {@code labels} ([H, W] bytes of a labels-out graph) are the argmax of the bilinearly upsampled
     * {@code logits}, allowing a different label only where the two classes' upsampled scores tie to within
     * {@code tieTolerance} of the largest |score| (there the graph's own resize may round the other way).
     *
     * @return how many pixels differ (all of them near ties)
     */
    static int labelsOutMismatches(GpuFixtures.Logits logits, byte[] labels, int height, int width, double tieTolerance) {
        long[] upShape = {1, logits.shape()[1], height, width};
        float[] up = upsample(logits.shape(), logits.values(), height, width);
        int[] expected = argmax(upShape, up);
        double scale = 1e-12;
        for (float v : up) {
            scale = Math.max(scale, Math.abs(v));
        }
        int plane = height * width;
        int differing = 0;
        for (int p = 0; p < expected.length; p++) {
            int got = labels[p] & 0xff;
            if (got != expected[p]) {
                differing++;
                if (got >= upShape[1]) {
                    throw new AssertionError("pixel " + p + ": label " + got + " is not a class");
                }
                double gap = Math.abs(up[expected[p] * plane + p] - up[got * plane + p]);
                if (gap > tieTolerance * scale) {
                    throw new AssertionError("pixel " + p + ": labels-out says " + got + ", the argmax of the logits says "
                            + expected[p] + " (score gap " + gap + ", largest score " + scale + ")");
                }
            }
        }
        return differing;
    }
}
