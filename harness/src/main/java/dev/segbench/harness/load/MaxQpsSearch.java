package dev.segbench.harness.load;

import dev.segbench.results.settings.Arrivals;
import dev.segbench.results.settings.OptionLists;

import dev.segbench.api.BackendException;
import dev.segbench.results.PercentileIntervals;
import dev.segbench.results.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The highest target rate whose trial is valid with its latency percentile (p99 unless
 * {@code --server-latency-percentile} says) within a bound. It starts from the offline throughput (no
 * server sustains more than it can do back to back), halves until a trial passes or doubles until one fails, then
 * bisects between the highest passing and the lowest failing rate until they are within {@value #RESOLUTION_PERCENT}%
 * of each other. The answer is the highest rate that passed; every trial is kept.
 *
 * <p>Two rules keep a hopeless search short, so it never outlasts the run ({@code --run-timeout} kills it, and the
 * run's other results with it): a trial that misses the bound with no request queued (light load: its latency is
 * the service time, which no lower rate shortens) ends the search, and a trial is not started when its expected
 * length exceeds what is left of the search's time budget ({@code --server-search-budget}). Either says so in
 * {@code note}; the trials so far are kept. A trial with fewer requests than the bound's percentile needs
 * ({@link PercentileIntervals#minSamples}) cannot meet the bound and stops the search with a note; the performance step
 * raises every trial's minimum to that count ({@link ServerScenario#minRequests}), so a real search never has one.
 */
public final class MaxQpsSearch {

    public static final double RESOLUTION = 0.05;
    static final int RESOLUTION_PERCENT = 5;
    /** Halvings below the start before giving up: the bound is then out of reach at 1/64 of the offline rate. */
    public static final int MAX_HALVINGS = 6;
    /** Doublings above the start: passing at 4x the offline throughput means that throughput was mis-measured. */
    public static final int MAX_DOUBLINGS = 2;

    /**
     * The search's time budget.
     *
     * @param seconds         the search starts no trial that would end after this long
     * @param clock           nanoseconds, {@link System#nanoTime} outside tests
     * @param expectedSeconds how long a trial at a rate takes at least (its warm-up and measured requests)
     */
    public record Budget(double seconds, java.util.function.LongSupplier clock,
                         java.util.function.DoubleUnaryOperator expectedSeconds) {
        public static final Budget UNLIMITED = new Budget(Double.POSITIVE_INFINITY, System::nanoTime, q -> 0);
    }

    /** Runs one trial at a target rate. */
    @FunctionalInterface
    public interface TrialRunner {
        ServerScenario.Trial run(double qps) throws BackendException, InterruptedException;
    }

    /**
     * @param maxQps the highest passing target rate; null when none passed
     * @param note   why {@code maxQps} is null or the search stopped before its resolution; null otherwise
     */
    public record Outcome(Double maxQps, List<ServerScenario.Trial> trials, String note) {
        public Outcome {
            trials = List.copyOf(trials);
        }

        /** The {@code server} entry of results.json. */
        public Server toResult(double p99BoundMs, Arrivals arrivals, long seed, int workers) {
            return toResult(p99BoundMs, Server.DEFAULT_PERCENTILE, arrivals, seed, workers);
        }

        /** The {@code server} entry of results.json, the bound on the latency at {@code percentile}. */
        public Server toResult(double boundMs, double percentile, Arrivals arrivals, long seed, int workers) {
            return new Server(Server.SEARCH, boundMs, maxQps, arrivals.id(), seed, workers,
                    trials.stream().map(t -> t.toResult(boundMs, percentile)).toList(), note, percentile);
        }
    }

    private MaxQpsSearch() {
    }

    /** Every rate asked lies between the highest pass and the lowest failure so far, so they never cross. */
    public static Outcome search(double startQps, double p99BoundMs, TrialRunner runner)
            throws BackendException, InterruptedException {
        return search(startQps, p99BoundMs, Budget.UNLIMITED, runner);
    }

    public static Outcome search(double startQps, double p99BoundMs, Budget budget, TrialRunner runner)
            throws BackendException, InterruptedException {
        return search(startQps, p99BoundMs, Server.DEFAULT_PERCENTILE, budget, runner);
    }

    /** The search with the bound on the latency at {@code percentile} (0..100) instead of p99. */
    public static Outcome search(double startQps, double boundMs, double percentile, Budget budget, TrialRunner runner)
            throws BackendException, InterruptedException {
        String p = Server.percentileLabel(percentile);
        long started = budget.clock().getAsLong();
        OptionLists.positive("start rate", startQps);
        OptionLists.positive("--server-latency-ms", boundMs);
        List<ServerScenario.Trial> trials = new ArrayList<>();
        Double pass = null;
        Double fail = null;
        int halvings = 0;
        int doublings = 0;
        double qps = startQps;
        String note = null;
        // at most 1 + MAX_HALVINGS trials find a pass and a failure a factor 2 apart, and 5 bisections bring them within
        // RESOLUTION (2^-5 < 0.05): the loop ends by itself, after 12 trials at most
        while (true) {
            double left = budget.seconds() - (budget.clock().getAsLong() - started) / 1e9;
            double expected = budget.expectedSeconds().applyAsDouble(qps);
            if (expected > left) {
                note = String.format(Locale.ROOT, "time budget: the trial at %s qps would take about %.0f s, more than the "
                        + "%.0f s left of the search's %.0f s (--server-search-budget); stopped there", rate(qps), expected,
                        Math.max(0, left), budget.seconds());
                break;
            }
            ServerScenario.Trial trial = runner.run(qps);
            trials.add(trial);
            if (!trial.supports(percentile)) {
                // it cannot meet the bound (ServerScenario.Trial#within), nor show that the rate misses it
                note = String.format(Locale.ROOT, "the trial at %s qps measured %d requests, fewer than the %d that %s "
                        + "needs (%s); too short to judge against the bound; stopped there", rate(qps), trial.requests(),
                        PercentileIntervals.minSamples(percentile), p, PercentileIntervals.TOO_FEW);
                break;
            }
            if (trial.within(boundMs, percentile)) {
                pass = pass == null ? qps : Math.max(pass, qps);
            } else {
                fail = fail == null ? qps : Math.min(fail, qps);
            }
            if (pass == null) {
                if (trial.valid() && trial.maxQueueDepth() == 0 && !trial.within(boundMs, percentile)) {
                    note = String.format(Locale.ROOT, "%s %.4g ms misses %s <= %s ms already at light load (%s qps, no "
                            + "request queued): that is the service time, which no lower rate shortens; stopped there",
                            p, trial.latencyMs(percentile), p, fmt(boundMs), rate(qps));
                    break;
                }
                if (halvings == MAX_HALVINGS) {
                    note = String.format(Locale.ROOT, "no trial met %s <= %s ms, down to %.4g qps (%s)", p, fmt(boundMs),
                            qps, trial.valid() ? String.format(Locale.ROOT, "%s %.4g ms there", p, trial.latencyMs(percentile))
                                    : "the backend could not keep up even there");
                    break;
                }
                halvings++;
                qps /= 2;
            } else if (fail == null) {
                if (doublings == MAX_DOUBLINGS) {
                    note = String.format(Locale.ROOT, "still within the bound at %.4g qps, %dx the offline throughput; "
                            + "stopped there", qps, 1 << MAX_DOUBLINGS);
                    break;
                }
                doublings++;
                qps *= 2;
            } else if (fail - pass <= RESOLUTION * pass) {
                break;
            } else {
                qps = (pass + fail) / 2;
            }
        }
        return new Outcome(pass, trials, note);
    }

    /** Four significant digits without trailing zeros: "5", "0.3125", "53.95". */
    private static String rate(double v) {
        String s = String.format(Locale.ROOT, "%.4g", v);
        return s.contains(".") && !s.contains("e") ? s.replaceAll("\\.?0+$", "") : s;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
