package dev.segbench.onnx.graph;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import java.util.Arrays;

/** Resolved parameters of a 2-D ONNX Conv for concrete input and weight shapes (NCHW, OIHW). */
public record ConvGeometry(int n, int c, int h, int w, int k, int kh, int kw, int group,
                           int padTop, int padLeft, int padBottom, int padRight,
                           int strideH, int strideW, int dilationH, int dilationW, int outH, int outW) {

    public long[] outputShape() {
        return new long[] {n, k, outH, outW};
    }

    public boolean symmetricPadding() {
        return padTop == padBottom && padLeft == padRight;
    }

    public static ConvGeometry of(Node node, long[] x, long[] wShape) throws BackendException {
        if (x.length != 4 || wShape.length != 4) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": only 2-D convolutions (4-D NCHW input, OIHW"
                    + " weights) are supported; got input " + Arrays.toString(x) + " weights " + Arrays.toString(wShape));
        }
        int group = (int) node.attrInt("group", 1);
        int c = (int) x[1];
        int k = (int) wShape[0];
        if (group < 1 || c % group != 0 || k % group != 0 || wShape[1] != c / group) {
            throw new BackendException(Code.MODEL_INVALID, node.describe() + ": weights " + Arrays.toString(wShape)
                    + " do not fit " + c + " input channels in " + group + " groups");
        }
        int kh = (int) wShape[2];
        int kw = (int) wShape[3];
        long[] kernel = node.attrInts("kernel_shape", new long[] {kh, kw});
        if (kernel[0] != kh || kernel[1] != kw) {
            throw new BackendException(Code.MODEL_INVALID, node.describe() + ": kernel_shape " + Arrays.toString(kernel)
                    + " disagrees with weights " + Arrays.toString(wShape));
        }
        long[] strides = node.attrInts("strides", new long[] {1, 1});
        long[] dil = node.attrInts("dilations", new long[] {1, 1});
        long[] pads = node.attrInts("pads", new long[] {0, 0, 0, 0});
        String autoPad = node.attrString("auto_pad", "NOTSET");
        int h = (int) x[2];
        int w = (int) x[3];
        int effH = (int) (dil[0] * (kh - 1) + 1);
        int effW = (int) (dil[1] * (kw - 1) + 1);
        switch (autoPad) {
            case "NOTSET" -> {
            }
            case "VALID" -> pads = new long[] {0, 0, 0, 0};
            case "SAME_UPPER", "SAME_LOWER" -> {
                long outH = (h + strides[0] - 1) / strides[0];
                long outW = (w + strides[1] - 1) / strides[1];
                long totalH = Math.max(0, (outH - 1) * strides[0] + effH - h);
                long totalW = Math.max(0, (outW - 1) * strides[1] + effW - w);
                boolean upper = autoPad.equals("SAME_UPPER");
                pads = new long[] {upper ? totalH / 2 : totalH - totalH / 2, upper ? totalW / 2 : totalW - totalW / 2,
                    upper ? totalH - totalH / 2 : totalH / 2, upper ? totalW - totalW / 2 : totalW / 2};
            }
            default -> throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": auto_pad=" + autoPad + " is not supported");
        }
        if (strides.length != 2 || dil.length != 2 || pads.length != 4) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": only 2-D strides/dilations/pads are supported");
        }
        int outH = (int) Math.floorDiv(h + pads[0] + pads[2] - effH, strides[0]) + 1;
        int outW = (int) Math.floorDiv(w + pads[1] + pads[3] - effW, strides[1]) + 1;
        if (outH < 1 || outW < 1) {
            throw new BackendException(Code.MODEL_INVALID, node.describe() + ": input " + Arrays.toString(x)
                    + " is too small for this convolution");
        }
        return new ConvGeometry((int) x[0], c, h, w, k, kh, kw, group, (int) pads[0], (int) pads[1], (int) pads[2],
                (int) pads[3], (int) strides[0], (int) strides[1], (int) dil[0], (int) dil[1], outH, outW);
    }
}
