package dev.segbench.harness.load;

import dev.segbench.results.settings.Arrivals;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The scheduled arrival times of one server trial, in nanoseconds from the start of the measured window: warm-up
 * arrivals fall in {@code [-warmupWindow, 0)}, measured ones in {@code [0, window)}.
 *
 * <p>Poisson schedules place exactly {@code n} arrivals in a window of {@code n / qps} seconds: they are a Poisson
 * process conditioned on its count (normalised partial sums of exponentials are distributed as sorted uniforms), so
 * the schedule's own rate is exactly the target and a trial is never judged against a rate it was not offered.
 * The pattern depends only on the seed and is scaled by {@code 1 / qps}, so the trials of a search differ only in
 * rate (common random numbers), as LoadGen keeps one schedule seed for all runs.
 */
public record ArrivalSchedule(long[] warmupNanos, long[] measuredNanos, double qps, long windowNanos,
                              long warmupWindowNanos) {

    public ArrivalSchedule {
        warmupNanos = warmupNanos.clone();
        measuredNanos = measuredNanos.clone();
    }

    /**
     * @param measured requests in the measured window (at least 1)
     * @param warmup   requests before it (0 = no warm-up)
     */
    public static ArrivalSchedule of(Arrivals arrivals, long seed, double qps, int measured, int warmup) {
        if (!(qps > 0) || measured < 1 || warmup < 0) {
            throw new IllegalArgumentException("need qps > 0, measured >= 1, warmup >= 0: " + qps + ", " + measured + ", " + warmup);
        }
        double window = measured / qps * 1e9;
        double warmupWindow = warmup / qps * 1e9;
        // separate streams, so the measured pattern does not change with the warm-up length
        long[] measuredTimes = place(arrivals, seed, measured, window, 0);
        long[] warmupTimes = place(arrivals, seed ^ 0x5DEECE66DL, warmup, warmupWindow, -warmupWindow);
        return new ArrivalSchedule(warmupTimes, measuredTimes, qps, Math.round(window), Math.round(warmupWindow));
    }

    private static long[] place(Arrivals arrivals, long seed, int count, double window, double origin) {
        long[] out = new long[count];
        if (count == 0) {
            return out;
        }
        if (arrivals == Arrivals.UNIFORM) {
            for (int i = 0; i < count; i++) {
                out[i] = Math.round(origin + i * window / count);
            }
            return out;
        }
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ZigguratSampler.Exponential exponential = ZigguratSampler.Exponential.of(rng);
        double[] sums = new double[count + 1];
        double sum = 0;
        for (int i = 0; i <= count; i++) {
            sum += exponential.sample();
            sums[i] = sum;
        }
        for (int i = 0; i < count; i++) {
            out[i] = Math.round(origin + window * sums[i] / sum);
        }
        return out;
    }

    public int measured() {
        return measuredNanos.length;
    }

    public int warmup() {
        return warmupNanos.length;
    }

    /** Every arrival, warm-up first, as offsets from the start of the warm-up (all >= 0, ascending). */
    public long[] fromStart() {
        long[] out = new long[warmupNanos.length + measuredNanos.length];
        for (int i = 0; i < warmupNanos.length; i++) {
            out[i] = warmupNanos[i] + warmupWindowNanos;
        }
        for (int i = 0; i < measuredNanos.length; i++) {
            out[warmupNanos.length + i] = measuredNanos[i] + warmupWindowNanos;
        }
        return out;
    }
}
