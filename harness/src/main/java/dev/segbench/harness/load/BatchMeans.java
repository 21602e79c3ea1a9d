package dev.segbench.harness.load;

import dev.segbench.results.Latencies;
import dev.segbench.results.PercentileIntervals;
import java.util.Arrays;
import org.HdrHistogram.Histogram;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Confidence intervals of latency percentiles that hold when the samples are not independent, by sectioning (batch
 * means centred on the whole sample's estimate): the series, kept in arrival order, is cut into {@code b} consecutive
 * batches, each batch's percentile is one estimate, and the interval is the whole sample's percentile plus or minus
 * {@code t(b-1) * sd(batch estimates) / sqrt(b)}. Neighbouring requests of a server trial are correlated (each waits
 * behind the ones before it), which intervals for independent samples ignore and batches of consecutive requests keep;
 * the same formula over the shards of a merged run samples the variation between JVMs and machines, as JMH does
 * across forks.
 */
public final class BatchMeans {

    public static final int MAX_BATCHES = 20;
    /** Fewer batches leave too few degrees of freedom for a usable t interval. */
    public static final int MIN_BATCHES = 5;

    private BatchMeans() {
    }

    /**
     * 95% intervals of p50 and p99 of a series of microsecond latencies in the order they arrived, centred on the
     * percentiles of {@code histogram} (the same requests, as reported); null for an empty series. A percentile gets no
     * interval (null) when the series cannot fill {@value #MIN_BATCHES} batches (see {@link #batches});
     * {@code batches} records those of p99.
     */
    public static PercentileIntervals intervalsMs(long[] inOrderMicros, Histogram histogram) {
        if (inOrderMicros.length == 0) {
            return null;
        }
        return new PercentileIntervals(PercentileIntervals.LEVEL, 0, 0,
                ms(interval(inOrderMicros, 50, histogram.getValueAtPercentile(50), PercentileIntervals.LEVEL)),
                ms(interval(inOrderMicros, 99, histogram.getValueAtPercentile(99), PercentileIntervals.LEVEL)),
                PercentileIntervals.BATCH_MEANS, batches(inOrderMicros.length, 99));
    }

    /**
     * Batches for {@code percentile} over {@code n} samples, 0 if too few: each batch holds at least
     * {@code 250 / (100 - p)} samples (250 for p99, its third largest; 5 for p50). Batches of 100 covered the true p99
     * of a simulated AR(1) series (phi 0.9) in only 80% of runs, batches of 250 in over 90% (PercentileCoverageTest).
     */
    static int batches(int n, double percentile) {
        long perBatch = (long) Math.ceil(250 / (100 - percentile));
        int b = (int) Math.min(MAX_BATCHES, n / perBatch);
        return b >= MIN_BATCHES ? b : 0;
    }

    /** The {@code [lo, hi]} interval of {@code percentile} around {@code center}; null when too few samples. */
    public static double[] interval(long[] inOrder, double percentile, double center, double level) {
        int b = batches(inOrder.length, percentile);
        if (b == 0) {
            return null;
        }
        double[] estimates = new double[b];
        for (int k = 0; k < b; k++) {
            int from = (int) ((long) k * inOrder.length / b);
            int to = (int) ((long) (k + 1) * inOrder.length / b);
            long[] batch = Arrays.copyOfRange(inOrder, from, to);
            Arrays.sort(batch);
            estimates[k] = nearestRank(batch, percentile);
        }
        return sectioning(center, estimates, level);
    }

    /**
     * {@code center +- t(k-1) * sd / sqrt(k)} over {@code k >= 2} independent estimates of the same quantity (batches
     * or shards); null for fewer than two.
     */
    public static double[] sectioning(double center, double[] estimates, double level) {
        int k = estimates.length;
        if (k < 2) {
            return null;
        }
        double mean = Arrays.stream(estimates).average().orElseThrow();
        double ss = 0;
        for (double e : estimates) {
            ss += (e - mean) * (e - mean);
        }
        double sd = Math.sqrt(ss / (k - 1));
        double t = new TDistribution(null, k - 1).inverseCumulativeProbability(1 - (1 - level) / 2);
        double half = t * sd / Math.sqrt(k);
        return new double[] {Math.max(0, center - half), center + half};
    }

    /** The k-th smallest with {@code k = ceil(p/100 n)} (at least 1) of a sorted sample: HdrHistogram's rank rule. */
    static long nearestRank(long[] sorted, double percentile) {
        return sorted[(int) (Latencies.rank(percentile, sorted.length) - 1)];
    }

    private static PercentileIntervals.Interval ms(double[] microsInterval) {
        return microsInterval == null ? null
                : new PercentileIntervals.Interval(microsInterval[0] / 1000.0, microsInterval[1] / 1000.0);
    }
}
