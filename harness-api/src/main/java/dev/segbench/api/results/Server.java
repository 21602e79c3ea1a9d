package dev.segbench.api.results;

import java.util.List;

/**
 * The server scenario of one run (MLPerf LoadGen's "Server"): requests arrive on a seeded schedule, queue without
 * bound, and each one's latency counts from its scheduled arrival, so a stall shows in every request queued behind
 * it. Either a search for the highest target rate whose p99 stays within {@code p99BoundMs} ({@code mode} "search")
 * or one trial at a fixed rate ("fixed").
 *
 * @param mode       "search" or "fixed"
 * @param p99BoundMs the latency bound, on the {@code latencyPercentile} percentile (the name is the schema's since
 *                   version 3, when the percentile was always 99); null for a fixed-rate trial without a bound
 * @param maxQps     the highest target rate of a trial that was valid and within the bound; null when none was
 *                   (see {@code note}) or when no search was asked for
 * @param arrivals   "poisson" or "uniform"
 * @param seed       the arrival schedule's seed (every trial scales the same schedule, so trials differ only in rate)
 * @param workers    requests served at once (the backend's in-flight capability, else 1)
 * @param trials     every trial in the order it ran
 * @param note       why {@code maxQps} is null, or why the search stopped early; null when nothing to say
 * @param latencyPercentile the percentile the bound applies to ({@code --server-latency-percentile}); null (in files
 *                   written before it was recorded) means 99
 */
public record Server(String mode, Double p99BoundMs, Double maxQps, String arrivals, long seed, int workers,
                     List<Trial> trials, String note, Double latencyPercentile) {

    public static final double DEFAULT_PERCENTILE = 99;

    public static final String SEARCH = "search";
    public static final String FIXED = "fixed";

    public Server {
        trials = trials == null ? List.of() : List.copyOf(trials);
    }

    /** A server result whose bound is on p99. */
    public Server(String mode, Double p99BoundMs, Double maxQps, String arrivals, long seed, int workers,
                  List<Trial> trials, String note) {
        this(mode, p99BoundMs, maxQps, arrivals, seed, workers, trials, note, null);
    }

    /** The percentile the bound applies to: 99 unless recorded otherwise. */
    public double percentile() {
        return latencyPercentile == null ? DEFAULT_PERCENTILE : latencyPercentile;
    }

    /** The bound as people read it, "p99 <= 120 ms" ("p95 <= 80 ms"); null without a bound. */
    public String boundText() {
        return p99BoundMs == null ? null : percentileLabel(percentile()) + " <= " + shortNumber(p99BoundMs) + " ms";
    }

    /** "p99", "p99.9", "p95". */
    public static String percentileLabel(double percentile) {
        return "p" + shortNumber(percentile);
    }

    private static String shortNumber(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(java.util.Locale.ROOT, "%.6g", v).replaceAll("\\.?0+$", "");
    }

    /**
     * One open-loop trial at a target rate.
     *
     * @param targetQps        requests per second the schedule asked for
     * @param achievedQps      requests completed per second, from the first scheduled arrival to the last completion
     * @param requests         measured requests (warm-up excluded)
     * @param latencyMs        latency percentiles, counted from each request's scheduled arrival
     * @param ci95Ms           bootstrap 95% intervals of p50 and p99; null when not computed
     * @param maxQueueDepth    the most requests that had arrived and were waiting for a worker at one time
     * @param valid            achieved QPS at least 95% of the target (the system kept up with the schedule)
     * @param withinBound      valid and the bound's percentile within the bound; null without a bound
     * @param latencyHistogram the microsecond HdrHistogram, compressed and base64-encoded, so reports can be redrawn
     */
    public record Trial(double targetQps, double achievedQps, long requests, Percentiles latencyMs,
                        PercentileIntervals ci95Ms, long maxQueueDepth, boolean valid, Boolean withinBound,
                        String latencyHistogram) {
    }

    /** Server latency percentiles in milliseconds ({@code p999} is p99.9). */
    public record Percentiles(double p50, double p90, double p99, double p999, double max) {
    }
}
