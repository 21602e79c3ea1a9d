package dev.segbench.harness.load;

import dev.segbench.api.BackendException;
import dev.segbench.api.results.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The highest target rate whose trial is valid with p99 within a bound. It starts from the offline throughput (no
 * server sustains more than it can do back to back), halves until a trial passes or doubles until one fails, then
 * bisects between the highest passing and the lowest failing rate until they are within {@value #RESOLUTION_PERCENT}%
 * of each other. The answer is the highest rate that passed; every trial is kept.
 */
public final class MaxQpsSearch {

    public static final double RESOLUTION = 0.05;
    static final int RESOLUTION_PERCENT = 5;
    /** Halvings below the start before giving up: the bound is then out of reach at 1/64 of the offline rate. */
    public static final int MAX_HALVINGS = 6;
    /** Doublings above the start: passing at 4x the offline throughput means that throughput was mis-measured. */
    public static final int MAX_DOUBLINGS = 2;
    public static final int MAX_TRIALS = 16;

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
            return new Server(Server.SEARCH, p99BoundMs, maxQps, arrivals.id(), seed, workers,
                    trials.stream().map(t -> t.toResult(p99BoundMs)).toList(), note);
        }
    }

    private MaxQpsSearch() {
    }

    /** Every rate asked lies between the highest pass and the lowest failure so far, so they never cross. */
    public static Outcome search(double startQps, double p99BoundMs, TrialRunner runner)
            throws BackendException, InterruptedException {
        OptionLists.positive("start rate", startQps);
        OptionLists.positive("--server-p99-ms", p99BoundMs);
        List<ServerScenario.Trial> trials = new ArrayList<>();
        Double pass = null;
        Double fail = null;
        int halvings = 0;
        int doublings = 0;
        double qps = startQps;
        String note = null;
        while (true) {
            if (trials.size() == MAX_TRIALS) {
                note = String.format(Locale.ROOT, "stopped after %d trials before reaching %d%% resolution",
                        MAX_TRIALS, RESOLUTION_PERCENT);
                break;
            }
            ServerScenario.Trial trial = runner.run(qps);
            trials.add(trial);
            if (trial.within(p99BoundMs)) {
                pass = pass == null ? qps : Math.max(pass, qps);
            } else {
                fail = fail == null ? qps : Math.min(fail, qps);
            }
            if (pass == null) {
                if (halvings == MAX_HALVINGS) {
                    note = String.format(Locale.ROOT, "no trial met p99 <= %s ms, down to %.4g qps (%s)", fmt(p99BoundMs),
                            qps, trial.valid() ? String.format(Locale.ROOT, "p99 %.4g ms there", trial.p99Ms())
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

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
