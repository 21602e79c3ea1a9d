package dev.segbench.harness.load;

import dev.segbench.results.settings.Arrivals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Server;
import dev.segbench.results.Latencies;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The search logic against synthetic queues whose p99 at each rate is known, so no trial has to run in real time. */
class MaxQpsSearchTest {

    /**
     * A trial whose every latency is {@code p99Ms} and whose achieved rate is the target, capped at {@code capacity};
     * some request queued (a queue model), so the light-load rule does not apply.
     */
    /** Requests per synthetic trial: enough to support a p99 (368). */
    static final int REQUESTS = 400;

    static ServerScenario.Trial trial(double qps, double p99Ms, double capacity) {
        return trial(qps, p99Ms, capacity, 1);
    }

    static ServerScenario.Trial trial(double qps, double p99Ms, double capacity, long maxQueueDepth) {
        Histogram h = Latencies.newHistogram();
        h.recordValueWithCount(Math.round(p99Ms * 1000), REQUESTS);
        return new ServerScenario.Trial(qps, Math.min(qps, capacity), REQUESTS, h, maxQueueDepth, null, null);
    }

    @Test
    void aTimeBudgetStopsTheSearchBeforeATrialThatWouldOverrunItAndKeepsTheTrialsSoFar() throws Exception {
        // the case: a 10 img/s backend, a bound below its service time, 500 requests a trial; the trials'
        // lengths are simulated on a clock, so the test takes no time
        long[] now = {0};
        double budgetSeconds = 1800;
        MaxQpsSearch.Budget budget = new MaxQpsSearch.Budget(budgetSeconds, () -> now[0], q -> 500 / Math.min(q, 10));
        MaxQpsSearch.Outcome o = MaxQpsSearch.search(10, 50, budget, q -> {
            now[0] += Math.round(500 / Math.min(q, 10) * 1e9);
            return trial(q, 100, 10);
        });
        assertNull(o.maxQps());
        assertTrue(now[0] / 1e9 <= budgetSeconds, "the search took " + now[0] / 1e9 + " s of a " + budgetSeconds + " s budget");
        assertEquals(List.of(10.0, 5.0, 2.5, 1.25, 0.625), o.trials().stream().map(ServerScenario.Trial::targetQps).toList(),
                "every trial that fitted is kept");
        assertTrue(o.note().startsWith("time budget: the trial at 0.3125 qps would take about 1600 s"), o.note());
    }

    @Test
    void theBoundAppliesToTheChosenPercentile() throws Exception {
        // three in four requests take 5 ms, the rest 100 ms, at every rate: p50 is within 10 ms, p99 never is
        MaxQpsSearch.TrialRunner runner = q -> {
            Histogram h = Latencies.newHistogram();
            h.recordValueWithCount(5_000, 300);
            h.recordValueWithCount(100_000, 100);
            return new ServerScenario.Trial(q, q, 400, h, 1, null, null);
        };
        MaxQpsSearch.Outcome median = MaxQpsSearch.search(10, 10, 50, MaxQpsSearch.Budget.UNLIMITED, runner);
        assertEquals(40.0, median.maxQps(), "p50 within the bound at every rate: doubles to 4x the start");
        Server server = median.toResult(10, 50, Arrivals.POISSON, 1, 1);
        assertEquals(50.0, server.latencyPercentile());
        assertEquals("p50 <= 10 ms", server.boundText());
        assertTrue(server.trials().stream().allMatch(t -> Boolean.TRUE.equals(t.withinBound())));
        MaxQpsSearch.Outcome p99 = MaxQpsSearch.search(10, 10, 99, MaxQpsSearch.Budget.UNLIMITED, runner);
        assertNull(p99.maxQps());
        assertTrue(p99.note().startsWith("no trial met p99 <= 10 ms"), p99.note());
    }

    @Test
    void aTrialThatMissesTheBoundWithNoQueueEndsTheSearch() throws Exception {
        // the first trial queues; the second, at half the rate, queued nothing and still took 100 ms a request
        MaxQpsSearch.Outcome o = MaxQpsSearch.search(10, 50, q -> trial(q, 100, 10, q >= 10 ? 3 : 0));
        assertNull(o.maxQps());
        assertEquals(2, o.trials().size());
        assertTrue(o.note().contains("already at light load (5 qps, no request queued)"), o.note());
    }

    /** M/M/1-like p99 of a 10 ms server: it grows without bound as the rate nears 100/s. */
    static final DoubleUnaryOperator QUEUE = q -> q >= 100 ? 1e6 : -Math.log(0.01) * 10 / (1 - q / 100);

