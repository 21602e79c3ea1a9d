package dev.segbench.harness.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.segbench.api.results.Run;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesMeanAndCvOfKnownValues() {
        Histogram h = Latencies.newHistogram();
        double sum = 0;
        double sumSq = 0;
        for (int ms = 1; ms <= 100; ms++) {
            Latencies.recordNanos(h, ms * 1_000_000L);
            sum += ms;
            sumSq += (double) ms * ms;
        }
        Run.Latency s = Latencies.stats(h);
        double mean = sum / 100;
        double std = Math.sqrt(sumSq / 100 - mean * mean);
        assertEquals(100, s.count());
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
}
