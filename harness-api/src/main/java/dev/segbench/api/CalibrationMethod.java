package dev.segbench.api;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a calibration turns the activations it saw into one clipping threshold per tensor.
 */
public enum CalibrationMethod {
    /** The largest magnitude seen: nothing is clipped, so rare outliers widen every step. */
    MINMAX,
    /** The {@value #PERCENTILE_KEPT} percentile of |x|: the rarest 0.01% of magnitudes are clipped. */
    PERCENTILE,
    /**
     * TensorRT's entropy calibration: the threshold whose 128-bin quantized histogram of |x| is closest (smallest
     * KL divergence) to the 2048-bin reference histogram.
     */
    ENTROPY;

    /** The percentile {@link #PERCENTILE} keeps (of |x|). */
    public static final double PERCENTILE_KEPT = 99.99;

    /** The lower-case name used on the command line and in calibration files. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CalibrationMethod parse(String text) {
        for (CalibrationMethod m : values()) {
            if (m.id().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown calibration method '" + text + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(CalibrationMethod::id).toList()) + ")");
    }
}
