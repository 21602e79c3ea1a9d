package dev.segbench.harness.calibration;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The count search of {@code --int8-fallback auto} against made-up agreement curves: which count it keeps, which it
 * tries, in what order and how many.
 */
class CountSearchTest {

    private static final double TARGET = 0.998;
    private static final double HIT = 0.999;
    private static final double MISS = 0.99;

    /** Layers named L0 (worst) .. L{n-1}. */
    private static List<String> ranked(int n) {
        return IntStream.range(0, n).mapToObj(i -> "L" + i).toList();
    }

    /** Agreement HIT where {@code meets} holds for the count, MISS elsewhere; every count asked for is recorded. */
    private record Curve(IntPredicate meets, List<Integer> asked) implements CountSearch.Agreement {
        Curve(IntPredicate meets) {
            this(meets, new ArrayList<>());
        }

        @Override
        public double at(int count) {
            asked.add(count);
            return meets.test(count) ? HIT : MISS;
        }
    }

    private static CountSearch.Result<String> search(int n, Curve curve) throws Exception {
        return CountSearch.smallest(ranked(n), TARGET, curve);
    }

    private static List<Integer> counts(CountSearch.Result<String> r) {
        return r.tries().stream().map(CountSearch.Try::count).toList();
    }

    @Test
    void targetReachedFullyQuantizedTriesOnlyThatAndKeepsNothing() throws Exception {
        Curve curve = new Curve(k -> true);
        CountSearch.Result<String> r = search(30, curve);
        assertTrue(r.reached());
        assertEquals(List.of(), r.kept());
        assertEquals(List.of(0), curve.asked(), "one pass, nothing kept in float");
        assertEquals(List.of(new CountSearch.Try(0, HIT)), r.tries());
    }

    @Test
    void agreementEqualToTheTargetReachesIt() throws Exception {
        CountSearch.Result<String> r = CountSearch.smallest(ranked(5), TARGET, k -> k == 0 ? TARGET : MISS);
        assertTrue(r.reached());
        assertEquals(List.of(), r.kept());
    }

    @Test
    void targetReachedAtTheFirstLayerKeepsTheWorstOneWithoutBisecting() throws Exception {
        Curve curve = new Curve(k -> k >= 1);
        CountSearch.Result<String> r = search(30, curve);
        assertTrue(r.reached());
        assertEquals(List.of("L0"), r.kept(), "the worst-ranked layer");
        assertEquals(List.of(0, 1), curve.asked());
    }

    @Test
    void targetNeverReachedKeepsAllAndSaysSo() throws Exception {
        Curve curve = new Curve(k -> false);
        CountSearch.Result<String> r = search(10, curve);
        assertFalse(r.reached());
        assertEquals(ranked(10), r.kept(), "every ranked layer in float");
        assertEquals(List.of(0, 1, 2, 4, 8, 10), counts(r), "doubling ends at all of them, not at 16 or at 8");
        assertEquals(MISS, r.agreement(), "the agreement of keeping all, as tried");
    }

    @Test
    void noLayerToRankAndTargetMissedKeepsNothingAndSaysSo() throws Exception {
        Curve curve = new Curve(k -> false);
        CountSearch.Result<String> r = search(0, curve);
        assertFalse(r.reached());
        assertEquals(List.of(), r.kept());
        assertEquals(List.of(0), curve.asked());
    }

    @Test
    void bisectionStaysBetweenTheLastMissAndTheFirstHit() throws Exception {
        Curve curve = new Curve(k -> k >= 37);
        CountSearch.Result<String> r = search(100, curve);
        // doubling misses at 32 and reaches at 64; bisection then only tries counts strictly between the two
        assertEquals(List.of(0, 1, 2, 4, 8, 16, 32, 64, 48, 40, 36, 38, 37), counts(r));
        assertEquals(ranked(37), r.kept());
        assertEquals(HIT, r.agreement());
    }

    @Test
    void monotoneAgreementGivesTheSmallestCountForEveryThresholdAndSize() throws Exception {
        for (int size = 1; size <= 70; size++) {
            int n = size;
            for (int threshold = 0; threshold <= n; threshold++) {
                int t = threshold;
                Curve curve = new Curve(k -> k >= t);
                CountSearch.Result<String> r = search(n, curve);
                assertTrue(r.reached(), n + " layers, threshold " + t);
                assertEquals(t, r.kept().size(), n + " layers, threshold " + t + ": tried " + curve.asked());
                assertEquals(Set.copyOf(curve.asked()).size(), curve.asked().size(), "a count tried twice: "
                        + curve.asked());
                assertTrue(curve.asked().stream().allMatch(k -> k >= 0 && k <= n), curve.asked().toString());
            }
        }
    }

    @Test
    void evaluationsStayWithinTwiceLog2OfTheLayers() throws Exception {
        for (int n = 1; n <= 300; n++) {
            int bound = 2 * (32 - Integer.numberOfLeadingZeros(n - 1)) + 2; // 2 ceil(log2 n) + 2
            for (int threshold = 0; threshold <= n + 1; threshold++) { // n + 1: never reached
                int t = threshold;
                Curve curve = new Curve(k -> k >= t);
                search(n, curve);
                assertTrue(curve.asked().size() <= bound, n + " layers, threshold " + t + ": " + curve.asked().size()
                        + " passes over the images, more than " + bound + ": " + curve.asked());
            }
        }
    }

    @Test
    void nonMonotoneAgreementKeepsACountThatReachedTheTargetWhenTried() throws Exception {
        // 6 reaches, 7 does not, 8 and up do: bisecting 4..8 tries 6 (hit) then 5 (miss) and must keep 6, not the
        // last count tried
        Curve curve = new Curve(k -> k == 6 || k >= 8);
        CountSearch.Result<String> r = search(20, curve);
        assertEquals(List.of(0, 1, 2, 4, 8, 6, 5), counts(r));
        assertTrue(r.reached());
        assertEquals(ranked(6), r.kept());
        assertTrue(r.agreement() >= TARGET, "the kept count's own try reached the target");
    }

    @Test
    void nonMonotoneAgreementBelowTheLastMissIsNotLookedFor() throws Exception {
        // 3 would reach the target, but 4 missed after it: the search bisects above 4 and keeps 8
        Curve curve = new Curve(k -> k == 3 || k >= 8);
        CountSearch.Result<String> r = search(20, curve);
        assertEquals(ranked(8), r.kept());
        assertFalse(new HashSet<>(curve.asked()).contains(3), curve.asked().toString());
        assertTrue(r.agreement() >= TARGET);
    }
}