    @Test
    void findsTheCrossingWithinFivePercentFromBelow() throws Exception {
        double bound = 100; // crossing where 46.05 / (1 - q/100) = 100: q = 53.95
        double crossing = 100 * (1 - 10 * -Math.log(0.01) / bound);
        List<Double> asked = new ArrayList<>();
        MaxQpsSearch.Outcome o = MaxQpsSearch.search(97, bound, q -> {
            asked.add(q);
            return trial(q, QUEUE.applyAsDouble(q), 100);
        });
        assertNotNull(o.maxQps());
        assertTrue(o.maxQps() <= crossing && o.maxQps() >= crossing / 1.05, o.maxQps() + " vs " + crossing);
        assertEquals(97.0, asked.getFirst(), "starts from the offline throughput");
        assertEquals(48.5, asked.get(1), "then halves");
        assertEquals(asked.size(), o.trials().size(), "every trial is kept");
        assertNull(o.note());
        // the bracket at the end is within the resolution
        double lowestFail = o.trials().stream().filter(t -> !t.within(bound)).mapToDouble(ServerScenario.Trial::targetQps).min().orElseThrow();
        assertTrue(lowestFail - o.maxQps() <= 0.05 * o.maxQps());
        Server server = o.toResult(bound, Arrivals.POISSON, 1, 1);
        assertEquals(Server.SEARCH, server.mode());
        assertEquals(o.maxQps(), server.maxQps());
        assertEquals(o.trials().size(), server.trials().size());
        assertTrue(server.trials().stream().anyMatch(t -> Boolean.TRUE.equals(t.withinBound())));
    }

    @Test
    void doublesWhenTheStartAlreadyPasses() throws Exception {
        // an offline throughput measured too low: the search goes up from it
        MaxQpsSearch.Outcome o = MaxQpsSearch.search(20, 100, q -> trial(q, QUEUE.applyAsDouble(q), 100));
        assertEquals(List.of(20.0, 40.0, 80.0), o.trials().subList(0, 3).stream().map(ServerScenario.Trial::targetQps).toList());
        assertTrue(o.maxQps() >= 51 && o.maxQps() <= 54, "" + o.maxQps());
    }

    @Test
    void aTrialThatCannotKeepUpFailsEvenWithALowP99() throws Exception {
        // latency looks fine, but above 60/s the system falls behind its schedule: invalid
        MaxQpsSearch.Outcome o = MaxQpsSearch.search(97, 100, q -> trial(q, 5, 60));
        assertTrue(o.maxQps() <= 60 / 0.95 && o.maxQps() >= 60 / 0.95 / 1.05, "" + o.maxQps());
    }

    @Test
    void anUnreachableBoundGivesNoRateAndSaysWhy() throws Exception {
        MaxQpsSearch.Outcome o = MaxQpsSearch.search(100, 5, q -> trial(q, 10, 1000)); // 10 ms service, 5 ms bound
        assertNull(o.maxQps());
        assertEquals(1 + MaxQpsSearch.MAX_HALVINGS, o.trials().size());
        assertTrue(o.note().contains("no trial met p99 <= 5 ms") && o.note().contains("p99 10.0"), o.note());
    }

    @Test
    void bisectsBetweenTheHighestPassAndTheLowestFailure() throws Exception {
        // passes at or below 55/s
        MaxQpsSearch.Outcome o = MaxQpsSearch.search(100, 10, q -> trial(q, q <= 55 ? 5 : 20, 1000));
        assertEquals(List.of(100.0, 50.0, 75.0, 62.5, 56.25, 53.125, 54.6875),
                o.trials().stream().map(ServerScenario.Trial::targetQps).toList());
        assertEquals(54.6875, o.maxQps());
        assertNull(o.note());
    }

    @Test
    void capsTheNumberOfTrials() throws Exception {
        // always passing: doubles twice, then says the start was too low
        MaxQpsSearch.Outcome o = MaxQpsSearch.search(10, 10, q -> trial(q, 1, 1e9));
        assertEquals(40.0, o.maxQps());
        assertTrue(o.note().contains("4x the offline throughput"), o.note());
    }

    /**
     * 30 requests of 1 ms each at every rate: their "p99" is their maximum, 1 ms, well within 10 ms, but 30 requests
     * support no p99. The search must not report a max QPS from them: the first trial is too short, and it stops there.
     */
    @Test
    void trialsTooShortForTheBoundsPercentileMeetNoBound() throws Exception {
        MaxQpsSearch.Outcome o = MaxQpsSearch.search(10, 10, q -> {
            Histogram h = Latencies.newHistogram();
            h.recordValueWithCount(1_000, 30);
            return new ServerScenario.Trial(q, q, 30, h, 1, null, null);
        });
        assertNull(o.maxQps(), "a p99 of 30 requests met nothing");
        assertEquals(1, o.trials().size());
        assertTrue(o.note().startsWith("the trial at 10 qps measured 30 requests, fewer than the 368 that p99 needs"),
                o.note());
        assertEquals(Boolean.FALSE, o.toResult(10, Arrivals.POISSON, 1, 1).trials().getFirst().withinBound());
    }
}
