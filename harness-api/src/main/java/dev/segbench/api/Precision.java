package dev.segbench.api;

import java.util.Arrays;
import java.util.Locale;

/**
 * Numeric precision of a model's weights and compute; input and output stay FP32 at the boundary. INT8 is a
 * calibrated quantized graph (QuantizeLinear/DequantizeLinear around each convolution, see
 * {@link ModelSource#int8()}); a backend opens it only with a {@link SessionOptions#calibration() calibration table}.
 */
public enum Precision {
    FP32, FP16, INT8;

    /** The lower-case name used on the command line and in results ("fp32", "fp16", "int8"). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Precision parse(String text) {
        for (Precision p : values()) {
            if (p.id().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + text + "' (known: "
                + Arrays.stream(values()).map(Precision::id).toList() + ")");
    }
}
