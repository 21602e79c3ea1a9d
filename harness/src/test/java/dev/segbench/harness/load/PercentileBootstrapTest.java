package dev.segbench.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.PercentileIntervals;
import dev.segbench.harness.metrics.Latencies;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

class PercentileBootstrapTest {

    static Histogram lognormal(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Histogram h = Latencies.newHistogram();
        for (int i = 0; i < n; i++) {
            double z = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
            h.recordValue(Math.round(10_000 * Math.exp(0.4 * z))); // ~10 ms median, in microseconds
        }
        return h;
    }

    @Test
    void readsPercentilesExactlyAsHdrHistogramDoes() {
        for (int n : new int[] {1, 2, 7, 100, 1001, 50_000}) {
            Histogram h = lognormal(n, n);
            PercentileBootstrap b = new PercentileBootstrap(h);
            for (double p : new double[] {0.1, 1, 25, 50, 90, 99, 99.9, 100}) {
                assertEquals(h.getValueAtPercentile(p), b.valueAtRank(PercentileBootstrap.rank(p, n)), "n=" + n + " p=" + p);
            }
        }
    }

    @Test
    void intervalsContainThePointEstimateAndAreReproducible() {
        Histogram h = lognormal(2000, 5);
        PercentileIntervals ci = PercentileBootstrap.intervalsMs(h);
        assertEquals(0.95, ci.level());
        assertTrue(ci.p50().contains(h.getValueAtPercentile(50) / 1000.0), ci.toString());
        assertTrue(ci.p99().contains(h.getValueAtPercentile(99) / 1000.0), ci.toString());
        assertTrue(ci.p99().hi() - ci.p99().lo() > ci.p50().hi() - ci.p50().lo(), "the tail is less certain: " + ci);
        assertEquals(ci, PercentileBootstrap.intervalsMs(h));
        assertTrue(!ci.equals(PercentileBootstrap.intervalsMs(h, 0.95, 2000, 2)), "another seed, other draws");
        assertNull(PercentileBootstrap.intervalsMs(Latencies.newHistogram()));
    }

    @Test
    void agreesWithTheBootstrapThatResamplesEverySample() {
        int n = 400;
        Histogram h = lognormal(n, 8);
        long[] sorted = new long[n];
        int i = 0;
        for (var v : h.recordedValues()) {
            for (long c = 0; c < v.getCountAtValueIteratedTo(); c++) {
                sorted[i++] = h.highestEquivalentValue(v.getValueIteratedTo());
            }
        }
        int resamples = 4000;
        for (double p : new double[] {50, 99}) {
            long k = PercentileBootstrap.rank(p, n);
            SplittableRandom r = new SplittableRandom(13);
            long[] brute = new long[resamples];
            long[] resample = new long[n];
            for (int b = 0; b < resamples; b++) {
                for (int j = 0; j < n; j++) {
                    resample[j] = sorted[r.nextInt(n)];
                }
                Arrays.sort(resample);
                brute[b] = resample[(int) k - 1];
            }
            long[] fast = new PercentileBootstrap(h).resample(p, resamples, RandomSource.XO_RO_SHI_RO_128_PP.create(3L));
            Arrays.sort(brute);
            Arrays.sort(fast);
            // the same distribution: its quantiles agree to Monte Carlo error (a rank or so of the sample)
            for (double q : new double[] {0.025, 0.25, 0.5, 0.75, 0.975}) {
                int at = (int) (q * (resamples - 1));
                double a = brute[at];
                double f = fast[at];
                assertEquals(a, f, 0.06 * a, "p" + p + " bootstrap quantile " + q);
            }
        }
    }

    @Test
    void isCheapOnLargeHistograms() {
        Histogram h = lognormal(1_000_000, 1);
        long t0 = System.nanoTime();
        PercentileBootstrap.intervalsMs(h);
        double ms = (System.nanoTime() - t0) / 1e6;
        // a per-sample bootstrap would draw 2e9 values; this is a few thousand draws (generous bound for a busy machine)
        assertTrue(ms < 2000, ms + " ms");
    }
}
