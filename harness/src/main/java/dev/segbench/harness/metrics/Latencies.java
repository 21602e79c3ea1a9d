package dev.segbench.harness.metrics;

import dev.segbench.results.PercentileIntervals;
import dev.segbench.results.Run;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Latency recording in microseconds with HdrHistogram (3 significant digits), and the statistics
 * derived from a histogram. Results keep the compressed histogram so shards merge by adding
 * histograms, never by averaging percentiles.
 */
public final class Latencies {

    public static final int SIGNIFICANT_DIGITS = 3;
    private static final double[] CDF_PERCENTILES = {0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100};

    private Latencies() {
    }

    /** An auto-resizing microsecond histogram. */
    public static Histogram newHistogram() {
        Histogram h = new Histogram(SIGNIFICANT_DIGITS);
        h.setAutoResize(true);
        return h;
    }

    /** Records one duration given in nanoseconds (at least 1 µs so sub-microsecond runs still count). */
    public static void recordNanos(Histogram h, long nanos) {
        h.recordValue(Math.max(1, Math.round(nanos / 1000.0)));
    }

    /**
     * Statistics in milliseconds, or null for an empty histogram. Percentiles are HdrHistogram's nearest rank (the
     * smallest recorded value with at least p% of the samples at or below it) at its resolution of
     * {@value #SIGNIFICANT_DIGITS} significant digits; p99 is left out (null) below the samples that support it.
     */
    public static Run.Latency stats(Histogram h) {
        long n = h.getTotalCount();
        if (n == 0) {
            return null;
        }
        double mean = h.getMean() / 1000.0;
        double std = h.getStdDeviation() / 1000.0;
        List<double[]> cdf = new ArrayList<>();
        for (double p : CDF_PERCENTILES) {
            if (p > 0 && p < 100 && !PercentileIntervals.supports(n, p)) {
                continue; // a tail point too few samples support
            }
            cdf.add(new double[] {p, ms(h.getValueAtPercentile(p))});
        }
        return new Run.Latency(ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(95)),
                percentileMs(h, 99), ms(h.getMaxValue()), mean, std, n,
                ms(h.getMinValue()), mean > 0 ? std / mean : 0.0, cdf);
    }

    /**
     * The {@code percentile} of {@code h} in milliseconds (nearest rank), or null when its samples are too few to support
     * it ({@link PercentileIntervals#supports}): the one rule for every reported tail percentile (a run's p99, a server
     * trial's p99 and p99.9).
     */
    public static Double percentileMs(Histogram h, double percentile) {
        return PercentileIntervals.supports(h.getTotalCount(), percentile) ? ms(h.getValueAtPercentile(percentile)) : null;
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** The histogram compressed (HdrHistogram's own format) and base64-encoded. */
    public static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[length];
        buf.flip();
        buf.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public static Histogram decode(String base64) {
        try {
            Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
            h.setAutoResize(true);
            return h;
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IllegalArgumentException("latency histogram is not a compressed HdrHistogram: " + e.getMessage(), e);
        }
    }
}
