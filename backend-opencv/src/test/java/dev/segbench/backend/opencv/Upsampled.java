package dev.segbench.backend.opencv;

/**
 * What the harness does with logits, restated for this module's tests (the harness's metrics code is not a
 * dependency of a backend): labels are the argmax of the logits upsampled bilinearly with half_pixel centres (as
 * PyTorch's align_corners=False) to the image size, and mIoU is the mean, over classes whose union is not empty, of
 * TP / (TP + FP + FN) from a truth-by-prediction confusion matrix that leaves out the ignore label 255.
 */
final class Upsampled {

    private Upsampled() {
    }

    /** Labels {@code [outH * outW]} from logits {@code [classes, inH, inW]}. */
    static byte[] labels(float[] logits, int classes, int inH, int inW, int outH, int outW) {
        byte[] labels = new byte[outH * outW];
        for (int y = 0; y < outH; y++) {
            double sy = Math.max(0, (y + 0.5) * inH / outH - 0.5);
            int y0 = Math.min((int) sy, inH - 1);
            int y1 = Math.min(y0 + 1, inH - 1);
            double fy = sy - y0;
            for (int x = 0; x < outW; x++) {
                double sx = Math.max(0, (x + 0.5) * inW / outW - 0.5);
                int x0 = Math.min((int) sx, inW - 1);
                int x1 = Math.min(x0 + 1, inW - 1);
                double fx = sx - x0;
                int best = 0;
                double bestValue = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    int base = c * inH * inW;
                    double top = logits[base + y0 * inW + x0] * (1 - fx) + logits[base + y0 * inW + x1] * fx;
                    double bottom = logits[base + y1 * inW + x0] * (1 - fx) + logits[base + y1 * inW + x1] * fx;
                    double v = top * (1 - fy) + bottom * fy;
                    if (v > bestValue) {
                        bestValue = v;
                        best = c;
                    }
                }
                labels[y * outW + x] = (byte) best;
            }
        }
        return labels;
    }

    /** Adds one image to {@code matrix[truth][predicted]}; truth 255 (and any value not below the classes) is ignored. */
    static void addToConfusion(long[][] matrix, byte[] truth, byte[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("truth has " + truth.length + " pixels, prediction " + predicted.length);
        }
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i] & 0xff;
            if (t < matrix.length) {
                matrix[t][predicted[i] & 0xff]++;
            }
        }
    }

    static double miou(long[][] matrix) {
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < matrix.length; c++) {
            long row = 0, column = 0;
            for (int k = 0; k < matrix.length; k++) {
                row += matrix[c][k];
                column += matrix[k][c];
            }
            long union = row + column - matrix[c][c];
            if (union > 0) {
                sum += matrix[c][c] / (double) union;
                counted++;
            }
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }
}
