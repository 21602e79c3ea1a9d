package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.models.calibration.CalibrationStatistics;
import dev.segbench.models.calibration.TensorStatistics;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The three calibration methods on distributions whose right answer is known. */
class TensorStatisticsTest {

    private static HostTensor tensor(float... values) {
        return new HostTensor(DType.FLOAT32, new long[] {values.length}, MemorySegment.ofArray(values));
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void minmaxKeepsTheObservedRangeExactly() {
        TensorStatistics s = new TensorStatistics();
        s.add(tensor(0.5f, -1.25f, 3f));
        s.add(tensor(2f, -0.5f));
        assertEquals(new CalibrationTable.Range(-1.25f, 3f), s.range(CalibrationMethod.MINMAX));
        assertEquals(5, s.count());
    }

    @Test
    void percentileClipsARareOutlierButNotTheBulk() {
        TensorStatistics s = new TensorStatistics();
        float[] v = new float[100_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 1000) / 1000f; // uniform on [0, 1)
        }
        v[7] = 50f; // one outlier in 100 000: beyond the 99.99th percentile
        s.add(tensor(v));
        CalibrationTable.Range r = s.range(CalibrationMethod.PERCENTILE);
        assertEquals(0f, r.min());
        assertTrue(r.max() >= 0.99f && r.max() <= 1.1f, "percentile max " + r.max());
        assertEquals(50f, s.range(CalibrationMethod.MINMAX).max());
    }

    @Test
    void entropyClipsALongTailAndKeepsABoundedDistributionWhole() {
        TensorStatistics tail = new TensorStatistics();
        float[] g = gaussian(200_000, 1);
        g[0] = 40f; // a far outlier: KL prefers resolution over it
        tail.add(tensor(g));
        float t = tail.range(CalibrationMethod.ENTROPY).max();
        assertTrue(t > 2.5f && t < 20f, "gaussian with an outlier at 40: threshold " + t);

        TensorStatistics uniform = new TensorStatistics();
        float[] u = new float[200_000];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) r.nextDouble(-1, 1);
        }
        uniform.add(tensor(u));
        CalibrationTable.Range ur = uniform.range(CalibrationMethod.ENTROPY);
        assertTrue(ur.max() > 0.9f && ur.min() < -0.9f, "uniform on [-1, 1] is clipped to " + ur);
    }

    /**
     * A ReLU output is mostly exact zeros; they all land in the first bin, which (merged into a level with its
     * neighbours) would dominate the divergence and pick the smallest candidate, 128 of 2048 bins, whatever the rest
     * of the distribution. The first bin counts as the second, as in NVIDIA's implementation of TensorRT's method.
     */
    @Test
    void entropyIsNotDrivenByTheExactZerosOfAReluOutput() {
        SplittableRandom r = new SplittableRandom(7);
        float[] v = new float[400_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 10 < 7 ? 0f : (float) Math.min(6, Math.abs(r.nextGaussian()) * 1.5); // ReLU6 of a wide input
        }
        TensorStatistics s = new TensorStatistics();
        s.add(tensor(v));
        float amax = s.range(CalibrationMethod.MINMAX).max();
        float t = s.range(CalibrationMethod.ENTROPY).max();
        assertTrue(t > 0.5f * amax, "threshold " + t + " of " + amax + " (128 bins would be " + amax / 16 + ")");
    }

    @Test
    void allZeroTensorsGetARangeOfWidthZeroWithAUsableScale() {
        TensorStatistics s = new TensorStatistics();
        s.add(tensor(new float[64]));
        for (CalibrationMethod m : CalibrationMethod.values()) {
            CalibrationTable.Range r = s.range(m);
            assertEquals(new CalibrationTable.Range(0f, 0f), r);
            assertEquals(1f, r.int8Scale());
            assertEquals(1f, r.uint8Scale());
            assertEquals(0, r.uint8ZeroPoint());
        }
    }

    @Test
    void nonFiniteActivationsAreRefused() {
        TensorStatistics s = new TensorStatistics();
        assertThrows(IllegalArgumentException.class, () -> s.add(tensor(1f, Float.NaN)));
    }

    /**
     * The histogram grows by merging bin pairs when larger values arrive; feeding the same values in growing order
     * (many regrowths) or all at once must give the same minmax and nearly the same percentile.
     */
    @Property(tries = 30)
    void growingTheHistogramKeepsItsAnswers(@ForAll @IntRange(min = 2, max = 40) int chunks,
                                           @ForAll @IntRange(min = 0, max = 10_000) int seed) {
        float[] v = gaussian(20_000, seed);
        java.util.Arrays.sort(v); // ascending |x| on the positive side forces regrowth
        TensorStatistics once = new TensorStatistics();
        once.add(tensor(v));
        TensorStatistics inChunks = new TensorStatistics();
        int per = v.length / chunks;
        for (int c = 0; c < chunks; c++) {
            int to = c == chunks - 1 ? v.length : (c + 1) * per;
            inChunks.add(tensor(java.util.Arrays.copyOfRange(v, c * per, to)));
        }
        assertEquals(once.range(CalibrationMethod.MINMAX), inChunks.range(CalibrationMethod.MINMAX));
        float a = once.range(CalibrationMethod.PERCENTILE).max();
        float b = inChunks.range(CalibrationMethod.PERCENTILE).max();
        float amax = once.range(CalibrationMethod.MINMAX).amax();
        // a regrown bin is at most 2^k times wider, k doublings after the first batch; both stay within 1% of amax
        assertTrue(Math.abs(a - b) <= 0.01f * amax, "percentile " + a + " vs " + b + " (amax " + amax + ")");
    }

    @Test
    void aTableNeedsValuesForEveryTensor() {
        CalibrationStatistics s = new CalibrationStatistics(List.of("a", "b"));
        s.add("a", tensor(1f, 2f));
        CalibrationTable.Key key = new CalibrationTable.Key("m", "w", "d", List.of("i"), CalibrationMethod.MINMAX, "g");
        assertThrows(IllegalStateException.class, () -> s.table(key));
        assertThrows(IllegalArgumentException.class, () -> s.add("c", tensor(1f)));
        s.add("b", tensor(-1f));
        assertEquals(new CalibrationTable.Range(-1f, -1f), s.table(key).range("b"));
    }
}
