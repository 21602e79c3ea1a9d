package dev.segbench.onnx.graph;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import java.util.Arrays;

/**
 * Resolved parameters of a 2-D ONNX MaxPool for a concrete NCHW input. Padding never wins a maximum (padded
 * positions are skipped), and with {@code ceil_mode} a last window that would start in the bottom/right padding is
 * dropped (PyTorch's and ONNX Runtime's rule).
 */
public record PoolGeometry(int n, int c, int h, int w, int kh, int kw, int padTop, int padLeft, int padBottom,
                           int padRight, int strideH, int strideW, int dilationH, int dilationW, boolean ceilMode,
                           int outH, int outW) {

    public long[] outputShape() {
        return new long[] {n, c, outH, outW};
    }

    public boolean symmetricPadding() {
        return padTop == padBottom && padLeft == padRight;
    }

    public static PoolGeometry of(Node node, long[] x) throws BackendException {
        if (x.length != 4) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": only 2-D pooling of a 4-D NCHW tensor is"
                    + " supported; got " + Arrays.toString(x));
        }
        if (node.attrInt("storage_order", 0) != 0) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": MaxPool storage_order=1 is not supported");
        }
        long[] kernel = node.attrInts("kernel_shape", null);
        if (kernel == null || kernel.length != 2) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": MaxPool needs a 2-D kernel_shape, got "
                    + (kernel == null ? "none" : Arrays.toString(kernel)));
        }
        long[] strides = node.attrInts("strides", new long[] {1, 1});
        long[] dil = node.attrInts("dilations", new long[] {1, 1});
        long[] pads = node.attrInts("pads", new long[] {0, 0, 0, 0});
        boolean ceil = node.attrInt("ceil_mode", 0) != 0;
        String autoPad = node.attrString("auto_pad", "NOTSET");
        if (strides.length != 2 || dil.length != 2 || pads.length != 4) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": only 2-D strides/dilations/pads are supported");
        }
        int h = (int) x[2];
        int w = (int) x[3];
        long effH = dil[0] * (kernel[0] - 1) + 1;
        long effW = dil[1] * (kernel[1] - 1) + 1;
        switch (autoPad) {
            case "NOTSET" -> {
            }
            case "VALID" -> pads = new long[] {0, 0, 0, 0};
            case "SAME_UPPER", "SAME_LOWER" -> {
                long totalH = Math.max(0, ((h + strides[0] - 1) / strides[0] - 1) * strides[0] + effH - h);
                long totalW = Math.max(0, ((w + strides[1] - 1) / strides[1] - 1) * strides[1] + effW - w);
                boolean upper = autoPad.equals("SAME_UPPER");
                pads = new long[] {upper ? totalH / 2 : totalH - totalH / 2, upper ? totalW / 2 : totalW - totalW / 2,
                    upper ? totalH - totalH / 2 : totalH / 2, upper ? totalW - totalW / 2 : totalW / 2};
            }
            default -> throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": auto_pad=" + autoPad + " is not supported");
        }
        int outH = outLength(h, pads[0], pads[2], effH, strides[0], ceil);
        int outW = outLength(w, pads[1], pads[3], effW, strides[1], ceil);
        if (outH < 1 || outW < 1) {
            throw new BackendException(Code.MODEL_INVALID, node.describe() + ": input " + Arrays.toString(x)
                    + " is too small for this pooling window");
        }
        return new PoolGeometry((int) x[0], (int) x[1], h, w, (int) kernel[0], (int) kernel[1], (int) pads[0], (int) pads[1],
                (int) pads[2], (int) pads[3], (int) strides[0], (int) strides[1], (int) dil[0], (int) dil[1], ceil, outH, outW);
    }

    private static int outLength(int in, long padBegin, long padEnd, long effective, long stride, boolean ceil) {
        long span = in + padBegin + padEnd - effective;
        long out = (ceil ? Math.ceilDiv(span, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + padBegin) {
            out--; // the last window would start in the end padding
        }
        return (int) out;
    }

    /** The maximum over one output position's window (padding skipped) of a plane stored row-major in {@code plane}. */
    public float windowMax(float[] plane, int planeOffset, int oy, int ox) {
        float best = Float.NEGATIVE_INFINITY;
        for (int ky = 0; ky < kh; ky++) {
            int iy = oy * strideH - padTop + ky * dilationH;
            if (iy < 0 || iy >= h) {
                continue;
            }
            for (int kx = 0; kx < kw; kx++) {
                int ix = ox * strideW - padLeft + kx * dilationW;
                if (ix >= 0 && ix < w) {
                    float v = plane[planeOffset + iy * w + ix];
                    if (v > best || Float.isNaN(v)) {
                        best = v;
                    }
                }
            }
        }
        return best;
    }
}
