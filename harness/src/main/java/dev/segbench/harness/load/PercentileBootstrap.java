package dev.segbench.harness.load;

import dev.segbench.results.PercentileIntervals;
import java.util.Arrays;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ChengBetaSampler;
import org.apache.commons.rng.sampling.distribution.ContinuousSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Bootstrap confidence intervals of latency percentiles from a recorded HdrHistogram, seeded and cheap.
 *
 * <p>A percentile is the histogram's k-th smallest value (HdrHistogram's rank rule). Resampling the n recorded
 * values with replacement and taking the k-th smallest of the resample is the same as drawing
 * {@code U ~ Beta(k, n - k + 1)} (the k-th order statistic of n uniforms) and reading the original histogram at
 * rank {@code ceil(U n)}, because reading a sorted sample at uniform ranks is how a resample is drawn and that map
 * keeps order. So each resample costs one Beta draw and one binary search over the buckets, not n draws, and the
 * interval is exactly the per-sample bootstrap's.
 *
 * <p>It assumes independent samples, which a closed loop of one request at a time comes close to. A series whose
 * neighbours are correlated (server trials, through the queue) gets {@link BatchMeans} instead, and a merged run
 * the variation between its shards.
 */
public final class PercentileBootstrap {

    public static final double LEVEL = 0.95;
    public static final int RESAMPLES = 2000;
    public static final long SEED = 1;

    /** Cumulative count up to and including each non-empty bucket. */
    private final long[] cumulative;
    /** The value HdrHistogram reports for a percentile that lands in each bucket (its highest equivalent value). */
    private final long[] values;
    private final long total;

    public PercentileBootstrap(Histogram histogram) {
        int buckets = 0;
        for (HistogramIterationValue ignored : histogram.recordedValues()) {
            buckets++;
        }
        cumulative = new long[buckets];
        values = new long[buckets];
        int i = 0;
        for (HistogramIterationValue v : histogram.recordedValues()) {
            cumulative[i] = v.getTotalCountToThisValue();
            values[i] = histogram.highestEquivalentValue(v.getValueIteratedTo());
            i++;
        }
        total = histogram.getTotalCount();
    }

    /** 95% intervals of p50 and p99 in milliseconds (the histogram holds microseconds); null for an empty one. */
    public static PercentileIntervals intervalsMs(Histogram histogram) {
        return intervalsMs(histogram, LEVEL, RESAMPLES, SEED);
    }

    public static PercentileIntervals intervalsMs(Histogram histogram, double level, int resamples, long seed) {
        if (histogram.getTotalCount() == 0) {
            return null;
        }
        PercentileBootstrap b = new PercentileBootstrap(histogram);
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        return new PercentileIntervals(level, resamples, seed, b.intervalMs(50, level, resamples, rng),
                b.intervalMs(99, level, resamples, rng), PercentileIntervals.BOOTSTRAP, 0);
    }

    /** The interval in milliseconds, or null when the sample is too small to support the percentile. */
    private PercentileIntervals.Interval intervalMs(double percentile, double level, int resamples,
                                                    UniformRandomProvider rng) {
        if (!PercentileIntervals.supports(total, percentile)) {
            return null;
        }
        long[] i = interval(percentile, level, resamples, rng);
        return new PercentileIntervals.Interval(i[0] / 1000.0, i[1] / 1000.0);
    }

    /** The {@code [lo, hi]} percentile interval of the resampled {@code percentile}, in the histogram's unit. */
    public long[] interval(double percentile, double level, int resamples, UniformRandomProvider rng) {
        long[] resampled = resample(percentile, resamples, rng);
        Arrays.sort(resampled);
        double tail = (1 - level) / 2;
        int lo = (int) Math.floor(tail * (resamples - 1));
        int hi = (int) Math.ceil((1 - tail) * (resamples - 1));
        return new long[] {resampled[lo], resampled[hi]};
    }

    /** {@code resamples} bootstrap replicates of {@code percentile}. */
    long[] resample(double percentile, int resamples, UniformRandomProvider rng) {
        long k = rank(percentile, total);
        long[] out = new long[resamples];
        if (total == 1) {
            Arrays.fill(out, values[0]);
            return out;
        }
        ContinuousSampler beta = ChengBetaSampler.of(rng, k, total - k + 1);
        for (int r = 0; r < resamples; r++) {
            long resampledRank = Math.max(1, Math.min(total, (long) Math.ceil(beta.sample() * total)));
            out[r] = valueAtRank(resampledRank);
        }
        return out;
    }

    /** The rank HdrHistogram reads for a percentile: {@code max(1, ceil(nextDown(p) / 100 * n))}. */
    static long rank(double percentile, long n) {
        double p = Math.min(Math.max(Math.nextAfter(percentile, Double.NEGATIVE_INFINITY), 0.0), 100.0);
        return Math.max(1, (long) Math.ceil(p / 100.0 * n));
    }

    /** The recorded value of rank {@code rank} (1-based) as HdrHistogram reports it. */
    long valueAtRank(long rank) {
        int i = Arrays.binarySearch(cumulative, rank);
        return values[i >= 0 ? i : -i - 1];
    }
}
