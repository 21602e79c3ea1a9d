package dev.segbench.api.results;

/**
 * Confidence intervals of the median and the 99th percentile, bootstrapped from a recorded latency histogram.
 *
 * @param level     the confidence level (0.95)
 * @param resamples bootstrap resamples drawn
 * @param seed      the resampling seed, so the interval can be reproduced from the stored histogram
 * @param p50       interval of the median, in milliseconds
 * @param p99       interval of the 99th percentile, in milliseconds
 */
public record PercentileIntervals(double level, int resamples, long seed, Interval p50, Interval p99) {

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
