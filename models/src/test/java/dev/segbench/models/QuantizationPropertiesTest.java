package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Scale;

/** jqwik properties of the quantization arithmetic the int8 graphs are built with. */
class QuantizationPropertiesTest {

    /** A calibrated range and values inside it. */
    record Case(float min, float max, float[] values) {
    }

    @Provide
    Arbitrary<Case> rangesWithValues() {
        Arbitrary<Float> low = Arbitraries.floats().between(-50f, 0f).ofScale(4);
        Arbitrary<Float> width = Arbitraries.floats().between(1e-3f, 100f).ofScale(4);
        return Combinators.combine(low, width, Arbitraries.integers().between(1, 200), Arbitraries.longs())
                .as((lo, w, n, seed) -> {
                    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
                    float hi = lo + w;
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = (float) (lo + r.nextDouble() * (hi - lo));
                    }
                    return new Case(lo, hi, v);
                });
    }

    /** Quantize then dequantize lands within half a step (plus float rounding) for every value in the range. */
    @Property(tries = 300)
    void quantizeThenDequantizeLandsWithinHalfAStep(@ForAll("rangesWithValues") Case c) {
        CalibrationTable.Range range = new CalibrationTable.Range(c.min(), c.max());
        for (Int8Activations flavour : Int8Activations.values()) {
            float scale = range.scale(flavour);
            int zp = range.zeroPoint(flavour);
            int qmin = flavour == Int8Activations.SYMMETRIC_INT8 ? -128 : 0;
            int qmax = flavour == Int8Activations.SYMMETRIC_INT8 ? 127 : 255;
            assertTrue(scale > 0, "scale " + scale);
            for (float x : c.values()) {
                int q = Quantization.quantize(x, scale, zp, qmin, qmax);
                float back = Quantization.dequantize(q, scale, zp);
                double slack = 1e-5 * Math.max(1, Math.abs(x)); // float rounding of x / scale and (q - zp) * scale
                assertTrue(Math.abs(back - x) <= scale / 2 + slack, flavour + ": " + x + " -> " + q + " -> " + back
                        + " (scale " + scale + ", zero point " + zp + ")");
            }
        }
    }

    /** Values beyond the calibrated range saturate at its ends (that is what clipping at a threshold means). */
    @Property(tries = 100)
    void valuesBeyondTheRangeSaturate(@ForAll @FloatRange(min = 0.01f, max = 50f) float amax,
                                      @ForAll @FloatRange(min = 1.01f, max = 100f) float factor) {
        CalibrationTable.Range range = new CalibrationTable.Range(-amax, amax);
        assertEquals(127, Quantization.quantize(amax * factor, range.int8Scale(), 0, -128, 127));
        assertEquals(-128, Quantization.quantize(-amax * factor, range.int8Scale(), 0, -128, 127));
    }

    @Provide
    Arbitrary<float[][]> channels() {
        // some channels all zero, others with values of very different magnitudes
        Arbitrary<float[]> channel = Arbitraries.oneOf(
                Arbitraries.just(new float[9]),
                Arbitraries.floats().between(-1e-3f, 1e-3f).ofScale(7).array(float[].class).ofSize(9),
                Arbitraries.floats().between(-20f, 20f).ofScale(4).array(float[].class).ofSize(9));
        return channel.array(float[][].class).ofMinSize(1).ofMaxSize(12);
    }

    /** Per-channel scales are positive and finite, all-zero channels included, and weights round trip within half a step. */
    @Property(tries = 300)
    void perChannelScalesAreNeverZero(@ForAll("channels") float[][] channels,
                                      @ForAll @IntRange(min = 7, max = 8) int bits) {
        float[] w = new float[channels.length * 9];
        for (int o = 0; o < channels.length; o++) {
            System.arraycopy(channels[o], 0, w, o * 9, 9);
        }
        Quantization.PerChannel q = Quantization.perChannel(w, channels.length, bits, null, 0.05f);
        int qmax = (1 << (bits - 1)) - 1;
        for (int o = 0; o < channels.length; o++) {
            float s = q.scales()[o];
            assertTrue(s > 0 && Float.isFinite(s), "channel " + o + " has scale " + s);
            for (int i = o * 9; i < (o + 1) * 9; i++) {
                assertTrue(Math.abs(q.weights()[i]) <= qmax, "weight " + q.weights()[i] + " beyond +-" + qmax);
                float back = q.weights()[i] * s;
                assertTrue(Math.abs(back - w[i]) <= s / 2 + 1e-6f * Math.abs(w[i]), "channel " + o + ": " + w[i] + " -> " + back);
            }
        }
    }

    /** The int32 bias is at input scale x weight scale, within half of that step, even when int32 would overflow. */
    @Property(tries = 200)
    void biasIsQuantizedAtInputTimesWeightScale(@ForAll @FloatRange(min = -1e4f, max = 1e4f) float bias,
                                               @ForAll @FloatRange(min = 1e-9f, max = 1f) @Scale(10) float inputScale,
                                               @ForAll @FloatRange(min = -3f, max = 3f) float weight) {
        Quantization.PerChannel q = Quantization.perChannel(new float[] {weight, -weight / 2}, 1, 8,
                new float[] {bias}, inputScale);
        float step = q.biasScales()[0];
        assertEquals(inputScale * q.scales()[0], step);
        float back = q.bias()[0] * step;
        assertTrue(Math.abs(back - bias) <= step / 2 + 1e-6f * Math.abs(bias), bias + " -> " + back + " (step " + step + ")");
    }
}
