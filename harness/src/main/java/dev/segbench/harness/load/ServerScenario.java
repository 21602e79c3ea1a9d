package dev.segbench.harness.load;

import dev.segbench.results.settings.Arrivals;

import dev.segbench.api.BackendException;
import dev.segbench.api.Progress;
import dev.segbench.results.PercentileIntervals;
import dev.segbench.results.Server;
import dev.segbench.results.Latencies;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * LoadGen's Server scenario: an open loop. Requests arrive on a seeded {@link ArrivalSchedule} whether or not
 * earlier ones have finished, wait in an unbounded first-come-first-served queue, and are served by
 * {@code workers} threads (the backend's in-flight capability, else one). Each latency counts from the request's
 * scheduled arrival, never from when a worker got to it, so a stall shows in every request that queued behind it
 * (no coordinated omission).
 *
 * <p>The queue is the schedule itself: workers take the next request index in order and wait for its arrival if it
 * lies in the future, which is a FIFO queue with {@code workers} servers and no dispatcher thread whose own delays
 * could shift arrivals. Its depth (arrived and not yet taken by a worker, the one being taken included) is read
 * each time a worker takes a request, the moments it can be largest.
 */
public final class ServerScenario {

    /** A trial whose achieved rate falls more than this far below its target is invalid. */
    public static final double VALID_FRACTION = 0.95;

    /**
     * @param workers            requests served at once
     * @param warmupSeconds      arrivals during this long before the measured window are served but not recorded
     * @param minDurationSeconds the measured window lasts at least this long ...
     * @param minRequests        ... and holds at least this many requests
     */
    public record Settings(Arrivals arrivals, long seed, int workers, double warmupSeconds, double minDurationSeconds,
                           int minRequests) {
        public Settings {
            if (arrivals == null || workers < 1 || warmupSeconds < 0 || minDurationSeconds < 0 || minRequests < 1) {
                throw new IllegalArgumentException("bad server settings: " + arrivals + ", " + workers + ", "
                        + warmupSeconds + ", " + minDurationSeconds + ", " + minRequests);
            }
        }

        /** Measured requests at {@code qps}: enough for both minimums. */
        public int measuredRequests(double qps) {
            return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(minRequests, (long) Math.ceil(qps * minDurationSeconds)));
        }

        public int warmupRequests(double qps) {
            return (int) Math.min(Integer.MAX_VALUE / 2, (long) Math.ceil(qps * warmupSeconds));
        }
    }

    /**
     * One trial.
     *
     * @param latency       microsecond histogram of the measured requests, from scheduled arrival to completion
     * @param achievedQps   measured requests / (last measured completion - start of the measured window): the window
     *                      the schedule spread them over, as LoadGen counts from the start of its run rather than
     *                      from the first query (which a Poisson schedule places one gap into the window)
     * @param maxQueueDepth the most requests waiting (arrived, not taken by a worker) at one time, warm-up included
     * @param wakeLate      microsecond histogram of how late a waiting worker woke after the arrival it waited for,
     *                      per request that found a worker idle: the harness's own timing error, which the OS's
     *                      scheduling adds to those latencies
     * @param ci95Ms        95% intervals of p50 and p99 by batch means over the latencies in arrival order
     */
    public record Trial(double targetQps, double achievedQps, long requests, Histogram latency, long maxQueueDepth,
                        Histogram wakeLate, PercentileIntervals ci95Ms) {

        public boolean valid() {
            return achievedQps >= VALID_FRACTION * targetQps;
        }

        public double p99Ms() {
            return latency.getValueAtPercentile(99) / 1000.0;
        }

        /** The latency at {@code percentile} (0..100), ms. */
        public double latencyMs(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }

        /** Valid and p99 within the bound. */
        public boolean within(double p99BoundMs) {
            return within(p99BoundMs, Server.DEFAULT_PERCENTILE);
        }

        /**
         * Valid, long enough to support {@code percentile} ({@link #supports}) and the latency there within the bound.
         * A shorter trial cannot meet a bound: its histogram's "p99" of 30 requests is their maximum, which says nothing
         * about the p99 of the rate.
         */
        public boolean within(double boundMs, double percentile) {
            return valid() && supports(percentile) && latencyMs(percentile) <= boundMs;
        }

        /** Whether the trial measured enough requests to support {@code percentile} ({@link PercentileIntervals#supports}). */
        public boolean supports(double percentile) {
            return PercentileIntervals.supports(requests, percentile);
        }

        /** As recorded in results.json, with the intervals of p50 and p99 and the harness's wake-up lateness. */
        public Server.Trial toResult(Double p99BoundMs) {
            return toResult(p99BoundMs, Server.DEFAULT_PERCENTILE);
        }

        /** As recorded in results.json; {@code withinBound} judged at {@code percentile}. */
        public Server.Trial toResult(Double boundMs, double percentile) {
            Histogram h = latency;
            Server.Lateness late = wakeLate == null || wakeLate.getTotalCount() == 0 ? null
                    : new Server.Lateness(ms(wakeLate.getValueAtPercentile(50)), ms(wakeLate.getValueAtPercentile(99)),
                            ms(wakeLate.getMaxValue()), wakeLate.getTotalCount());
            return new Server.Trial(targetQps, achievedQps, requests, null, // percentiles: derived from the histogram
                    ci95Ms, maxQueueDepth, valid(), boundMs == null ? null : within(boundMs, percentile),
                    Latencies.encode(h), late);
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    private ServerScenario() {
    }

    /**
     * Measured requests per trial, at least: {@code --min-iterations} (it holds in every scenario that counts requests),
     * {@code --server-min-requests}, and, when a bound is judged ({@code boundMs} not null), the requests its
     * {@code percentile} needs ({@link PercentileIntervals#minSamples}: 368 for p99, 3688 for p99.9), so that no trial is
     * judged on a percentile its sample cannot support. The one rule for the trials and the run's fingerprint.
     */
    public static int minRequests(int minIterations, int serverMinRequests, Double boundMs, double percentile) {
        long needed = boundMs == null ? 1 : PercentileIntervals.minSamples(percentile);
        return (int) Math.min(Integer.MAX_VALUE / 2, Math.max(Math.max(minIterations, serverMinRequests), needed));
    }

    /** The {@code server} entry of results.json for one trial at a fixed rate ({@code --server-qps}). */
    public static Server fixedResult(Trial trial, Double p99BoundMs, Settings settings) {
        return fixedResult(trial, p99BoundMs, Server.DEFAULT_PERCENTILE, settings);
    }

    /** As {@link #fixedResult(Trial, Double, Settings)}, the bound on the latency at {@code percentile}. */
    public static Server fixedResult(Trial trial, Double boundMs, double percentile, Settings settings) {
        return new Server(Server.FIXED, boundMs, null, settings.arrivals().id(), settings.seed(), settings.workers(),
                java.util.List.of(trial.toResult(boundMs, percentile)), null, percentile);
    }

    /** Runs one trial at {@code qps} target requests per second, batch 1. */
    public static Trial trial(SystemUnderTest sut, Settings settings, double qps, Progress progress, String label)
            throws BackendException, InterruptedException {
        ArrivalSchedule schedule = ArrivalSchedule.of(settings.arrivals(), settings.seed(), qps,
                settings.measuredRequests(qps), settings.warmupRequests(qps));
        return trial(sut, settings.workers(), schedule, progress, label);
    }

    static Trial trial(SystemUnderTest sut, int workers, ArrivalSchedule schedule, Progress progress, String label)
            throws BackendException, InterruptedException {
        long[] arrivals = schedule.fromStart();
        int warmup = schedule.warmup();
        Histogram[] histograms = new Histogram[workers];
        Histogram[] lateness = new Histogram[workers];
        long[] inArrivalOrder = new long[schedule.measured()]; // microseconds, for intervals that respect the order
        long[] lastCompletion = new long[workers];
        long[] maxDepth = new long[workers];
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong base = new AtomicLong();
        try (SystemUnderTest.PreparedInputs inputs = sut.prepare(1, workers)) {
            progress.start(String.format(java.util.Locale.ROOT, "server %.4g qps %s", schedule.qps(), label),
                    arrivals.length, "req");
            try {
                // the schedule starts a moment after every worker is ready, so no arrival is late from the start
                java.util.concurrent.CyclicBarrier go = new java.util.concurrent.CyclicBarrier(workers,
                        () -> base.set(System.nanoTime() + 1_000_000));
                Workers.runAll(workers, "segbench-server", stop, w -> {
                    Histogram h = Latencies.newHistogram();
                    Histogram late = Latencies.newHistogram();
                    histograms[w] = h;
                    lateness[w] = late;
                    go.await();
                    long origin = base.get();
                    int j;
                    while (!stop.get()) {
                        // the queue as this worker takes its next request: arrived and not yet taken, that one included
                        long taken = System.nanoTime();
                        if ((j = next.getAndIncrement()) >= arrivals.length) {
                            break;
                        }
                        maxDepth[w] = Math.max(maxDepth[w], Math.max(0, arrivedBy(arrivals, taken - origin) - j));
                        long due = origin + arrivals[j];
                        long now = System.nanoTime();
                        if (now < due) {
                            // idle: wait for the arrival; it starts at once, so it never waits in the queue
                            while ((now = System.nanoTime()) < due) {
                                if (stop.get() || Thread.currentThread().isInterrupted()) {
                                    return; // another worker failed, or the trial was interrupted: parkNanos would spin
                                }
                                LockSupport.parkNanos(due - now);
                            }
                            if (j >= warmup) {
                                Latencies.recordNanos(late, now - due);
                            }
                        }
                        inputs.run(w);
                        long end = System.nanoTime();
                        if (j >= warmup) {
                            Latencies.recordNanos(h, end - due);
                            inArrivalOrder[j - warmup] = Math.max(1, Math.round((end - due) / 1000.0));
                            lastCompletion[w] = Math.max(lastCompletion[w], end);
                        }
                        progress.advance(1);
                    }
                });
            } finally {
                progress.done();
            }
        }
        Histogram latency = Latencies.newHistogram();
        for (Histogram h : histograms) {
            latency.add(h);
        }
        Histogram wakeLate = Latencies.newHistogram();
        for (Histogram h : lateness) {
            wakeLate.add(h);
        }
        long measuredStart = base.get() + schedule.warmupWindowNanos();
        long last = Arrays.stream(lastCompletion).max().orElse(measuredStart);
        double seconds = Math.max(last - measuredStart, 1) / 1e9;
        return new Trial(schedule.qps(), schedule.measured() / seconds, latency.getTotalCount(), latency,
                Arrays.stream(maxDepth).max().orElse(0), wakeLate, BatchMeans.intervalsMs(inArrivalOrder, latency));
    }

    /** How many scheduled arrivals are at or before {@code offset} (from the start). */
    private static int arrivedBy(long[] arrivals, long offset) {
        int i = Arrays.binarySearch(arrivals, offset);
        if (i < 0) {
            return -i - 1;
        }
        while (i + 1 < arrivals.length && arrivals[i + 1] == offset) {
            i++;
        }
        return i + 1;
    }
}
