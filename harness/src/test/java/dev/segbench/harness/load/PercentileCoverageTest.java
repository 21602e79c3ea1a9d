package dev.segbench.harness.load;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.PercentileIntervals;
import dev.segbench.results.Latencies;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * Do the 95% intervals cover the true percentile? 200 seeded simulated trials of log-normal latencies (median 10 ms)
 * whose log follows a stationary AR(1) process; with {@code phi = 0} the latencies are independent, with
 * {@code phi = 0.9} each is correlated with its neighbours as requests queued behind each other are. The true
 * percentile is known exactly: {@code 10 ms * exp(sigma * z_p)}, the log being N(0, sigma^2) whatever phi is.
 */
class PercentileCoverageTest {

    static final int RUNS = 200;
    static final int SAMPLES = 2000;
    static final double SIGMA = 0.4;

    /** Microsecond latencies in arrival order. */
    static long[] simulate(double phi, UniformRandomProvider rng) {
        ZigguratSampler.NormalizedGaussian z = ZigguratSampler.NormalizedGaussian.of(rng);
        long[] out = new long[SAMPLES];
        double x = z.sample(); // stationary from the start
        double innovation = Math.sqrt(1 - phi * phi);
        for (int i = 0; i < SAMPLES; i++) {
            x = phi * x + innovation * z.sample();
            out[i] = Math.round(10_000 * Math.exp(SIGMA * x));
        }
        return out;
    }

    static double truePercentileMs(double p) {
        return 10 * Math.exp(SIGMA * new NormalDistribution().inverseCumulativeProbability(p / 100));
    }

    /**
     * Fractions of runs whose p50 and p99 intervals cover the truth, by batch means and by the distribution-free
     * order-statistic intervals of independent samples (single-stream's, derived from the histogram).
     */
    static double[] coverage(double phi) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(17L);
        double p50 = truePercentileMs(50);
        double p99 = truePercentileMs(99);
        int[] covered = new int[4];
        for (int r = 0; r < RUNS; r++) {
            long[] series = simulate(phi, rng);
            Histogram h = Latencies.newHistogram();
            for (long v : series) {
                h.recordValue(v);
            }
            PercentileIntervals batch = BatchMeans.intervalsMs(series, h);
            PercentileIntervals iid = Latencies.intervalsMs(h);
            covered[0] += batch.p50().contains(p50) ? 1 : 0;
            covered[1] += batch.p99().contains(p99) ? 1 : 0;
            covered[2] += iid.p50().contains(p50) ? 1 : 0;
            covered[3] += iid.p99().contains(p99) ? 1 : 0;
        }
        double[] out = new double[4];
        for (int i = 0; i < 4; i++) {
            out[i] = covered[i] / (double) RUNS;
        }
        System.out.printf(Locale.ROOT, "phi %.1f: batch means covers p50 %.3f p99 %.3f; order statistics p50 %.3f p99 %.3f%n",
                phi, out[0], out[1], out[2], out[3]);
        return out;
    }

    @Test
    void batchMeansAndOrderStatisticsCoverIndependentLatencies() {
        double[] c = coverage(0);
        assertTrue(c[0] >= 0.90, "p50 coverage " + c[0]);
        assertTrue(c[1] >= 0.90, "p99 coverage " + c[1]);
        assertTrue(c[2] >= 0.90, "order statistics p50 coverage " + c[2]);
        assertTrue(c[3] >= 0.90, "order statistics p99 coverage " + c[3]);
    }

    @Test
    void batchMeansCoverCorrelatedLatenciesWhereIidIntervalsDoNot() {
        double[] c = coverage(0.9);
        assertTrue(c[0] >= 0.90, "p50 coverage " + c[0]);
        assertTrue(c[1] >= 0.90, "p99 coverage " + c[1]);
        // order statistics treat 2000 correlated samples as 2000 independent ones: far too narrow
        assertTrue(c[2] < 0.90 && c[3] < 0.90, "order statistics coverage p50 " + c[2] + " p99 " + c[3]);
    }

    @Test
    void aPercentileNeedsEnoughSamples() {
        assertTrue(PercentileIntervals.minSamples(99) == 368, "p99: 0.99^n <= 2.5% from n = 368");
        assertTrue(PercentileIntervals.minSamples(50) == 6);
        Histogram thirty = Latencies.newHistogram();
        for (int i = 1; i <= 30; i++) {
            thirty.recordValue(1000L * i);
        }
        PercentileIntervals ci = Latencies.intervalsMs(thirty);
        assertTrue(ci.p99() == null, "p99 of 30 samples is their maximum: no interval " + ci);
        assertTrue(ci.p50() != null);
        long[] few = new long[1000];
        java.util.Arrays.fill(few, 1000);
        assertTrue(BatchMeans.intervalsMs(few, thirty).p99() == null, "1000 samples: fewer than 5 batches of 250");
    }
}
