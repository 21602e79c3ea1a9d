package dev.segbench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesMeanAndCvOfKnownValues() {
        Histogram h = Latencies.newHistogram();
        double sum = 0;
        double sumSq = 0;
        for (int ms = 1; ms <= 100; ms++) {
            for (int k = 0; k < 4; k++) { // 400 samples: enough to support a p99
                Latencies.recordNanos(h, ms * 1_000_000L);
            }
            sum += ms;
            sumSq += (double) ms * ms;
        }
        Run.Latency s = Latencies.stats(h);
        double mean = sum / 100;
        double std = Math.sqrt(sumSq / 100 - mean * mean);
        assertEquals(400, s.count());
        assertEquals(50.0, s.p50(), 50 * 1e-3);
        assertEquals(90.0, s.p90(), 90 * 1e-3);
        assertEquals(99.0, s.p99(), 99 * 1e-3);
        assertEquals(100.0, s.max(), 100 * 1e-3);
        assertEquals(1.0, s.min(), 1e-3);
        assertEquals(mean, s.mean(), mean * 1e-3);
        assertEquals(std, s.stddev(), std * 1e-2);
        assertEquals(std / mean, s.cv(), 1e-2 * std / mean);
        assertEquals(100.0, s.cdf().getLast()[0]);
        assertEquals(s.max(), s.cdf().getLast()[1]);
    }

    @Test
    void histogramSurvivesEncoding() {
        Histogram h = Latencies.newHistogram();
        for (int i = 0; i < 1000; i++) {
            Latencies.recordNanos(h, 1_000_000L + i * 7919L);
        }
        Histogram back = Latencies.decode(Latencies.encode(h));
        assertEquals(h, back);
        assertEquals(Latencies.stats(h).p99(), Latencies.stats(back).p99());
        assertEquals(Latencies.stats(h).mean(), Latencies.stats(back).mean());
    }

    @Test
    void emptyHistogramHasNoStatistics() {
        assertNull(Latencies.stats(Latencies.newHistogram()));
    }
    @Test
    void noP99FromTooFewSamples() {
        Histogram h = Latencies.newHistogram();
        for (int i = 1; i <= 367; i++) {
            Latencies.recordNanos(h, i * 1_000_000L);
        }
        Run.Latency few = Latencies.stats(h);
        assertNull(few.p99(), "367 samples: the largest is below the true p99 more than 2.5% of the time");
        assertEquals(0, few.cdf().stream().filter(p -> p[0] == 99 || p[0] == 99.9).count(), "no unsupported tail points");
        Latencies.recordNanos(h, 368_000_000L);
        assertEquals(365.0, Latencies.stats(h).p99(), 365 * 1e-3, "368 samples: p99 is the 365th smallest");
    }

    static Histogram lognormal(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        Histogram h = Latencies.newHistogram();
        for (int i = 0; i < n; i++) {
            double z = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
            h.recordValue(Math.round(10_000 * Math.exp(0.4 * z))); // ~10 ms median, in microseconds
        }
        return h;
    }

    @Test
    void readsRanksExactlyAsHdrHistogramReadsPercentiles() {
        for (int n : new int[] {1, 2, 7, 100, 1001, 50_000}) {
            Histogram h = lognormal(n, n);
            for (double p : new double[] {0.1, 1, 25, 50, 90, 99, 99.9, 100}) {
                assertEquals(h.getValueAtPercentile(p), Latencies.valueAtRank(h, Latencies.rank(p, n)), "n=" + n + " p=" + p);
            }
        }
    }

    /** The textbook interval of the median of 100: ranks 40 to 61 (P(B <= 39) = 1.8%, P(B <= 60) = 98.2%). */
    @Test
    void orderStatisticRanksOfTheMedianOfOneHundred() {
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {40, 61}, Latencies.orderStatisticRanks(100, 0.5, 0.95));
        // p99 of 368: the largest sample is the upper end (0.99^368 = 2.48% <= 2.5%)
        assertEquals(368, Latencies.orderStatisticRanks(368, 0.99, 0.95)[1]);
        // a million samples: the median's interval is about +-1.96 sqrt(n) / 2 = +-980 ranks around n / 2
        long[] big = Latencies.orderStatisticRanks(1_000_000, 0.5, 0.95);
        assertEquals(500_000 - 980, big[0], 2);
        assertEquals(500_000 + 980, big[1], 2);
    }

    @Test
    void intervalsContainTheEstimateAndNeedEnoughSamples() {
        Histogram h = lognormal(2000, 5);
        PercentileIntervals ci = Latencies.intervalsMs(h);
        assertEquals(PercentileIntervals.ORDER_STATISTICS, ci.method());
        assertEquals(0.95, ci.level());
        org.junit.jupiter.api.Assertions.assertTrue(ci.p50().contains(h.getValueAtPercentile(50) / 1000.0), ci.toString());
        org.junit.jupiter.api.Assertions.assertTrue(ci.p99().contains(h.getValueAtPercentile(99) / 1000.0), ci.toString());
        org.junit.jupiter.api.Assertions.assertTrue(ci.p99().hi() - ci.p99().lo() > ci.p50().hi() - ci.p50().lo(),
                "the tail is less certain: " + ci);
        Histogram thirty = Latencies.newHistogram();
        for (int i = 1; i <= 30; i++) {
            thirty.recordValue(1000L * i);
        }
        assertNull(Latencies.intervalsMs(thirty).p99(), "p99 of 30 samples is their maximum: no interval");
        assertNull(Latencies.intervalsMs(Latencies.newHistogram()));
    }

    @Test
    void isCheapOnLargeHistograms() {
        Histogram h = lognormal(1_000_000, 1);
        long t0 = System.nanoTime();
        Latencies.intervalsMs(h);
        double ms = (System.nanoTime() - t0) / 1e6;
        org.junit.jupiter.api.Assertions.assertTrue(ms < 2000, ms + " ms (generous for a busy machine)");
    }
}
