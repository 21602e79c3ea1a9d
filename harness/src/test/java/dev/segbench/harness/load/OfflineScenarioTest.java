package dev.segbench.harness.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.BackendException;
import dev.segbench.api.Progress;
import dev.segbench.api.results.InFlightThroughput;
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
        // and K all the time: with K-1 the mean could not exceed K-1 (a loaded machine's wake-up delays cost a little)
        double mean = sut.meanInFlight(from, to);
        assertTrue(mean >= 0.9 * k && mean <= k, "time-weighted mean in flight " + mean + " for K=" + k);
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
        OfflineScenario.Outcome o = OfflineScenario.measure(sut, 1, 2, new OfflineScenario.Settings(0, 0, 40),
                Progress.NONE, "test");
        assertTrue(o.throughput().requests() >= 40);
        assertTrue(o.throughput().requests() <= 41, "stops as soon as the count is met: " + o.throughput().requests());
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
