package dev.segbench.harness.load;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded discrete-event simulation of the server scenario's queue, to check the harness's answers against: the
 * same seeded arrival schedules as a trial (same seed and counts), one FIFO server, and service times resampled
 * (seeded) from what the backend really took on this machine. Used by the driver-level acceptance test and by the
 * CLI-level one.
 */
public final class QueueSimulation {

    private QueueSimulation() {
    }

    /** The highest rate in {@code [from, to)} (scanned by {@code step}) whose median simulated trial passes; 0 if none. */
    public static double highestPassingQps(ServerScenario.Settings settings, double from, double to, double step,
                                           double[] serviceMs, double boundMs) {
        double simulated = 0;
        for (double qps = from; qps < to; qps += step) {
            if (medianTrialPasses(settings, qps, serviceMs, boundMs)) {
                simulated = qps;
            }
        }
        return simulated;
    }

    public static ArrivalSchedule schedule(ServerScenario.Settings settings, double qps) {
        return ArrivalSchedule.of(settings.arrivals(), settings.seed(), qps, settings.measuredRequests(qps),
                settings.warmupRequests(qps));
    }

    /** Whether the median of 21 seeded simulated trials at {@code qps} passes as the harness judges a trial. */
    public static boolean medianTrialPasses(ServerScenario.Settings settings, double qps, double[] serviceMs,
                                                      double boundMs) {
        ArrivalSchedule schedule = schedule(settings, qps);
        SplittableRandom random = new SplittableRandom(42);
        int n = schedule.warmup() + schedule.measured();
        double[] p99 = new double[21];
        double[] achieved = new double[21];
        for (int r = 0; r < p99.length; r++) {
            double[] drawn = new double[n];
            for (int i = 0; i < n; i++) {
                drawn[i] = serviceMs[random.nextInt(serviceMs.length)];
            }
            Simulated s = simulate(schedule, drawn);
            p99[r] = s.p99();
            achieved[r] = s.achievedQps();
        }
        Arrays.sort(p99);
        Arrays.sort(achieved);
        return achieved[10] >= 0.95 * qps && p99[10] <= boundMs;
    }

    public record Simulated(double p99, double achievedQps) {
    }

    /**
     * A FIFO single-server queue (Lindley's recursion: a request starts when it has arrived and the one before it has
     * left), with the trial's rules: p99 is the ceil(0.99 n)-th smallest measured latency; achieved is measured
     * requests over the time from the measured window's start to the last measured completion.
     */
    public static Simulated simulate(ArrivalSchedule schedule, double[] serviceMs) {
        long[] arrivals = schedule.fromStart();
        double free = Double.NEGATIVE_INFINITY;
        double[] latency = new double[schedule.measured()];
        double lastDone = 0;
        for (int i = 0; i < arrivals.length; i++) {
            double arrive = arrivals[i] / 1e6;
            double done = Math.max(arrive, free) + serviceMs[i];
            free = done;
            if (i >= schedule.warmup()) {
                latency[i - schedule.warmup()] = done - arrive;
                lastDone = done;
            }
        }
        Arrays.sort(latency);
        double achieved = schedule.measured() / ((lastDone - schedule.warmupWindowNanos() / 1e6) / 1000);
        return new Simulated(latency[(int) Math.ceil(0.99 * latency.length) - 1], achieved);
    }

    /** A simulated trial as the harness records it (a microsecond histogram of the measured latencies). */
    public static ServerScenario.Trial trial(ArrivalSchedule schedule, double[] serviceMs) {
        long[] arrivals = schedule.fromStart();
        org.HdrHistogram.Histogram h = dev.segbench.results.Latencies.newHistogram();
        double free = Double.NEGATIVE_INFINITY;
        double lastDone = 0;
        double[] starts = new double[arrivals.length];
        int firstWaiting = 0; // starts are in order, so the requests still waiting at an arrival are a suffix
        long maxQueueDepth = 0;
        for (int i = 0; i < arrivals.length; i++) {
            double arrive = arrivals[i] / 1e6;
            starts[i] = Math.max(arrive, free);
            double done = starts[i] + serviceMs[i];
            free = done;
            while (firstWaiting < i && starts[firstWaiting] <= arrive) {
                firstWaiting++;
            }
            if (i >= schedule.warmup()) {
                dev.segbench.results.Latencies.recordNanos(h, Math.round((done - arrive) * 1e6));
                lastDone = done;
                maxQueueDepth = Math.max(maxQueueDepth, i - firstWaiting);
            }
        }
        double achieved = schedule.measured() / ((lastDone - schedule.warmupWindowNanos() / 1e6) / 1000);
        return new ServerScenario.Trial(schedule.qps(), achieved, schedule.measured(), h, maxQueueDepth, null, null);
    }

    /**
     * The max_qps the harness's own search finds over {@code runs} simulated queues (0 where none passed), sorted:
     * each trial draws its service times as blocks of {@code block} consecutive ones (circularly) from
     * {@code serviceMs} in the order the machine delivered them, seeded, so a burst of slow requests (other work on a
     * shared machine) stays a burst, as it was for the search being checked.
     */
    public static double[] searchOutcomes(ServerScenario.Settings settings, double startQps, double boundMs,
                                          double[] serviceMs, int block, int runs) throws Exception {
        double[] out = new double[runs];
        for (int r = 0; r < runs; r++) {
            SplittableRandom random = new SplittableRandom(1000 + r);
            MaxQpsSearch.Outcome o = MaxQpsSearch.search(startQps, boundMs, qps -> {
                ArrivalSchedule schedule = schedule(settings, qps);
                double[] drawn = new double[schedule.warmup() + schedule.measured()];
                for (int i = 0; i < drawn.length; i += block) {
                    int from = random.nextInt(serviceMs.length);
                    for (int k = 0; k < block && i + k < drawn.length; k++) {
                        drawn[i + k] = serviceMs[(from + k) % serviceMs.length];
                    }
                }
                return trial(schedule, drawn);
            });
            out[r] = o.maxQps() == null ? 0 : o.maxQps();
        }
        Arrays.sort(out);
        return out;
    }
}
