package dev.segbench.harness.load;

import dev.segbench.results.settings.LoadSettings;

import dev.segbench.api.BackendException;
import dev.segbench.api.Progress;
import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * LoadGen's Offline scenario as a closed loop with K requests in flight: K threads, each with its own input, issue
 * back-to-back requests, so exactly K are in flight until the minimum duration and the minimum count are both met.
 * Then each worker finishes the request it has in flight and stops; every request counted started after the start
 * signal and finished before the window's end (the last completion), so the count and the window match exactly.
 * K above 1 needs a backend that declares {@link dev.segbench.api.Capability#CONCURRENT_RUNS}
 * (see {@link LoadSettings#inFlightFor}).
 * <p>
 * One rule for every cell (batch x in flight), the single-stream rule: a timed warm-up ({@code --warmup}), then at
 * least {@code --min-duration} and at least {@code --min-iterations} images (LoadGen's Offline counts samples, so
 * a batch of 8 counts 8); a verdict per cell, invalid with its reasons when warm-up was skipped or a minimum was not
 * met (a cell stops at {@link Settings#maxSeconds} even then, so a slow batch cannot outlast the run); and one
 * throughput definition, {@link #cell}: images of the measured requests / their wall window.
 */
public final class OfflineScenario {

    /**
     * @param warmupSeconds      untimed back-to-back requests on every worker first (at least one each, so every
     *                           execution context has sized its buffers); 0 makes the cell invalid
     * @param minDurationSeconds the timed window lasts at least this long ...
     * @param minImages          ... and counts at least this many images (over all workers)
     * @param maxSeconds         ... unless it has lasted this long: the cell then stops, invalid, with what it measured
     */
    public record Settings(double warmupSeconds, double minDurationSeconds, long minImages, double maxSeconds) {
        public Settings {
            if (warmupSeconds < 0 || minDurationSeconds < 0 || minImages < 1 || !(maxSeconds >= minDurationSeconds)) {
                throw new IllegalArgumentException("bad offline settings: " + warmupSeconds + ", " + minDurationSeconds
                        + ", " + minImages + ", " + maxSeconds);
            }
        }

        /** The cap for these minimums: ten times the minimum duration, at least a minute. */
        public Settings(double warmupSeconds, double minDurationSeconds, long minImages) {
            this(warmupSeconds, minDurationSeconds, minImages, defaultCap(minDurationSeconds));
        }

        public static double defaultCap(double minDurationSeconds) {
            return Math.max(60, 10 * minDurationSeconds);
        }
    }

    /**
     * @param throughput        the result as recorded
     * @param windowStartNanos  {@link System#nanoTime()} when the workers were released
     * @param windowEndNanos    {@link System#nanoTime()} of the last completion
     */
    public record Outcome(InFlightThroughput throughput, long windowStartNanos, long windowEndNanos) {
    }

    private OfflineScenario() {
    }

    /**
     * The one throughput definition and verdict of an offline cell: {@code requests} of {@code batch} images over the
     * wall window from {@code startNanos} to {@code endNanos}; invalid for each rule of {@code settings} it broke
     * (warm-up skipped, duration or count below the minimum), plus {@code otherReasons}.
     */
    public static InFlightThroughput cell(int batch, int inFlight, long requests, long startNanos, long endNanos,
                                          double warmedSeconds, Settings settings, List<String> otherReasons) {
        double seconds = (endNanos - startNanos) / 1e9;
        long images = requests * batch;
        List<String> reasons = new ArrayList<>();
        if (settings.warmupSeconds() <= 0) {
            reasons.add("warm-up skipped (--warmup 0)");
        }
        if (seconds < settings.minDurationSeconds()) {
            reasons.add(String.format(Locale.ROOT, "timed for %.3f s, less than the minimum %.3f s", seconds,
                    settings.minDurationSeconds()));
        }
        if (images < settings.minImages()) {
            reasons.add(images + " images timed, fewer than the minimum " + settings.minImages()
                    + (seconds >= settings.maxSeconds() ? String.format(Locale.ROOT,
                    " (stopped at the %.1f s cap of a cell)", settings.maxSeconds()) : ""));
        }
        for (String r : otherReasons) {
            if (!reasons.contains(r)) {
                reasons.add(r);
            }
        }
        Run.Measurement verdict = new Run.Measurement(reasons.isEmpty(), reasons, warmedSeconds, seconds, requests);
        return new InFlightThroughput(batch, inFlight, seconds > 0 ? images / seconds : Double.NaN, requests, seconds,
                null, verdict);
    }

    /** Throughput at every (batch, in flight), batches outermost. */
    public static List<InFlightThroughput> sweep(SystemUnderTest sut, List<Integer> batches, List<Integer> inFlight,
                                                 Settings settings, Progress progress, String label)
            throws BackendException, InterruptedException {
        List<InFlightThroughput> out = new ArrayList<>();
        for (int batch : batches) {
            for (int k : inFlight) {
                out.add(measure(sut, batch, k, settings, progress, label).throughput());
            }
        }
        return out;
    }

    public static Outcome measure(SystemUnderTest sut, int batch, int inFlight, Settings settings, Progress progress,
                                  String label) throws BackendException, InterruptedException {
        if (batch < 1 || inFlight < 1) {
            throw new IllegalArgumentException("batch and in-flight must be >= 1: " + batch + ", " + inFlight);
        }
        long warmupNanos = (long) (settings.warmupSeconds() * 1e9);
        long minNanos = (long) (settings.minDurationSeconds() * 1e9);
        long maxNanos = (long) (settings.maxSeconds() * 1e9);
        try (SystemUnderTest.PreparedInputs inputs = sut.prepare(batch, inFlight)) {
            progress.start("offline b" + batch + " x" + inFlight + " " + label, -1, "batch");
            try {
                long warmStart = System.nanoTime();
                Workers.runAll(inFlight, "segbench-warmup", new AtomicBoolean(), w -> {
                    do {
                        inputs.run(w);
                    } while (System.nanoTime() - warmStart < warmupNanos);
                });
                double warmedSeconds = (System.nanoTime() - warmStart) / 1e9;
                AtomicLong start = new AtomicLong();
                CyclicBarrier go = new CyclicBarrier(inFlight, () -> start.set(System.nanoTime()));
                AtomicLong completed = new AtomicLong();
                AtomicBoolean stop = new AtomicBoolean();
                long[] lastEnd = new long[inFlight];
                Workers.runAll(inFlight, "segbench-offline", stop, w -> {
                    go.await();
                    long t0 = start.get();
                    lastEnd[w] = t0;
                    while (!stop.get()) {
                        inputs.run(w);
                        long end = System.nanoTime();
                        lastEnd[w] = end;
                        long done = completed.incrementAndGet();
                        progress.advance(1);
                        if ((end - t0 >= minNanos && done * batch >= settings.minImages()) || end - t0 >= maxNanos) {
                            stop.set(true);
                        }
                    }
                });
                long end = start.get();
                for (long e : lastEnd) {
                    end = Math.max(end, e);
                }
                return new Outcome(cell(batch, inFlight, completed.get(), start.get(), end, warmedSeconds, settings,
                        List.of()), start.get(), end);
            } finally {
                progress.done();
            }
        }
    }
}
