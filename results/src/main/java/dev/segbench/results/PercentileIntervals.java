package dev.segbench.results;

/**
 * Confidence intervals of the median and the 99th percentile of a latency sample, and the rule for when a percentile
 * is supported by a sample at all.
 *
 * @param level     the confidence level (0.95)
 * @param resamples bootstrap resamples drawn in files that used {@link #BOOTSTRAP}; 0 otherwise
 * @param seed      the resampling seed of {@link #BOOTSTRAP}; 0 otherwise
 * @param p50       interval of the median, in milliseconds; null when too few samples support one
 * @param p99       interval of the 99th percentile, in milliseconds; null when too few samples support one
 * @param method    how the intervals were made: {@link #ORDER_STATISTICS}, {@link #BATCH_MEANS} or
 *                  {@link #BETWEEN_SHARDS}
 * @param batches   the batches (or shards) of {@link #BATCH_MEANS} / {@link #BETWEEN_SHARDS}; 0 otherwise
 */
public record PercentileIntervals(double level, int resamples, long seed, Interval p50, Interval p99, String method,
                                  int batches) {

    /** The confidence level of every interval segbench reports. */
    public static final double LEVEL = 0.95;

    /**
     * Distribution-free intervals between two order statistics of independent samples (single-stream: one request at
     * a time, closed loop), a function of the histogram alone ({@link Latencies#intervalsMs}), so derived on read.
     */
    public static final String ORDER_STATISTICS = "order-statistics";
    /**
     * The seeded order-statistic bootstrap that files written before {@link #ORDER_STATISTICS} hold; such a size's
     * intervals are derived again from its histogram when it is read.
     */
    public static final String BOOTSTRAP = "bootstrap";
    /**
     * Batch means (sectioning) over the latencies in arrival order: for a series whose neighbours are correlated
     * (server trials, where a request waits behind the ones before it).
     */
    public static final String BATCH_MEANS = "batch-means";
    /** Sectioning over the shards of a merged run: each shard's percentile is one estimate (as JMH combines forks). */
    public static final String BETWEEN_SHARDS = "between-shards";

    /** The text shown for a percentile or interval that too few samples support. */
    public static final String TOO_FEW = "n/a (too few)";

    /**
     * The fewest samples that support the {@code percentile}: the fewest n whose distribution-free 95% interval of
     * that percentile lies between order statistics inside the sample, i.e. {@code (p/100)^n <= 2.5%} (else even the
     * largest sample is below the true percentile more often than the interval may miss on that side). 368 for p99,
     * 6 for p50. Below it the percentile is reported as {@link #TOO_FEW} (p99 of 30 samples would be their maximum).
     */
    public static long minSamples(double percentile) {
        double tail = (1 - LEVEL) / 2;
        double p = Math.max(percentile, 100 - percentile) / 100.0; // a low percentile needs as many as its mirror
        return (long) Math.ceil(Math.log(tail) / Math.log(p));
    }

    /** Whether {@code samples} support the {@code percentile} (see {@link #minSamples}). */
    public static boolean supports(long samples, double percentile) {
        return samples >= minSamples(percentile);
    }

    /** A closed interval {@code [lo, hi]}. */
    public record Interval(double lo, double hi) {
        public Interval {
            if (!(lo <= hi)) {
                throw new IllegalArgumentException("interval bounds out of order: [" + lo + ", " + hi + "]");
            }
        }

        public boolean contains(double value) {
            return lo <= value && value <= hi;
        }
    }
}
