package dev.segbench.models.calibration;

import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;

import java.lang.foreign.MemorySegment;

/**
 * What a calibration learns about one activation tensor: its min and max, and a histogram of |x| with
 * {@value #BINS} equal bins over [0, upper edge) — TensorRT's layout for entropy calibration. The histogram grows in
 * one pass: when a larger |x| arrives, adjacent bin pairs merge and the upper edge doubles until it fits, so no
 * first pass for the range is needed. (Hand-written: the entropy method needs fixed linear bins over a range that is
 * unknown in advance; HdrHistogram's log-scaled buckets do not give that.)
 */
public final class TensorStatistics {

    /** Histogram bins, as TensorRT's entropy calibrator uses. */
    public static final int BINS = 2048;
    /** Quantization levels of a signed int8 magnitude (TensorRT's entropy method quantizes |x| to 128 levels). */
    static final int LEVELS = 128;

    private final long[] histogram = new long[BINS];
    private float upper; // bins cover [0, upper); 0 until a non-zero value arrives
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long count;

    /** Adds every element of an FP32 tensor. */
    public void add(HostTensor tensor) {
        if (tensor.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("calibration reads FP32 tensors, got " + tensor);
        }
        add(tensor.data(), tensor.elementCount());
    }

    /** Adds {@code n} FP32 values from {@code data}. */
    public synchronized void add(MemorySegment data, long n) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (long i = 0; i < n; i++) {
            float v = data.getAtIndex(HostTensor.FLOAT, i);
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("calibration met a non-finite activation (" + v + ")");
            }
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (n == 0) {
            return;
        }
        min = Math.min(min, lo);
        max = Math.max(max, hi);
        float amax = Math.max(Math.abs(lo), Math.abs(hi));
        if (amax > 0 && upper == 0) {
            upper = amax;
        }
        while (amax > upper && upper > 0) {
            grow();
        }
        if (upper == 0) {
            histogram[0] += n; // all zeros so far: they land in the first bin whatever its width turns out to be
        } else {
            float perBin = BINS / upper;
            for (long i = 0; i < n; i++) {
                int bin = (int) (Math.abs(data.getAtIndex(HostTensor.FLOAT, i)) * perBin);
                histogram[Math.min(bin, BINS - 1)]++;
            }
        }
        count += n;
    }

    /** Doubles the upper edge, merging adjacent bins. */
    private void grow() {
        for (int i = 0; i < BINS / 2; i++) {
            histogram[i] = histogram[2 * i] + histogram[2 * i + 1];
        }
        java.util.Arrays.fill(histogram, BINS / 2, BINS, 0);
        upper *= 2;
    }

    public synchronized long count() {
        return count;
    }

    /**
     * The clipped range {@code method} chooses: a threshold T on |x| ({@link CalibrationMethod}), applied to the
     * observed range, i.e. {@code [max(min, -T), min(max, T)]}.
     */
    public synchronized CalibrationTable.Range range(CalibrationMethod method) {
        if (count == 0) {
            throw new IllegalStateException("no values were added");
        }
        float threshold = switch (method) {
            case MINMAX -> Math.max(Math.abs(min), Math.abs(max));
            case PERCENTILE -> percentile(CalibrationMethod.PERCENTILE_KEPT / 100);
            case ENTROPY -> entropyThreshold();
        };
        return new CalibrationTable.Range(Math.max(min, -threshold), Math.min(max, threshold));
    }

    private float binWidth() {
        return upper / BINS;
    }

    /** The upper edge of the first bin at which at least {@code fraction} of |x| lies at or below. */
    float percentile(double fraction) {
        if (upper == 0) {
            return 0;
        }
        long needed = (long) Math.ceil(fraction * count);
        long seen = 0;
        for (int i = 0; i < BINS; i++) {
            seen += histogram[i];
            if (seen >= needed) {
                return Math.min((i + 1) * binWidth(), Math.max(Math.abs(min), Math.abs(max)));
            }
        }
        return upper;
    }

    /**
     * TensorRT's entropy calibration: for each candidate i of {@value #LEVELS}..{@value #BINS} bins, the reference
     * P is the first i bins with every larger value folded into bin i-1, and Q is those i bins merged into
     * {@value #LEVELS} levels and spread back evenly over the bins that were non-zero; the threshold is the upper edge
     * i * width of the candidate with the smallest KL(P || Q). The first bin (exact zeros) counts as the second.
     */
    float entropyThreshold() {
        if (upper == 0) {
            return 0;
        }
        int last = BINS;
        while (last > 0 && histogram[last - 1] == 0) {
            last--;
        }
        if (last <= LEVELS) {
            return Math.min(last * binWidth(), Math.max(Math.abs(min), Math.abs(max))); // nothing worth clipping
        }
        // The first bin holds every exact zero (half of a ReLU output or more): merged into a level with its
        // neighbours it would dominate every divergence and push the threshold to the smallest candidate. As
        // NVIDIA's pytorch-quantization does for TensorRT's method, the first bin counts as the second.
        long[] bins = histogram.clone();
        bins[0] = bins[1];
        long[] suffix = new long[BINS + 1];
        for (int i = BINS - 1; i >= 0; i--) {
            suffix[i] = suffix[i + 1] + bins[i];
        }
        double best = Double.POSITIVE_INFINITY;
        int bestBins = last;
        double[] p = new double[BINS];
        double[] q = new double[BINS];
        for (int i = LEVELS; i <= last; i++) {
            for (int j = 0; j < i; j++) {
                p[j] = bins[j];
            }
            p[i - 1] += suffix[i];
            // Q: level k covers bins [k*i/LEVELS, (k+1)*i/LEVELS); its count spreads over that range's non-zero bins
            for (int k = 0; k < LEVELS; k++) {
                int from = (int) ((long) k * i / LEVELS);
                int to = (int) ((long) (k + 1) * i / LEVELS);
                long sum = 0;
                int nonZero = 0;
                for (int j = from; j < to; j++) {
                    sum += bins[j];
                    nonZero += bins[j] != 0 ? 1 : 0;
                }
                double each = nonZero == 0 ? 0 : (double) sum / nonZero;
                for (int j = from; j < to; j++) {
                    q[j] = bins[j] != 0 ? each : 0;
                }
            }
            double divergence = klDivergence(p, q, i);
            if (divergence < best) {
                best = divergence;
                bestBins = i;
            }
        }
        return bestBins * binWidth();
    }

    /** KL(P || Q) of the first n entries, each normalised to sum 1; infinite where Q is 0 and P is not. */
    static double klDivergence(double[] p, double[] q, int n) {
        double pSum = 0;
        double qSum = 0;
        for (int j = 0; j < n; j++) {
            pSum += p[j];
            qSum += q[j];
        }
        if (pSum == 0 || qSum == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int j = 0; j < n; j++) {
            if (p[j] == 0) {
                continue;
            }
            if (q[j] == 0) {
                return Double.POSITIVE_INFINITY;
            }
            double pj = p[j] / pSum;
            kl += pj * Math.log(pj / (q[j] / qSum));
        }
        return kl;
    }
}
