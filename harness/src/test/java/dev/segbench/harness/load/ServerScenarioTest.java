package dev.segbench.harness.load;

import dev.segbench.results.settings.Arrivals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.Progress;
import dev.segbench.results.Server;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerScenarioTest {

    @Test
    void lightLoadKeepsUpWithTheSchedule() throws Exception {
        // Real sleeps on a shared machine: only bounds that a scheduling hiccup of a few tens of ms cannot break.
        SleepingSut sut = SleepingSut.fixed(2);
        ServerScenario.Settings s = new ServerScenario.Settings(Arrivals.UNIFORM, 1, 1, 0.1, 0, 60);
        ServerScenario.Trial t = ServerScenario.trial(sut, s, 50, Progress.NONE, "test"); // 20 ms apart, 2 ms each
        assertEquals(60, t.requests());
        assertEquals(5 + 60, sut.calls().size(), "warm-up arrivals are served too");
        assertTrue(t.maxQueueDepth() < 10, "a 2 ms service 20 ms apart queues only behind a stall: " + t.maxQueueDepth());
        // arrivals are scheduled: 60 requests over 59 gaps of 20 ms (the last one still needs its 2 ms)
        assertTrue(t.achievedQps() <= 60 / (59 / 50.0), "achieved " + t.achievedQps());
        // achieved = 60 / (1.18 s + how late the last request finished): >= 0.8x the target allows 0.32 s of delay
        // there, far beyond a scheduling hiccup, while a harness that sent 40% too little (30/s) falls well below it
        assertTrue(t.achievedQps() >= 0.8 * 50, "achieved " + t.achievedQps());
        assertEquals(t.achievedQps() >= ServerScenario.VALID_FRACTION * 50, t.valid());
        assertTrue(t.latency().getValueAtPercentile(50) >= 2000, "latency includes the 2 ms service");
        Server.Trial r = t.toResult(1000.0);
        assertEquals(50, r.targetQps());
        assertEquals(Boolean.FALSE, r.withinBound(), "a 1 s bound on p99: 60 requests are too few to meet it");
        assertEquals(t.valid(), t.toResult(1000.0, 50).withinBound(), "a 1 s bound on p50 holds whenever it is valid");
        assertNotNull(r.ci95Ms());
        assertTrue(r.latencyMs().p50() <= r.latencyMs().p90() && r.latencyMs().p90() <= r.latencyMs().max());
        // 60 requests cannot support a p99 (nor p99.9): none is recorded, by the rule a run's p99 follows (368 samples)
        assertNull(r.latencyMs().p99(), "p99 of 60 requests would be their maximum");
        assertNull(r.latencyMs().p999());
    }

    @Test
    void aTrialIsValidWhenItKeepsWithinFivePercentOfItsTarget() {
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
        h.recordValueWithCount(2_000, 390);
        h.recordValueWithCount(9_000, 10); // p99 (the 396th of 400) is 9 ms
        ServerScenario.Trial keptUp = new ServerScenario.Trial(50, 47.6, 400, h, 0, null, null);
        ServerScenario.Trial fellBehind = new ServerScenario.Trial(50, 47.4, 400, h, 0, null, null);
        assertTrue(keptUp.valid());
        assertFalse(fellBehind.valid());
        assertTrue(keptUp.within(10.0));
        assertFalse(keptUp.within(5.0), "p99 9 ms is over a 5 ms bound");
        assertFalse(fellBehind.within(1000.0), "an invalid trial is never within its bound");
        assertEquals(Boolean.TRUE, keptUp.toResult(10.0).withinBound());
    }

    /**
     * A trial with fewer requests than its bound's percentile needs (368 for p99) cannot meet the bound: its "p99" is
     * its maximum, which says nothing about the p99 at that rate. It is reported as too short (p99 null) and not within.
     */
    @Test
    void aTrialTooShortForThePercentileCannotMeetTheBound() {
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
        h.recordValueWithCount(2_000, 367);
        ServerScenario.Trial short367 = new ServerScenario.Trial(50, 50, 367, h, 0, null, null);
        assertTrue(short367.valid());
        assertFalse(short367.supports(99));
        assertFalse(short367.within(10.0), "2 ms at every one of 367 requests, but 367 do not support a p99");
        assertTrue(short367.within(10.0, 50), "they do support a p50");
        Server.Trial recorded = short367.toResult(10.0);
        assertEquals(Boolean.FALSE, recorded.withinBound());
        assertNull(recorded.latencyMs().p99(), "shown as " + dev.segbench.results.PercentileIntervals.TOO_FEW);
        h.recordValue(2_000);
        assertTrue(new ServerScenario.Trial(50, 50, 368, h, 0, null, null).within(10.0), "368 support it");
    }

    /** The performance step asks every trial judged against a bound for the requests the bound's percentile needs. */
    @Test
    void aTrialsMinimumIsRaisedToWhatTheBoundsPercentileNeeds() {
        assertEquals(368, ServerScenario.minRequests(30, 100, 50.0, 99));
        assertEquals(3688, ServerScenario.minRequests(30, 500, 50.0, 99.9));
        assertEquals(500, ServerScenario.minRequests(30, 500, 50.0, 99), "the default already supports p99");
        assertEquals(1000, ServerScenario.minRequests(1000, 500, 50.0, 99), "--min-iterations holds too");
        assertEquals(100, ServerScenario.minRequests(30, 100, null, 99), "no bound to judge: the options as given");
    }

    @Test
    void overloadQueuesWithoutBoundAndIsInvalid() throws Exception {
        SleepingSut sut = SleepingSut.fixed(10); // at most 100 requests/s
        ServerScenario.Settings s = new ServerScenario.Settings(Arrivals.UNIFORM, 1, 1, 0, 0, 100);
        ServerScenario.Trial t = ServerScenario.trial(sut, s, 200, Progress.NONE, "test");
        // 100 arrivals in 0.5 s, served in >= 1 s: about half are still waiting when the last one arrives
        assertTrue(t.maxQueueDepth() >= 40, "queue depth " + t.maxQueueDepth());
        assertTrue(t.achievedQps() <= 101, "achieved " + t.achievedQps());
        assertFalse(t.valid());
        // the last request arrived at ~0.5 s and finished at >= 1 s: latency counts from its arrival
        assertTrue(t.latency().getMaxValue() >= 480_000, "max latency us " + t.latency().getMaxValue());
        assertEquals(Boolean.FALSE, t.toResult(1000.0).withinBound(), "invalid trials are never within the bound");
        assertNull(t.toResult(null).withinBound());
    }

    @Test
    void severalWorkersServeAtOnceButNoMoreThanTheWorkers() throws Exception {
        SleepingSut sut = SleepingSut.fixed(20); // 3 workers: at most 150 requests/s
        ServerScenario.Settings s = new ServerScenario.Settings(Arrivals.POISSON, 4, 3, 0, 0, 150);
        ServerScenario.Trial t = ServerScenario.trial(sut, s, 100, Progress.NONE, "test");
        assertTrue(sut.maxInFlight() <= 3);
        assertTrue(sut.maxInFlight() >= 2, "Poisson bursts at 2/3 load overlap requests");
        assertEquals(150, t.requests());
        assertEquals(3, sut.calls().stream().map(SleepingSut.Call::worker).distinct().count());
    }

    @Test
    void aFixedRateTrialIsRecordedWithoutMaxQps() throws Exception {
        ServerScenario.Settings s = new ServerScenario.Settings(Arrivals.UNIFORM, 9, 1, 0, 0, 5);
        ServerScenario.Trial t = ServerScenario.trial(SleepingSut.fixed(1), s, 100, Progress.NONE, "test");
        Server server = ServerScenario.fixedResult(t, null, s);
        assertEquals(Server.FIXED, server.mode());
        assertNull(server.maxQps());
        assertEquals("uniform", server.arrivals());
        assertEquals(9, server.seed());
        assertEquals(List.of(100.0), server.trials().stream().map(Server.Trial::targetQps).toList());
    }

    @Test
    void aFailingRequestEndsTheTrialAtOnceAndIsReported() {
        SleepingSut sut = SleepingSut.fixed(1);
        sut.failOnCall = 5;
        ServerScenario.Settings s = new ServerScenario.Settings(Arrivals.UNIFORM, 1, 2, 0, 0, 100); // a 10 s schedule
        long t0 = System.nanoTime();
        dev.segbench.api.BackendException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.segbench.api.BackendException.class, () -> ServerScenario.trial(sut, s, 10, Progress.NONE, "test"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(e.getMessage().contains("call 5 failed"), e.getMessage());
        assertTrue(seconds < 5, "the waiting worker stopped instead of serving the rest of the schedule: " + seconds + " s");
        assertTrue(sut.calls().size() < 10, "calls after the failure: " + sut.calls().size());
    }

    @Test
    void settingsMeetBothMinimums() {
        ServerScenario.Settings s = new ServerScenario.Settings(Arrivals.POISSON, 1, 1, 0.5, 2, 300);
        assertEquals(300, s.measuredRequests(10)); // 2 s at 10/s is only 20
        assertEquals(2000, s.measuredRequests(1000)); // 300 at 1000/s is only 0.3 s
        assertEquals(5, s.warmupRequests(10));
    }
    @Test
    void queueDepthCountsWhatWaitsForAWorkerNotWhatAnotherWorkerServes() throws Exception {
        // four requests arrive together at 200 ms; two workers take two of them at once, so two wait (20 ms each)
        long at = 200_000_000L;
        ArrivalSchedule together = new ArrivalSchedule(new long[0], new long[] {at, at, at, at}, 20, 4 * 50_000_000L, 0);
        ServerScenario.Trial t = ServerScenario.trial(SleepingSut.fixed(20), 2, together, Progress.NONE, "test");
        assertEquals(4, t.requests());
        assertEquals(2, t.maxQueueDepth(), "two requests waited while both workers were busy");
    }

    @Test
    void aTrialReportsTheHarnessWakeUpLatenessAndIntervalsByBatchMeans() throws Exception {
        ServerScenario.Settings s = new ServerScenario.Settings(Arrivals.UNIFORM, 1, 1, 0, 0, 1250);
        ServerScenario.Trial t = ServerScenario.trial(SleepingSut.fixed(0), s, 2500, Progress.NONE, "test");
        Server.Trial r = t.toResult(null);
        assertNotNull(r.wakeLateMs(), "every request found the worker idle and waiting for it");
        assertTrue(r.wakeLateMs().requests() > 0 && r.wakeLateMs().requests() <= 1250, r.wakeLateMs().toString());
        assertTrue(r.wakeLateMs().p50() <= r.wakeLateMs().p99() && r.wakeLateMs().p99() <= r.wakeLateMs().max());
        assertEquals(dev.segbench.results.PercentileIntervals.BATCH_MEANS, r.ci95Ms().method());
        assertEquals(5, r.ci95Ms().batches(), "1250 requests: 5 batches of 250 for p99");
        assertNotNull(r.ci95Ms().p99());
    }
}
