package dev.segbench.harness.load;

import dev.segbench.results.settings.Arrivals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Backend;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.Precision;
import dev.segbench.api.Progress;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.harness.fakes.FakeModels;
import dev.segbench.harness.fakes.StallingPlugin;
import dev.segbench.harness.plugins.Plugins;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's acceptance at the driver level (the CLI-level versions come with the wiring). Both backends sleep, so a
 * busy two-core machine delays them a little but cannot hide what is tested; the margins say how much is allowed.
 */
class ScenarioAcceptanceTest {

    @TempDir
    Path tmp;

    /**
     * The stalling backend (20 ms, every 200th call 1 s), loaded from its plugin jar: the closed loop's p99 stays near
     * 20 ms although a 1 s stall happened inside it, while a 20 QPS server trial reports p99 >= 500 ms because every
     * request that arrived during the stall waited for it.
     */
    @Test
    void aClosedLoopHidesTheStallThatTheServerScenarioShows() throws Exception {
        Path pluginDir = StallingPlugin.build(tmp);
        try (Plugins plugins = Plugins.load(List.of(pluginDir), List.of(pluginDir))) {
            Backend backend = plugins.requireBackend(StallingPlugin.BACKEND_ID, "");
            var model = new FakeModels().load("tiny", WeightsSpec.seeded(1));
            // the first stall at call 100 (then 300, ...): one in every 200 calls, well inside both measured windows
            SessionOptions options = new SessionOptions(Precision.FP32, 0, SessionOptions.ShapeProfile.DEFAULT, null,
                    Map.of("stalling.first", "100"));

            SingleStreamScenario.Outcome closed;
            try (InferenceSession session = backend.open(model, options)) {
                closed = SingleStreamScenario.run(new SessionUnderTest(session, 32, 32),
                        new SingleStreamScenario.Settings(0.2, 0, 250, 1000), Progress.NONE, "stalling");
            }
            Histogram c = closed.latency();
            assertTrue(c.getMaxValue() >= 1_000_000, "the stall happened inside the closed loop: max " + c.getMaxValue() + " us");
            assertEquals(1, c.getCountBetweenValues(500_000, Long.MAX_VALUE), "one stall in 250 closed-loop requests");
            double closedP99 = c.getValueAtPercentile(99) / 1000.0;
            double closedP50 = c.getValueAtPercentile(50) / 1000.0;
            // near 20 ms: a loaded machine may add a few ms to a sleep, never the stall's 1000
            assertTrue(closedP50 >= 20 && closedP50 < 60, "closed-loop p50 " + closedP50 + " ms");
            assertTrue(closedP99 >= 20 && closedP99 < 100, "closed-loop p99 " + closedP99 + " ms hides the stall");

            ServerScenario.Trial server;
            try (InferenceSession session = backend.open(model, options)) {
                server = ServerScenario.trial(new SessionUnderTest(session, 32, 32),
                        new ServerScenario.Settings(Arrivals.POISSON, 1, 1, 0.5, 0, 200), 20, Progress.NONE, "stalling");
            }
            double serverP99 = server.p99Ms();
            assertTrue(serverP99 >= 500, "server p99 " + serverP99 + " ms must show the queue behind the stall");
            // about 20 requests arrive during a 1 s stall at 20/s; a Poisson schedule can bunch them, so allow fewer
            assertTrue(server.maxQueueDepth() >= 10, "queue depth " + server.maxQueueDepth());
            assertTrue(server.latency().getCountBetweenValues(500_000, Long.MAX_VALUE) >= 5,
                    "several requests waited >= 500 ms, not only the stalled one");
            System.out.printf(Locale.ROOT, "stalling backend: closed-loop p50 %.1f ms p99 %.1f ms max %.0f ms; "
                            + "server at 20 qps: p99 %.0f ms, max queue depth %d, achieved %.2f qps%n", closedP50, closedP99,
                    c.getMaxValue() / 1000.0, serverP99, server.maxQueueDepth(), server.achievedQps());
        }
    }

