package dev.segbench.harness.load;

import dev.segbench.api.BackendException;
import dev.segbench.api.Progress;
import dev.segbench.api.results.InFlightThroughput;
import java.util.ArrayList;
import java.util.List;
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
 */
public final class OfflineScenario {

    /**
     * @param warmupSeconds      untimed back-to-back requests on every worker first (at least one each, so every
     *                           execution context has sized its buffers)
     * @param minDurationSeconds the timed window lasts at least this long ...
     * @param minRequests        ... and counts at least this many requests (over all workers)
     */
    public record Settings(double warmupSeconds, double minDurationSeconds, long minRequests) {
        public Settings {
            if (warmupSeconds < 0 || minDurationSeconds < 0 || minRequests < 1) {
                throw new IllegalArgumentException("bad offline settings: " + warmupSeconds + ", " + minDurationSeconds
                        + ", " + minRequests);
            }
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
        try (SystemUnderTest.PreparedInputs inputs = sut.prepare(batch, inFlight)) {
            progress.start("offline b" + batch + " x" + inFlight + " " + label, -1, "batch");
            try {
                long warmStart = System.nanoTime();
                Workers.runAll(inFlight, "segbench-warmup", new AtomicBoolean(), w -> {
                    do {
                        inputs.run(w);
                    } while (System.nanoTime() - warmStart < warmupNanos);
                });
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
                        if (end - t0 >= minNanos && done >= settings.minRequests()) {
                            stop.set(true);
                        }
                    }
                });
                long end = start.get();
                for (long e : lastEnd) {
                    end = Math.max(end, e);
                }
                double seconds = (end - start.get()) / 1e9;
                long requests = completed.get();
                return new Outcome(new InFlightThroughput(batch, inFlight, requests * batch / seconds, requests, seconds),
                        start.get(), end);
            } finally {
                progress.done();
            }
        }
    }
}
