package dev.segbench.models;

/**
 * The arithmetic of ONNX QuantizeLinear/DequantizeLinear, and per-output-channel weight and bias quantization.
 * {@code q = saturate(round_half_even(x / scale) + zero_point)}, {@code x' = (q - zero_point) * scale}, in FP32 as
 * the operators define it.
 */
final class Quantization {

    private Quantization() {
    }

    static int quantize(float x, float scale, int zeroPoint, int qmin, int qmax) {
        double q = Math.rint(x / scale) + zeroPoint; // x / scale in float, as QuantizeLinear computes it
        return (int) Math.max(qmin, Math.min(qmax, q));
    }

    static float dequantize(int q, float scale, int zeroPoint) {
        return (q - zeroPoint) * scale;
    }

    /**
     * Symmetric per-output-channel weights, and the bias at input scale x weight scale when {@code bias} is given.
     *
     * @param weights    [outChannels, ...] row-major
     * @param bits       8 for the full int8 range [-127, 127]; 7 halves it (ORT's "reduce range")
     * @param bias       per-channel bias, or null to leave it unquantized
     * @param inputScale the conv input's activation scale
     */
    static PerChannel perChannel(float[] weights, int outChannels, int bits, float[] bias, float inputScale) {
        if (outChannels < 1 || weights.length % outChannels != 0) {
            throw new IllegalArgumentException(weights.length + " weights do not split into " + outChannels + " channels");
        }
        int qmax = (1 << (bits - 1)) - 1;
        int perChannel = weights.length / outChannels;
        float[] scales = new float[outChannels];
        float smallest = Float.POSITIVE_INFINITY;
        for (int o = 0; o < outChannels; o++) {
            float amax = 0;
            for (int i = o * perChannel; i < (o + 1) * perChannel; i++) {
                amax = Math.max(amax, Math.abs(weights[i]));
            }
            scales[o] = amax / qmax;
            if (scales[o] > 0 && Float.isFinite(scales[o])) {
                smallest = Math.min(smallest, scales[o]);
            }
        }
        for (int o = 0; o < outChannels; o++) {
            if (!(scales[o] > 0) || !Float.isFinite(scales[o])) {
                // an all-zero channel: any scale represents it exactly; a small one keeps its bias step fine
                scales[o] = Float.isFinite(smallest) ? smallest : 1f;
            }
        }
        int[] qBias = null;
        float[] biasScales = null;
        if (bias != null) {
            qBias = new int[outChannels];
            biasScales = new float[outChannels];
            for (int o = 0; o < outChannels; o++) {
                float biasScale = inputScale * scales[o];
                if (Math.abs(bias[o] / biasScale) > Integer.MAX_VALUE) {
                    // int32 cannot hold the bias at this step: widen the weight scale (coarser weights, rare)
                    scales[o] = Math.nextUp(Math.abs(bias[o]) / (inputScale * (float) Integer.MAX_VALUE)) * 1.0001f;
                    biasScale = inputScale * scales[o];
                }
                biasScales[o] = biasScale;
                qBias[o] = quantize(bias[o], biasScale, 0, Integer.MIN_VALUE + 1, Integer.MAX_VALUE);
            }
        }
        byte[] q = new byte[weights.length];
        for (int o = 0; o < outChannels; o++) {
            for (int i = o * perChannel; i < (o + 1) * perChannel; i++) {
                q[i] = (byte) quantize(weights[i], scales[o], 0, -qmax, qmax);
            }
        }
        return new PerChannel(q, scales, qBias, biasScales);
    }

    /** Quantized weights with their per-channel scales; {@code bias} and {@code biasScales} null when not asked. */
    record PerChannel(byte[] weights, float[] scales, int[] bias, float[] biasScales) {
    }
}