    /**
     * A backend with a fixed 10 ms service time: the p99 <= 50 ms search finds the max QPS that the same search finds
     * over a seeded discrete-event simulation of the same queue: the same seeded arrival schedules (same seed and
     * counts), one FIFO server, and the service times the backend really took on this machine during this search (a
     * sleep of 10 ms takes longer on a loaded machine, now and then much longer), resampled in blocks of consecutive
     * requests so that a burst of other work stays a burst. The bound is not a fixed ratio: one trial per rate, with a
     * p99 read from 368 requests, makes the search's answer a random variable (a slow burst during one trial fails
     * it, and the bisection then settles lower), so the answer must lie within the range that 400 simulated searches
     * over the same service times reach; a harness that counted latency from the start of service, or mis-scheduled
     * arrivals, lands outside it. Each trial is also replayed exactly with the service times of its own requests: the
     * harness's p99 must be the queue's, which proves latency counts from the scheduled arrival.
     */
    @Test
    void theMaxQpsSearchAgreesWithADiscreteEventSimulationOfTheSameQueue() throws Exception {
        SleepingSut sut = SleepingSut.fixed(10);
        double offline = OfflineScenario.measure(sut, 1, 1, new OfflineScenario.Settings(0.1, 0.5, 10), Progress.NONE, "fixed")
                .throughput().imagesPerSecond();
        assertTrue(offline > 50 && offline <= 100, "one 10 ms worker does at most 100/s: " + offline);
        int before = sut.calls().size();
        double bound = 50;
        // the fewest requests that support a p99 (368), as the performance step asks of a trial judged on one
        ServerScenario.Settings settings = new ServerScenario.Settings(Arrivals.POISSON, 1, 1, 0.3, 0,
                ServerScenario.minRequests(1, 200, bound, 99));
        MaxQpsSearch.Outcome found = MaxQpsSearch.search(offline, bound,
                qps -> ServerScenario.trial(sut, settings, qps, Progress.NONE, "fixed"));
        assertNotNull(found.maxQps(), found.note());

        // every trial seen from inside the backend: completion minus scheduled arrival, with the schedule's origin read
        // off the backend's clock (no request starts before its arrival, an idle one starts right at it)
        List<SleepingSut.Call> calls = sut.calls().subList(before, sut.calls().size());
        double[] service = new double[calls.size()];
        int from = 0;
        for (ServerScenario.Trial t : found.trials()) {
            ArrivalSchedule schedule = schedule(settings, t.targetQps());
            long[] arrivals = schedule.fromStart();
            List<SleepingSut.Call> trialCalls = calls.subList(from, from + arrivals.length);
            long origin = Long.MAX_VALUE;
            for (int i = 0; i < arrivals.length; i++) {
                origin = Math.min(origin, trialCalls.get(i).start() - arrivals[i]);
            }
            double[] latency = new double[schedule.measured()];
            for (int i = schedule.warmup(); i < arrivals.length; i++) {
                latency[i - schedule.warmup()] = (trialCalls.get(i).end() - origin - arrivals[i]) / 1e6;
            }
            Arrays.sort(latency);
            double seenInside = latency[(int) Math.ceil(0.99 * latency.length) - 1];
            assertEquals(seenInside, t.p99Ms(), 0.3 + 0.01 * seenInside, "trial at " + t.targetQps() + " qps: harness p99 vs "
                    + "the backend's completions counted from the scheduled arrivals");
            // the service a queued request sees: its run plus the harness's turnaround since the previous one ended
            for (int i = 0; i < arrivals.length; i++) {
                SleepingSut.Call c = trialCalls.get(i);
                long gap = i == 0 ? Long.MAX_VALUE : c.start() - trialCalls.get(i - 1).end();
                service[from + i] = (c.end() - c.start() + (gap >= 0 && gap < 1_000_000 ? gap : 0)) / 1e6;
            }
            from += arrivals.length;
        }
        assertEquals(calls.size(), from, "every request of every trial was served once");

        // the same search over simulated queues with this search's own service times, in blocks of 100 (1 s of work)
        double[] simulated = QueueSimulation.searchOutcomes(settings, offline, bound, service, 100, 400);
        double[] sorted = service.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "fixed 10 ms backend (service p50 %.3f ms, p99 %.3f ms, max %.1f ms): offline %.1f/s, "
                        + "search max_qps %.2f after %d trials; simulated searches: min %.2f, median %.2f, max %.2f%n",
                sorted[sorted.length / 2], sorted[(int) (0.99 * (sorted.length - 1))], sorted[sorted.length - 1], offline,
                found.maxQps(), found.trials().size(), simulated[0], simulated[simulated.length / 2],
                simulated[simulated.length - 1]);
        assertTrue(found.maxQps() >= simulated[0] && found.maxQps() <= simulated[simulated.length - 1],
                "search max_qps " + found.maxQps() + " outside what the simulated searches reach: [" + simulated[0] + ", "
                        + simulated[simulated.length - 1] + "]");
    }

    private static ArrivalSchedule schedule(ServerScenario.Settings settings, double qps) {
        return QueueSimulation.schedule(settings, qps);
    }
}
