package dev.segbench.harness.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.segbench.results.Run;
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
}
