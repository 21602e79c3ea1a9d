package dev.segbench.results;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Latency recording in microseconds with HdrHistogram (3 significant digits), and every statistic derived from such a
 * histogram. A run stores the compressed histogram, the raw ingredient, and its statistics ({@link Run.Latency}, the
 * order-statistic intervals, a server trial's percentiles) are derived from it on read, so they cannot disagree with it
 * and shards merge by adding histograms, never by averaging percentiles.
 */
public final class Latencies {

    public static final int SIGNIFICANT_DIGITS = 3;
    private static final double[] CDF_PERCENTILES = {0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100};

    private Latencies() {
    }

    /** An auto-resizing microsecond histogram. */
    public static Histogram newHistogram() {
        Histogram h = new Histogram(SIGNIFICANT_DIGITS);
        h.setAutoResize(true);
        return h;
    }

    /** Records one duration given in nanoseconds (at least 1 µs so sub-microsecond runs still count). */
    public static void recordNanos(Histogram h, long nanos) {
        h.recordValue(Math.max(1, Math.round(nanos / 1000.0)));
    }

    /**
     * Statistics in milliseconds, or null for an empty histogram. Percentiles are HdrHistogram's nearest rank (the
     * smallest recorded value with at least p% of the samples at or below it) at its resolution of
     * {@value #SIGNIFICANT_DIGITS} significant digits; p99 is left out (null) below the samples that support it.
     */
    public static Run.Latency stats(Histogram h) {
        long n = h.getTotalCount();
        if (n == 0) {
            return null;
        }
        double mean = h.getMean() / 1000.0;
        double std = h.getStdDeviation() / 1000.0;
        List<double[]> cdf = new ArrayList<>();
        for (double p : CDF_PERCENTILES) {
            if (p > 0 && p < 100 && !PercentileIntervals.supports(n, p)) {
                continue; // a tail point too few samples support
            }
            cdf.add(new double[] {p, ms(h.getValueAtPercentile(p))});
        }
        return new Run.Latency(ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(95)),
                percentileMs(h, 99), ms(h.getMaxValue()), mean, std, n,
                ms(h.getMinValue()), mean > 0 ? std / mean : 0.0, cdf);
    }

    /** A server trial's percentiles in milliseconds (p99 and p99.9 null when too few requests support them). */
    public static Server.Percentiles serverPercentiles(Histogram h) {
        return new Server.Percentiles(ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), percentileMs(h, 99),
                percentileMs(h, 99.9), ms(h.getMaxValue()));
    }

    /**
     * The {@code percentile} of {@code h} in milliseconds (nearest rank), or null when its samples are too few to support
     * it ({@link PercentileIntervals#supports}): the one rule for every reported tail percentile (a run's p99, a server
     * trial's p99 and p99.9).
     */
    public static Double percentileMs(Histogram h, double percentile) {
        return PercentileIntervals.supports(h.getTotalCount(), percentile) ? ms(h.getValueAtPercentile(percentile)) : null;
    }

    /**
     * Distribution-free 95% intervals of p50 and p99 in milliseconds, or null for an empty histogram: for n independent
     * samples the number below the true p-th percentile is Binomial(n, p/100), so the order statistics of ranks
     * {@code [l, u]} (the largest l with {@code P(B < l) <= 2.5%}, the smallest u with {@code P(B >= u) <= 2.5%}) cover it
     * with at least 95% probability whatever the latency distribution. A function of the histogram alone (no
     * resampling, no seed), so it is derived on read. An interval is null when the sample does not support its
     * percentile ({@link PercentileIntervals#supports}: exactly when {@code u} would lie beyond the largest sample).
     */
    public static PercentileIntervals intervalsMs(Histogram h) {
        long n = h.getTotalCount();
        if (n == 0) {
            return null;
        }
        return new PercentileIntervals(PercentileIntervals.LEVEL, 0, 0, intervalMs(h, 50), intervalMs(h, 99),
                PercentileIntervals.ORDER_STATISTICS, 0);
    }

    private static PercentileIntervals.Interval intervalMs(Histogram h, double percentile) {
        long n = h.getTotalCount();
        if (!PercentileIntervals.supports(n, percentile)) {
            return null;
        }
        long[] ranks = orderStatisticRanks(n, percentile / 100, PercentileIntervals.LEVEL);
        return new PercentileIntervals.Interval(ms(valueAtRank(h, ranks[0])), ms(valueAtRank(h, ranks[1])));
    }

    /**
     * The 1-based ranks {@code [l, u]} of the equal-tailed distribution-free interval of the {@code q}-quantile
     * (0 &lt; q &lt; 1) of {@code n} samples, clamped to {@code [1, n]}. The binomial probabilities are summed outwards
     * from the mode relative to it (no factorials, so no overflow), until they are negligible.
     */
    static long[] orderStatisticRanks(long n, double q, double level) {
        double tail = (1 - level) / 2;
        long mode = Math.min(n, (long) Math.floor((n + 1) * q));
        // weights of B = k relative to B = mode, below and above it
        List<Double> below = new ArrayList<>(); // mode-1, mode-2, ...
        double w = 1;
        for (long k = mode; k > 0; k--) {
            w *= k / (double) (n - k + 1) * (1 - q) / q; // P(k-1) / P(k)
            if (w < 1e-18) {
                break;
            }
            below.add(w);
        }
        List<Double> above = new ArrayList<>(); // mode+1, mode+2, ...
        w = 1;
        for (long k = mode; k < n; k++) {
            w *= (n - k) / (double) (k + 1) * q / (1 - q); // P(k+1) / P(k)
            if (w < 1e-18) {
                break;
            }
            above.add(w);
        }
        double total = 1;
        for (double x : below) {
            total += x;
        }
        for (double x : above) {
            total += x;
        }
        // P(B <= k), walking k upwards from the lowest non-negligible value
        long lowest = mode - below.size();
        double cdf = 0;
        long l = Math.max(1, lowest); // P(B < lowest) is negligible
        long u = n;
        boolean uFound = false;
        for (long k = lowest; k <= mode + above.size(); k++) {
            double pk = (k < mode ? below.get((int) (mode - k - 1)) : k == mode ? 1 : above.get((int) (k - mode - 1))) / total;
            cdf += pk;
            // cdf is now P(B <= k) = P(B < k + 1): l = k + 1 keeps the lower tail within bounds
            if (cdf <= tail) {
                l = k + 1;
            }
            if (!uFound && cdf >= 1 - tail) {
                u = k + 1; // P(B <= u - 1) >= 1 - tail
                uFound = true;
            }
        }
        return new long[] {Math.max(1, Math.min(n, l)), Math.max(1, Math.min(n, u))};
    }

    /** The rank HdrHistogram reads for a percentile: {@code max(1, ceil(nextDown(p) / 100 * n))}. */
    public static long rank(double percentile, long n) {
        double p = Math.min(Math.max(Math.nextAfter(percentile, Double.NEGATIVE_INFINITY), 0.0), 100.0);
        return Math.max(1, (long) Math.ceil(p / 100.0 * n));
    }

    /** The recorded value of {@code rank} (1-based) as HdrHistogram reports a percentile: its bucket's highest value. */
    static long valueAtRank(Histogram h, long rank) {
        for (HistogramIterationValue v : h.recordedValues()) {
            if (v.getTotalCountToThisValue() >= rank) {
                return h.highestEquivalentValue(v.getValueIteratedTo());
            }
        }
        return h.highestEquivalentValue(h.getMaxValue());
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** The histogram compressed (HdrHistogram's own format) and base64-encoded. */
    public static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[length];
        buf.flip();
        buf.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static Histogram decode(String base64) {
        try {
            Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
            h.setAutoResize(true);
            return h;
        } catch (DataFormatException | RuntimeException e) {
            throw new IllegalArgumentException("latency histogram is not a compressed HdrHistogram: " + e.getMessage(), e);
        }
    }
}
