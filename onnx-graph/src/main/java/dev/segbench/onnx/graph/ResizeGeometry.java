package dev.segbench.onnx.graph;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import java.util.Arrays;
import java.util.Map;

/**
 * A bilinear 2-D ONNX Resize resolved for a concrete input: output size, and the scale used to map output
 * coordinates back ({@code x_in = (x_out + 0.5) / scale - 0.5} for half_pixel).
 */
public record ResizeGeometry(long[] inputShape, long[] outputShape, double scaleH, double scaleW, boolean pytorchHalfPixel) {

    public ResizeGeometry {
        inputShape = inputShape.clone();
        outputShape = outputShape.clone();
    }

    @Override
    public long[] outputShape() {
        return outputShape.clone();
    }

    @Override
    public long[] inputShape() {
        return inputShape.clone();
    }

    public static ResizeGeometry of(Node node, long[] x, Map<String, Constant> constants) throws BackendException {
        String mode = node.attrString("mode", "nearest");
        String ctm = node.attrString("coordinate_transformation_mode", "half_pixel");
        if (!mode.equals("linear")) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": Resize mode '" + mode
                    + "' is not supported (only 'linear')");
        }
        if (!ctm.equals("half_pixel") && !ctm.equals("pytorch_half_pixel")) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": coordinate_transformation_mode '" + ctm
                    + "' is not supported (only half_pixel, pytorch_half_pixel)");
        }
        if (node.attrInt("antialias", 0) != 0 || node.attributes().containsKey("axes")) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": Resize antialias/axes are not supported");
        }
        if (x.length != 4) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": only 4-D NCHW Resize is supported, got "
                    + Arrays.toString(x));
        }
        Constant scales = node.hasInput(2) ? constants.get(node.input(2)) : null;
        Constant sizes = node.hasInput(3) ? constants.get(node.input(3)) : null;
        if ((node.hasInput(2) && scales == null) || (node.hasInput(3) && sizes == null)) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": Resize scales/sizes must be computable from"
                    + " the input shape alone, but depend on tensor data");
        }
        long[] out = new long[4];
        double[] scale = new double[4];
        if (sizes != null && sizes.elementCount() > 0) {
            long[] s = sizes.asLongs();
            if (s.length != 4) {
                throw new BackendException(Code.MODEL_INVALID, node.describe() + ": sizes " + Arrays.toString(s) + " is not 4-D");
            }
            for (int i = 0; i < 4; i++) {
                out[i] = s[i];
                scale[i] = (double) s[i] / x[i];
            }
        } else if (scales != null && scales.elementCount() == 4) {
            float[] f = scales.asFloats();
            for (int i = 0; i < 4; i++) {
                scale[i] = f[i];
                out[i] = (long) Math.floor(x[i] * (double) f[i]);
            }
        } else {
            throw new BackendException(Code.MODEL_INVALID, node.describe() + ": Resize needs 4-D sizes or scales");
        }
        if (out[0] != x[0] || out[1] != x[1] || out[2] < 1 || out[3] < 1) {
            throw new BackendException(Code.UNSUPPORTED_OP, node.describe() + ": only spatial (H, W) resizing is supported; "
                    + Arrays.toString(x) + " -> " + Arrays.toString(out));
        }
        return new ResizeGeometry(x, out, scale[2], scale[3], ctm.equals("pytorch_half_pixel"));
    }

    /** Source coordinate for an output coordinate, following the ONNX definition. */
    public static double sourceCoordinate(int outCoord, double scale, long outLength, boolean pytorchHalfPixel) {
        if (pytorchHalfPixel && outLength == 1) {
            return 0;
        }
        return (outCoord + 0.5) / scale - 0.5;
    }
}
