package dev.segbench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * A run stores its latency histograms once and derives their statistics on read: the statistics written next to a
 * histogram (for readers of results.json) can never disagree with it, whatever a file says.
 */
class StoredHistogramTest {

    /** 400 requests of 1 to 100 ms: p50 50 ms, p99 99 ms. */
    static Histogram hundredMs() {
        Histogram h = Latencies.newHistogram();
        for (int ms = 1; ms <= 100; ms++) {
            h.recordValueWithCount(ms * 1000L, 4);
        }
        return h;
    }

    /** Latencies compared as written (their cdf points are arrays, which records compare by identity). */
    static void assertSameLatency(Run.Latency expected, Run.Latency actual) {
        assertEquals(ResultsJson.mapper().valueToTree(expected), ResultsJson.mapper().valueToTree(actual));
    }

    private static Run readOne(String json) throws IOException {
        return ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "results.json").runs().getFirst();
    }

    private static String file(String size) {
        return """
                {"schema_version": 4, "runs": [{"model": "m", "backend": "b", "precision": "fp32", "status": "ok",
                  "performance": [%s]}]}""".formatted(size);
    }

    /** A file whose latency_ms and intervals disagree with its histogram (edited, or merged by hand) reads the histogram's. */
    @Test
    void aSizesStatisticsAndIntervalsAreItsHistogramsWhateverTheFileSays() throws Exception {
        Histogram h = hundredMs();
        Run run = readOne(file("""
                {"height": 64, "width": 64, "latency_histogram": "%s",
                 "latency_ms": {"p50": 1.0, "p90": 1.0, "p95": 1.0, "p99": 1.0, "max": 1.0, "mean": 1.0, "stddev": 0,
                                "count": 7},
                 "latency_ci95_ms": {"level": 0.95, "resamples": 2000, "seed": 1, "p50": {"lo": 0.5, "hi": 0.6},
                                     "p99": {"lo": 0.5, "hi": 0.6}, "method": "bootstrap"}}""".formatted(Latencies.encode(h))));
        assertSameLatency(Latencies.stats(h), run.latencyMs());
        assertEquals(99.0, run.latencyMs().p99(), 99e-3, "the histogram's p99, not the 1.0 the file says");
        assertEquals(400, run.latencyMs().count());
        assertEquals(Latencies.intervalsMs(h), run.firstSize().latencyCi95Ms());
        assertEquals(PercentileIntervals.ORDER_STATISTICS, run.firstSize().latencyCi95Ms().method());
        assertTrue(run.firstSize().latencyCi95Ms().p99().contains(run.latencyMs().p99()));
    }

    /** Intervals between shards need each shard's histogram, which the merged one has lost: those stay as stored. */
    @Test
    void betweenShardsIntervalsAreKeptAsStored() throws Exception {
        PercentileIntervals shards = new PercentileIntervals(0.95, 0, 0, new PercentileIntervals.Interval(40, 60), null,
                PercentileIntervals.BETWEEN_SHARDS, 3);
        PerformanceAtSize p = new PerformanceAtSize(64, 64, null, null, shards, Latencies.encode(hundredMs()), null, null,
                null, null);
        assertEquals(shards, p.latencyCi95Ms());
        PerformanceAtSize read = ResultsJson.mapper().readValue(ResultsJson.mapper().writeValueAsBytes(p), PerformanceAtSize.class);
        assertEquals(shards, read.latencyCi95Ms());
        assertSameLatency(Latencies.stats(hundredMs()), read.latencyMs());
    }

    /** A server trial's percentiles likewise: its batch-means intervals (arrival order) are stored. */
    @Test
    void aTrialsPercentilesAreItsHistograms() throws Exception {
        Histogram h = hundredMs();
        PercentileIntervals batchMeans = new PercentileIntervals(0.95, 0, 0, new PercentileIntervals.Interval(45, 55),
                null, PercentileIntervals.BATCH_MEANS, 5);
        Server.Trial given = new Server.Trial(10, 10, 400, new Server.Percentiles(1, 1, 1.0, 1.0, 1), batchMeans, 2, true,
                true, Latencies.encode(h), null);
        Server.Trial read = ResultsJson.mapper().readValue(ResultsJson.mapper().writeValueAsBytes(given), Server.Trial.class);
        for (Server.Trial t : java.util.List.of(given, read)) {
            assertEquals(50.0, t.latencyMs().p50(), 50e-3);
            assertEquals(99.0, t.latencyMs().p99(), 99e-3);
            assertEquals(null, t.latencyMs().p999(), "400 requests do not support p99.9");
            assertEquals(100.0, t.latencyMs().max(), 100e-3);
            assertEquals(batchMeans, t.ci95Ms());
        }
    }

    /** results.json still shows the statistics to its readers (jq), equal to the histogram's. */
    @Test
    void writtenFilesShowTheDerivedStatistics() throws Exception {
        Histogram h = hundredMs();
        Run run = Run.builder("m", "b", "fp32").performance(java.util.List.of(new PerformanceAtSize(64, 64, null, null,
                null, Latencies.encode(h), null, null, null, null))).build();
        var json = ResultsJson.mapper().readTree(ResultsJson.toBytes(new Results(Results.SCHEMA_VERSION, null, null,
                java.util.List.of(run), null, null)));
        var size = json.get("runs").get(0).get("performance").get(0);
        assertEquals(h.getValueAtPercentile(99) / 1000.0, size.get("latency_ms").get("p99").asDouble());
        assertEquals(400, size.get("latency_ms").get("count").asLong());
        assertEquals(PercentileIntervals.ORDER_STATISTICS, size.get("latency_ci95_ms").get("method").asText());
    }

    @Test
    void aHistogramThatDoesNotDecodeIsRefusedNamingTheFile() {
        IOException e = assertThrows(IOException.class, () -> readOne(file("""
                {"height": 64, "width": 64, "latency_histogram": "not a histogram"}""")));
        assertTrue(e.getMessage().startsWith("results.json: "), e.getMessage());
        assertTrue(e.getMessage().contains("latency histogram is not a compressed HdrHistogram"), e.getMessage());
    }
}
