package dev.segbench.results;

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

    /**
     * A trial whose harness wake-up lateness (p99) is at least this share of its latency p99 is flagged
     * ({@link Warning#HARNESS_LATE}): the harness's own scheduling then moves the p99 by more than the max-QPS search's
     * 5% resolution.
     */
    public static final double LATE_SHARE = 0.10;

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
     * @param achievedQps      measured requests / (last completion - start of the measured window): the schedule spreads
     *                         them over a window of {@code requests / targetQps} seconds that starts before its first
     *                         arrival (LoadGen likewise counts from the start of its run, not from the first query)
     * @param requests         measured requests (warm-up excluded)
     * @param latencyMs        latency percentiles, counted from each request's scheduled arrival: derived from
     *                         {@code latencyHistogram} when there is one (values given, or read from a file, are then
     *                         ignored)
     * @param ci95Ms           95% intervals of p50 and p99 (batch means over the latencies in arrival order, since a
     *                         request's latency depends on those queued before it); null when not computed, an
     *                         interval null when the trial has too few requests for it. Stored, not derived: the
     *                         histogram has lost the arrival order that batch means need
     * @param maxQueueDepth    the most requests that had arrived and were waiting for a worker at one time
     * @param valid            achieved QPS at least 95% of the target (the system kept up with the schedule)
     * @param withinBound      valid, enough requests to support the bound's percentile, and that percentile within the
     *                         bound; null without a bound
     * @param latencyHistogram the microsecond HdrHistogram, compressed and base64-encoded: the stored ingredient
     * @param wakeLateMs       how late the harness woke for an arrival a worker was idle waiting for (its own timing
     *                         error, inside those requests' latencies); null in files before it was recorded
     */
    public record Trial(double targetQps, double achievedQps, long requests, Percentiles latencyMs,
                        PercentileIntervals ci95Ms, long maxQueueDepth, boolean valid, Boolean withinBound,
                        String latencyHistogram, Lateness wakeLateMs) {

        public Trial {
            if (latencyHistogram != null) {
                latencyMs = Latencies.serverPercentiles(Latencies.decode(latencyHistogram));
            }
        }

        /** Whether the harness's wake-up lateness is a noticeable share of this trial's p99 (see {@link #LATE_SHARE}). */
        public boolean harnessLate() {
            return wakeLateMs != null && latencyMs != null && latencyMs.p99() != null && latencyMs.p99() > 0
                    && wakeLateMs.p99() >= LATE_SHARE * latencyMs.p99();
        }
    }

    /** The harness's wake-up lateness in milliseconds over {@code requests} requests that found a worker idle. */
    public record Lateness(double p50, double p99, double max, long requests) {
    }

    /**
     * Server latency percentiles in milliseconds ({@code p999} is p99.9). {@code p99} and {@code p999} are null when the
     * trial has too few requests to support them ({@link PercentileIntervals#supports}, as a run's {@code p99}: shown as
     * {@value PercentileIntervals#TOO_FEW}); files before schema 4 always have them.
     */
    public record Percentiles(double p50, double p90, Double p99, Double p999, double max) {
    }
}
