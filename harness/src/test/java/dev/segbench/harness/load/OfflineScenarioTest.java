package dev.segbench.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.BackendException;
import dev.segbench.api.Progress;
import dev.segbench.results.InFlightThroughput;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The offline scenario keeps exactly K requests in flight and counts every request of its window, no more. */
class OfflineScenarioTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4})
    void keepsExactlyKInFlightAndCountsEveryRequestOfTheWindow(int k) throws Exception {
        SleepingSut sut = SleepingSut.fixed(5);
        OfflineScenario.Outcome o = OfflineScenario.measure(sut, 2, k, new OfflineScenario.Settings(0.02, 0.4, 10),
                Progress.NONE, "test");
        long from = o.windowStartNanos();
        long to = o.windowEndNanos();
        // never more than K, inside the window or outside it
        assertEquals(k, sut.maxInFlight(), "most requests in flight at once, as the SUT saw it");
        assertEquals(k, sut.maxInFlight(from, to));
        // that K are kept in flight all the time is keepsKInFlightAtEveryRequest's: a time-weighted mean here would
        // depend on how fast a loaded machine wakes K threads up
        // counts: exactly the calls that started in the window, all of which ended in it
        List<SleepingSut.Call> inWindow = sut.callsStartedIn(from, to);
        InFlightThroughput t = o.throughput();
        assertEquals(inWindow.size(), t.requests());
        assertTrue(inWindow.stream().allMatch(c -> c.end() <= to), "a counted request ended after the window");
        assertEquals(sut.calls().size() - inWindow.size(), sut.calls().stream().filter(c -> c.end() <= from).count(),
                "every other call is a warm-up call that ended before the window");
        assertTrue(sut.calls().stream().filter(c -> c.start() < from).map(SleepingSut.Call::worker).distinct().count() == k,
                "every worker warmed up");
        assertEquals(2, t.batch());
        assertEquals(k, t.inFlight());
        assertEquals((to - from) / 1e9, t.seconds(), 1e-9);
        assertEquals(t.requests() * 2 / t.seconds(), t.imagesPerSecond(), 1e-6);
        assertTrue(t.seconds() >= 0.4 && t.requests() >= 10);
        // K workers of 5 ms do at most K * 200 requests/s, and more than one worker could only if they overlapped
        double rps = t.requests() / t.seconds();
        assertTrue(rps <= k * 200.0, "requests/s " + rps);
        assertTrue(k == 1 || rps > 200, "requests/s " + rps + " with K=" + k);
    }

    @Test
    void meetsTheMinimumCountWhenItTakesLongerThanTheDuration() throws Exception {
        SleepingSut sut = SleepingSut.fixed(2);
        OfflineScenario.Outcome o = OfflineScenario.measure(sut, 1, 2, new OfflineScenario.Settings(0.01, 0, 40),
                Progress.NONE, "test");
        assertTrue(o.throughput().requests() >= 40);
        assertTrue(o.throughput().requests() <= 41, "stops as soon as the count is met: " + o.throughput().requests());
        assertTrue(o.throughput().measurement().valid(), o.throughput().measurement().reasons().toString());
    }

    @Test
    void theMinimumCountIsInImagesAsLoadGensOfflineCountsSamples() throws Exception {
        SleepingSut sut = SleepingSut.fixed(2);
        OfflineScenario.Outcome o = OfflineScenario.measure(sut, 4, 1, new OfflineScenario.Settings(0.01, 0, 40),
                Progress.NONE, "test");
        assertEquals(10, o.throughput().requests(), "40 images of batch 4 are 10 requests");
    }

    /**
     * With a known service time (5 ms a request, 1 in flight) the warm-up runs for --warmup, untimed: its requests
     * are not in the window and the verdict records how long it ran.
     */
    @Test
    void theWarmupRunsForItsDurationOutsideTheWindow() throws Exception {
        SleepingSut sut = SleepingSut.fixed(5);
        OfflineScenario.Outcome o = OfflineScenario.measure(sut, 1, 1, new OfflineScenario.Settings(0.2, 0.1, 5),
                Progress.NONE, "test");
        long warmups = sut.calls().stream().filter(c -> c.end() <= o.windowStartNanos()).count();
        assertTrue(warmups >= 10, "0.2 s of 5 ms requests is far more than one warm-up request: " + warmups);
        assertEquals(sut.calls().size() - warmups, o.throughput().requests(), "warm-up requests are not counted");
        assertTrue(o.throughput().measurement().warmupSeconds() >= 0.2);
        assertTrue(o.throughput().measurement().valid(), o.throughput().measurement().reasons().toString());
    }

    @Test
    void aCellBelowItsMinimumsIsInvalidWithEachReason() throws Exception {
        // 5 ms a request: 1000 images cannot be timed within the 0.1 s cap, and no warm-up was asked for
        SleepingSut sut = SleepingSut.fixed(5);
        OfflineScenario.Outcome o = OfflineScenario.measure(sut, 1, 2, new OfflineScenario.Settings(0, 0.05, 1000, 0.1),
                Progress.NONE, "test");
        InFlightThroughput t = o.throughput();
        assertTrue(t.seconds() >= 0.1 && t.seconds() < 5, "stopped at the cap: " + t.seconds());
        assertFalse(t.measurement().valid());
        assertEquals(2, t.measurement().reasons().size(), t.measurement().reasons().toString());
        assertEquals("warm-up skipped (--warmup 0)", t.measurement().reasons().get(0));
        assertTrue(t.measurement().reasons().get(1).matches("\\d+ images timed, fewer than the minimum 1000 \\(stopped at "
                + "the 0\\.1 s cap of a cell\\)"), t.measurement().reasons().get(1));
        assertEquals(t.requests() / t.seconds(), t.imagesPerSecond(), 1e-9, "what was measured is still recorded");
    }

    /**
     * K in flight at every request, on any machine: the SUT holds each request until K are inside at once (or 2 s
     * pass), so a harness that keeps K in flight gets every request through at once, while one that keeps fewer
     * gets none through. Only each worker's last request may wait (its partners stopped); no timing is judged.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void keepsKInFlightAtEveryRequest(int k) throws Exception {
        RendezvousSut sut = new RendezvousSut(k, 2_000_000_000L);
        OfflineScenario.Outcome o = OfflineScenario.measure(sut, 1, k, new OfflineScenario.Settings(0.01, 0.05, 20),
                Progress.NONE, "test");
        long timed = o.throughput().requests();
        long alone = sut.timedOutStartedIn(o.windowStartNanos(), o.windowEndNanos());
        assertTrue(timed >= 20);
        assertTrue(alone <= k - 1, alone + " of " + timed + " timed requests never saw " + k + " in flight");
    }

    @Test
    void aFailingRequestStopsEveryWorkerAndIsReported() {
        SleepingSut sut = SleepingSut.fixed(1);
        sut.failOnCall = 30;
        BackendException e = assertThrows(BackendException.class, () -> OfflineScenario.measure(sut, 1, 3,
                new OfflineScenario.Settings(0, 60, 1), Progress.NONE, "test"));
        assertTrue(e.getMessage().contains("call 30 failed"), e.getMessage());
        assertTrue(sut.calls().size() < 40, "the other workers stopped: " + sut.calls().size());
    }

    @Test
    void sweepsEveryBatchAndInFlightPair() throws Exception {
        SleepingSut sut = SleepingSut.fixed(1);
        List<InFlightThroughput> grid = OfflineScenario.sweep(sut, List.of(1, 3), List.of(1, 2),
                new OfflineScenario.Settings(0, 0.02, 4), Progress.NONE, "test");
        assertEquals(List.of("1x1", "1x2", "3x1", "3x2"), grid.stream().map(t -> t.batch() + "x" + t.inFlight()).toList());
        assertTrue(sut.calls().stream().anyMatch(c -> c.batch() == 3));
    }
}
