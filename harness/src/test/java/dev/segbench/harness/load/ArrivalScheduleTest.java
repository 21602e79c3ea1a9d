package dev.segbench.harness.load;

import dev.segbench.results.settings.Arrivals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {

    @Test
    void poissonHasExactlyTheTargetRateAndExponentialGaps() {
        int n = 20_000;
        ArrivalSchedule s = ArrivalSchedule.of(Arrivals.POISSON, 3, 50, n, 0);
        long[] t = s.measuredNanos();
        assertEquals(n, t.length);
        assertEquals(400e9, s.windowNanos(), 1); // 20000 arrivals at 50/s
        assertTrue(t[0] >= 0 && t[n - 1] < s.windowNanos());
        double[] gaps = new double[n - 1];
        for (int i = 1; i < n; i++) {
            assertTrue(t[i] >= t[i - 1], "ascending");
            gaps[i - 1] = (t[i] - t[i - 1]) / 1e9;
        }
        double mean = Arrays.stream(gaps).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / (gaps.length - 1));
        assertEquals(0.02, mean, 0.02 * 0.03);
        assertEquals(1.0, sd / mean, 0.05, "exponential gaps have CV 1");
        // memorylessness: P(gap > mean) = 1/e
        double over = Arrays.stream(gaps).filter(g -> g > 0.02).count() / (double) gaps.length;
        assertEquals(Math.exp(-1), over, 0.02);
    }

    @Test
    void theSeedFixesThePatternAndTheRateOnlyScalesIt() {
        ArrivalSchedule a = ArrivalSchedule.of(Arrivals.POISSON, 11, 10, 500, 20);
        ArrivalSchedule b = ArrivalSchedule.of(Arrivals.POISSON, 11, 10, 500, 20);
        ArrivalSchedule twice = ArrivalSchedule.of(Arrivals.POISSON, 11, 20, 500, 20);
        ArrivalSchedule other = ArrivalSchedule.of(Arrivals.POISSON, 12, 10, 500, 20);
        assertArrayEquals(a.measuredNanos(), b.measuredNanos());
        assertArrayEquals(a.warmupNanos(), b.warmupNanos());
        for (int i = 0; i < 500; i++) {
            assertEquals(a.measuredNanos()[i] / 2.0, twice.measuredNanos()[i], 1.0);
        }
        assertFalse(Arrays.equals(a.measuredNanos(), other.measuredNanos()));
    }

    @Test
    void warmupComesFirstAndUniformIsEvenlySpaced() {
        ArrivalSchedule s = ArrivalSchedule.of(Arrivals.UNIFORM, 1, 4, 8, 4);
        assertArrayEquals(new long[] {-1_000_000_000L, -750_000_000L, -500_000_000L, -250_000_000L}, s.warmupNanos());
        assertEquals(0, s.measuredNanos()[0]);
        assertEquals(1_750_000_000L, s.measuredNanos()[7]);
        long[] all = s.fromStart();
        assertEquals(12, all.length);
        assertEquals(0, all[0]);
        assertEquals(1_000_000_000L, all[4]);
        for (int i = 1; i < all.length; i++) {
            assertEquals(250_000_000L, all[i] - all[i - 1]);
        }
        ArrivalSchedule p = ArrivalSchedule.of(Arrivals.POISSON, 1, 4, 8, 4);
        assertTrue(Arrays.stream(p.warmupNanos()).allMatch(t -> t < 0 && t >= -1_000_000_000L));
    }
}
