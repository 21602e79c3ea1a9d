package dev.segbench.harness.calibration;

import dev.segbench.api.BackendException;
import dev.segbench.api.ModelException;

import java.util.ArrayList;
import java.util.List;

/**
 * How many of the worst-ranked layers {@code --int8-fallback auto} keeps in float: the smallest count whose int8 graph
 * reaches the target agreement with FP32. Each try is a pass over the calibration images, so the search tries 0, then
 * 1, 2, 4, ... (all at the end) until one reaches the target, then bisects between the last count that missed and the
 * first that reached it: about 2 log2(n) tries for n layers instead of n.
 *
 * <p>The bisection assumes that keeping more layers in float does not lower the agreement; where it does (agreement
 * measured on a handful of images is noisy) the count found still reached the target when tried, but a smaller count
 * outside the bisected range may have reached it too.
 */
final class CountSearch {

    private CountSearch() {
    }

    /** Label agreement with FP32 (0..1) when the worst {@code count} layers of the ranking are kept in float. */
    @FunctionalInterface
    interface Agreement {
        double at(int count) throws ModelException, BackendException, InterruptedException;
    }

    /** One try: so many of the worst layers kept in float, and the agreement that gave. */
    record Try(int count, double agreement) {
    }

    /**
     * What the search found.
     *
     * @param kept    the worst layers to keep in float, worst first: all of them where the target was not reached
     * @param reached whether {@code kept} reached the target
     * @param tries   every try, in the order made
     */
    record Result<T>(List<T> kept, boolean reached, List<Try> tries) {
        Result {
            kept = List.copyOf(kept);
            tries = List.copyOf(tries);
        }

        /** The agreement of the count kept, as tried. */
        double agreement() {
            return tries.stream().filter(t -> t.count() == kept.size()).findFirst().orElseThrow().agreement();
        }
    }

    /**
     * The smallest count of {@code ranked}'s first layers (worst first) that reaches {@code target}, by doubling then
     * bisection; every count in {@code 0..ranked.size()} is tried at most once.
     */
    static <T> Result<T> smallest(List<T> ranked, double target, Agreement agreement)
            throws ModelException, BackendException, InterruptedException {
        int n = ranked.size();
        List<Try> tries = new ArrayList<>();
        int met = -1; // the smallest count tried that reached the target
        int missed = 0; // the largest count tried below met that missed it
        if (tryCount(0, target, agreement, tries)) {
            met = 0;
        }
        for (int k = 1; met < 0 && missed < n; k = Math.min(2 * k, n)) {
            if (tryCount(k, target, agreement, tries)) {
                met = k;
            } else {
                missed = k;
            }
        }
        while (met > 0 && met - missed > 1) {
            int k = (missed + met) / 2;
            if (tryCount(k, target, agreement, tries)) {
                met = k;
            } else {
                missed = k;
            }
        }
        boolean reached = met >= 0;
        return new Result<>(ranked.subList(0, reached ? met : n), reached, tries);
    }

    private static boolean tryCount(int count, double target, Agreement agreement, List<Try> tries)
            throws ModelException, BackendException, InterruptedException {
        double a = agreement.at(count);
        tries.add(new Try(count, a));
        return a >= target;
    }
}
