package dev.segbench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one definition of "best throughput", the best configuration against one request, and the speed-up column. */
class BestThroughputAndSpeedupTest {

    private static InFlightThroughput cell(int batch, int k, int threads, double ips) {
        return new InFlightThroughput(batch, k, ips, 10, 1, threads, null);
    }

    private static Run run(String backend, double p50, InFlightThroughput... cells) {
        PerformanceAtSize p = new PerformanceAtSize(64, 64, List.of("offline"), null, null, null, null, List.of(cells), null, null);
        Run.Latency latency = new Run.Latency(p50, p50, p50, p50, p50, p50, 0, 10, p50, 0.0, List.of());
        return Run.builder("m", backend, "fp32").latencyMs(latency).performance(List.of(p)).build();
    }

    @Test
    void nanInfiniteAndNonPositiveRatesNeverWin() {
        InFlightThroughput good = cell(1, 2, 1, 16.5);
        assertSame(good, InFlightThroughput.best(List.of(cell(1, 1, 2, Double.NaN), good, cell(8, 1, 2, Double.POSITIVE_INFINITY),
                cell(8, 2, 1, -3), cell(1, 4, 1, 0))));
        assertNull(InFlightThroughput.best(List.of(cell(1, 1, 2, Double.NaN))));
        assertNull(InFlightThroughput.best(List.of()));
    }

    @Test
    void theBestConfigurationIsComparedWithOneRequestWithAllThreads() throws Exception {
        Run r = run("cpu", 100, cell(1, 1, 2, 13), cell(1, 2, 1, 16.25), cell(1, 1, 1, 9));
        Run.OfflineBest best = r.offlineBest();
        assertEquals(1, best.threadsPerRequest());
        assertEquals(2, best.inFlight());
        assertEquals(1, best.batch());
        assertEquals(13.0, best.oneRequestImagesPerSecond(), "batch 1, one in flight, the most threads");
        assertEquals(1.25, best.gain(), 1e-12);
        // written to results.json for readers, and a file with it still reads
        String json = ResultsJson.mapper().writeValueAsString(r);
        com.fasterxml.jackson.databind.JsonNode node = ResultsJson.mapper().readTree(json).get("offline_best");
        assertEquals(1, node.get("threads_per_request").asInt(), json);
        assertEquals(2, node.get("in_flight").asInt());
        assertEquals(16.25, node.get("images_per_second").asDouble());
        assertEquals(1.25, node.get("gain").asDouble(), 1e-12);
        Run back = ResultsJson.mapper().readValue(json, Run.class);
        assertEquals(best, back.offlineBest());
    }

    @Test
    void speedUpIsTheBaselinesP50OverTheRunsAndTheBestRatesRatio() {
        Run base = run("pytorch", 300, cell(1, 1, 2, 3.5));
        Run ort = run("cpu", 100, cell(1, 1, 2, 10), cell(1, 2, 1, 14));
        Run failed = Run.notRun("m", "opencv", "fp32", Run.FAILED, "boom");
        List<Run> out = Speedups.apply(List.of(base, ort, failed), "pytorch:fp32");
        assertNull(out.get(0).speedup(), "the baseline itself");
        assertEquals(new Run.Speedup("pytorch:fp32", 3.0, 4.0), out.get(1).speedup());
        assertNull(out.get(2).speedup());
        assertTrue(Speedups.apply(List.of(base, ort), null).stream().allMatch(r -> r.speedup() == null));
        assertTrue(Speedups.apply(List.of(ort), "pytorch:fp32").stream().allMatch(r -> r.speedup() == null),
                "no baseline run of the model: nothing to compare with");
    }

    /** An offline cell that broke a rule makes the run's measurement invalid (ok*), naming the cell. */
    @Test
    void anInvalidOfflineCellIsABrokenRuleOfTheRun() {
        Run.Measurement cold = new Run.Measurement(false, List.of("warm-up skipped (--warmup 0)"), 0, 5, 40);
        Run r = run("cpu", 100, cell(1, 1, 2, 13), new InFlightThroughput(8, 2, 15, 4, 5, 1, cold));
        assertTrue(Stability.invalid(r));
        assertEquals(List.of("offline 64x64 1 thread x 2 in flight x batch 8: warm-up skipped (--warmup 0)"),
                Stability.brokenRules(r));
        Run single = r.toBuilder().measurement(cold).build();
        assertEquals(List.of("warm-up skipped (--warmup 0)"), Stability.brokenRules(single), "said once, by single-stream");
    }
}
