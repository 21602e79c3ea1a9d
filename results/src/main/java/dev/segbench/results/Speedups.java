package dev.segbench.results;

import java.util.ArrayList;
import java.util.List;

/**
 * Speed-up against {@code --baseline}: each ok run against the ok run of its model whose "backend:precision" is the
 * baseline. Decided here once, for the compare, {@code --resume} and {@code merge} alike.
 */
public final class Speedups {

    private Speedups() {
    }

    /**
     * The runs with their {@link Run.Speedup}: the baseline's batch-1 p50 / the run's, and the run's best offline
     * images/s / the baseline's best ({@link InFlightThroughput#best}); null for the baseline run itself, for runs
     * that are not ok, and for every run when {@code baseline} is null or its model has no ok baseline run.
     */
    public static List<Run> apply(List<Run> runs, String baseline) {
        List<Run> out = new ArrayList<>(runs.size());
        for (Run r : runs) {
            Run base = baseline == null || !r.ok() ? null : runs.stream()
                    .filter(x -> x.model().equals(r.model()) && x.isBaseline(baseline))
                    .findFirst().orElse(null);
            out.add(r.toBuilder().speedup(base == null || base == r ? null : of(r, base, baseline)).build());
        }
        return out;
    }

    public static Run.Speedup of(Run run, Run base, String baseline) {
        Double latency = run.latencyMs() == null || base.latencyMs() == null ? null
                : ratio(base.latencyMs().p50(), run.latencyMs().p50());
        InFlightThroughput mine = InFlightThroughput.best(run);
        InFlightThroughput theirs = InFlightThroughput.best(base);
        Double throughput = mine == null || theirs == null ? null : ratio(mine.imagesPerSecond(), theirs.imagesPerSecond());
        return new Run.Speedup(baseline, latency, throughput);
    }

    /** a / b, or null when either is not a positive finite number. */
    private static Double ratio(double a, double b) {
        return Double.isFinite(a) && Double.isFinite(b) && a > 0 && b > 0 ? a / b : null;
    }
}
