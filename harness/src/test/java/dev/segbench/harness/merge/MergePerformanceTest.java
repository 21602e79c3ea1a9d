package dev.segbench.harness.merge;

import dev.segbench.results.settings.Shard;

import dev.segbench.results.settings.Settings;

import dev.segbench.api.Precision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.PerformanceAtSize;
import dev.segbench.results.Run;
import dev.segbench.results.Server;
import dev.segbench.harness.load.SingleStreamScenario;
import dev.segbench.results.Latencies;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** How {@code segbench merge} treats the scenarios' results of shards. */
class MergePerformanceTest {

    private static Histogram steady(long micros, int count) {
        Histogram h = Latencies.newHistogram();
        h.recordValueWithCount(micros, count);
        return h;
    }

    private static Server server(double maxQps) {
        return new Server(Server.SEARCH, 50.0, maxQps, "poisson", 1, 1, List.of(), null);
    }

    private static Run shard(Histogram h, List<InFlightThroughput> grid, Server server) {
        Run.Measurement m = SingleStreamScenario.verdict(h, List.of(), 0.05, 1, 1, h.getTotalCount());
        PerformanceAtSize p = new PerformanceAtSize(64, 64, List.of("single-stream", "offline", "server"),
                null, null, Latencies.encode(h), m, grid, server, null);
        return Run.builder("m", "b", "fp32").performance(List.of(p)).build();
    }

    @Test
    void histogramsAddThroughputAveragesPerBatchAndInFlightAndOneShardsServerIsKept() {
        Run a = shard(steady(10_000, 100), List.of(new InFlightThroughput(1, 1, 100, 100, 1), new InFlightThroughput(1, 2, 180, 180, 1)),
                server(80));
        Run b = shard(steady(10_000, 50), List.of(new InFlightThroughput(1, 1, 90, 90, 1), new InFlightThroughput(1, 2, 160, 160, 1)),
                null);
        Run merged = Merger.mergeRuns(List.of(a, b), List.of(), 0.05);
        PerformanceAtSize p = merged.performance().getFirst();
        assertEquals(150, p.latencyMs().count());
        assertEquals(List.of(95.0, 170.0), p.throughput().stream().map(InFlightThroughput::imagesPerSecond).toList());
        assertEquals(List.of(1, 2), p.throughput().stream().map(InFlightThroughput::inFlight).toList());
        assertEquals(List.of(95.0, 170.0), merged.throughput().stream().map(Run.Throughput::imagesPerSecond).toList());
        assertEquals(80.0, p.server().maxQps(), "the only shard with a server result keeps it");
        assertEquals(Boolean.FALSE, merged.measurement().unstable());
        assertTrue(merged.measurement().valid());
    }

    /**
     * A merged cell agrees with itself: its rate is its summed images over its summed seconds (not the mean of the
     * shards' rates, which with windows of unequal length contradicts the summed requests and seconds written next
     * to it), and it is valid only if every shard's cell was.
     */
    /**
     * One merge path: the run's summary is the merged first size's (histograms added, device timings weighted by each
     * shard's single-stream requests), and shards read from files without sizes (schema 1) merge by the same path.
     */
    @Test
    void theMergedSummaryIsTheMergedFirstSizeAndOlderShardsTakeTheSamePath() {
        Run a = withDeviceTimings(shard(steady(10_000, 300), List.of(new InFlightThroughput(1, 1, 100, 100, 1)), null),
                new dev.segbench.api.DeviceTimings(1, 10, 1));
        Run b = withDeviceTimings(shard(steady(20_000, 100), List.of(new InFlightThroughput(1, 1, 50, 50, 1)), null),
                new dev.segbench.api.DeviceTimings(2, 20, 2));
        Run merged = Merger.mergeRuns(List.of(a, b), List.of(), 0.05);
        assertEquals(1, merged.performance().size());
        assertEquals(400, merged.latencyMs().count(), "the histograms added");
        assertEquals(merged.performance().getFirst().latencyHistogram(), merged.latencyHistogram());
        assertEquals(400, merged.measurement().iterations());
        assertEquals((10 * 300 + 20 * 100) / 400.0, merged.deviceTimingsMs().computeMs(), 1e-9, "weighted by requests");
        assertEquals(150.0 / 2, merged.throughput().getFirst().imagesPerSecond(), 1e-9, "150 images in 2 s");

        String old = """
                {"schema_version": 1, "settings": {"perf_height": 64, "perf_width": 64}, "runs": [
                  {"model": "m", "backend": "b", "precision": "fp32", "status": "ok", "latency_histogram": "%s",
                   "throughput": [{"batch": 1, "images_per_second": %s}]}]}""";
        Run oldA = readOne(String.format(java.util.Locale.ROOT, old, Latencies.encode(steady(10_000, 300)), "100.0"));
        Run oldB = readOne(String.format(java.util.Locale.ROOT, old, Latencies.encode(steady(20_000, 100)), "50.0"));
        Run mergedOld = Merger.mergeRuns(List.of(oldA, oldB), List.of(), 0.05);
        assertEquals(400, mergedOld.latencyMs().count(), "histograms of files without sizes add up too");
        assertEquals(75.0, mergedOld.throughput().getFirst().imagesPerSecond(), 1e-9, "rates without windows: their mean");
    }

    private static Run withDeviceTimings(Run r, dev.segbench.api.DeviceTimings t) {
        PerformanceAtSize p = r.firstSize();
        return r.toBuilder().performance(List.of(new PerformanceAtSize(p.height(), p.width(), p.scenarios(), p.latencyMs(),
                p.latencyCi95Ms(), p.latencyHistogram(), p.measurement(), p.throughput(), p.server(), p.telemetry(), t))).build();
    }

    private static Run readOne(String json) {
        try {
            return dev.segbench.results.ResultsJson.fromBytes(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "old")
                    .runs().getFirst();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aMergedOfflineCellsRateIsItsImagesOverItsSeconds() {
        Run.Measurement ok = new Run.Measurement(true, List.of(), 2, 10, 50);
        Run.Measurement cold = new Run.Measurement(false, List.of("warm-up skipped (--warmup 0)"), 0, 2, 5);
        // batch 4: 50 requests in 10 s (20 img/s) and 5 requests in 2 s (10 img/s)
        Run a = shard(steady(10_000, 10), List.of(new InFlightThroughput(4, 2, 20, 50, 10, 1, ok)), null);
        Run b = shard(steady(10_000, 10), List.of(new InFlightThroughput(4, 2, 10, 5, 2, 1, cold)), null);
        Run merged = Merger.mergeRuns(List.of(a, b), List.of(), 0.05);
        InFlightThroughput t = merged.performance().getFirst().throughput().getFirst();
        assertEquals(55, t.requests());
        assertEquals(12, t.seconds(), 1e-12);
        assertEquals(55 * 4 / 12.0, t.imagesPerSecond(), 1e-9, "summed images / summed seconds, not (20 + 10) / 2");
        assertEquals(t.imagesPerSecond(), merged.throughput().getFirst().imagesPerSecond(), 1e-12,
                "the run's own throughput says the same");
        assertEquals(1, t.threadsPerRequest());
        assertFalse(t.measurement().valid());
        assertEquals(List.of("warm-up skipped (--warmup 0)"), t.measurement().reasons());
        assertEquals(55, t.measurement().iterations());
    }

    @Test
    void twoShardsServerSearchesAreNotMergedAndTheWarningSaysSo() {
        Run a = shard(steady(10_000, 10), List.of(), server(80));
        Run b = shard(steady(10_000, 10), List.of(), server(60));
        Set<String> warnings = new LinkedHashSet<>();
        List<PerformanceAtSize> merged = Merger.mergePerformance(List.of(a, b), 0.05, warnings);
        assertNull(merged.getFirst().server());
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("server scenario at 64x64 not merged: 2 shards")), warnings.toString());
    }

    @Test
    void mergedShardsThatVaryTogetherAreUnstableNotInvalid() {
        Run a = shard(steady(10_000, 100), List.of(), null);
        Run b = shard(steady(30_000, 100), List.of(), null); // each steady, together a CV of 0.5
        Run merged = Merger.mergeRuns(List.of(a, b), List.of(), 0.05);
        assertTrue(merged.measurement().valid(), merged.measurement().reasons().toString());
        assertEquals(Boolean.TRUE, merged.measurement().unstable());
        assertTrue(merged.measurement().cv() > 0.4);
        assertFalse(merged.performance().getFirst().measurement().reasons().stream().anyMatch(r -> r.contains("CV")));
    }

    /** Each shard judged its own samples; the merged file judges the merged numbers again with the compare's gate. */
    @Test
    void theGateIsJudgedAgainOnTheMergedRuns() {
        dev.segbench.results.settings.Settings settings = new dev.segbench.results.settings.Settings(
                new Settings.Selection(List.of("m"), List.of("b"), List.of(Precision.FP32, Precision.FP16), java.util.Map.of(),
                        42, new Settings.Reference("b", Precision.FP32)),
                new Settings.Data("fake:4", dev.segbench.api.DatasetOptions.defaults(), Shard.ALL, 1, 0),
                new Settings.Performance(List.of(1), true, 8, 8, 0, 0, 1, 0.05),
                new Settings.Session(0, java.util.Map.of(), null), Settings.Execution.defaults(), java.nio.file.Path.of("out"),
                null, new Settings.Recorded(null, List.of("b"), "b:fp32", "b:fp32", "0/2+1/2", "agreement>=0.99"));
        Run ref = Run.builder("m", "b", "fp32").build();
        Run half = Run.builder("m", "b", "fp16").agreement(new Run.Agreement("b:fp32", 0.985, 0.97, null))
                .gate(new dev.segbench.results.Gate(true, List.of())).build(); // a shard's own verdict, now stale
        Run other = Run.builder("m", "c", "fp32").build(); // added only as someone's reference elsewhere: not selected
        List<Run> judged = Merger.judged(List.of(ref, half, other), settings);
        assertEquals(dev.segbench.results.Gate.NOT_APPLICABLE, judged.get(0).gate().conditions().getFirst().status());
        assertFalse(judged.get(1).gate().passed(), "0.985 < 0.99 over all samples");
        assertEquals(0.985, judged.get(1).gate().conditions().getFirst().value());
        assertNull(judged.get(2).gate());
    }
    /**
     * Three shards, each steady on its own machine (10, 11 and 12 ms): pooled into one sample, i.i.d. intervals see
     * 1200 values and gives an interval of a single bucket, as if another run would land on the same p50; between
     * the shards the p50 varies by 2 ms, and the merged interval says so.
     */
    @Test
    void mergedIntervalsComeFromTheVariationBetweenShards() {
        Histogram pooled = Latencies.newHistogram();
        List<Run> shards = new java.util.ArrayList<>();
        for (long micros : new long[] {10_000, 11_000, 12_000}) {
            Histogram h = Latencies.newHistogram();
            for (int i = 0; i < 400; i++) {
                h.recordValue(micros + i % 7); // nearly steady within a shard
            }
            pooled.add(h);
            shards.add(shard(h, List.of(), null));
        }
        dev.segbench.results.PercentileIntervals ci = Merger.mergePerformance(shards, 0.05, new LinkedHashSet<>())
                .getFirst().latencyCi95Ms();
        assertEquals(dev.segbench.results.PercentileIntervals.BETWEEN_SHARDS, ci.method());
        assertEquals(3, ci.batches());
        // t(2) = 4.303, sd of the shards' p50s (10.003, 11.003, 12.003 ms) = 1 ms: half-width 4.303 / sqrt(3) = 2.48 ms
        assertEquals(2 * 2.484, ci.p50().hi() - ci.p50().lo(), 0.02, ci.toString());
        assertTrue(ci.p50().contains(pooled.getValueAtPercentile(50) / 1000.0));
        dev.segbench.results.PercentileIntervals iid = Latencies.intervalsMs(pooled);
        assertTrue(iid.p50().hi() - iid.p50().lo() < 0.1, "pooled i.i.d. intervals never see the shards differ: " + iid);
    }

    /**
     * The merged statistics are the merged histogram's, in memory and in the file written: p99 over three shards of
     * different speeds is the p99 of their added histograms (no shard's, nor any average of theirs), and reads back so.
     */
    @Test
    void aMergedFilesP99IsTheMergedHistogramsP99() throws Exception {
        Histogram pooled = Latencies.newHistogram();
        List<Run> shards = new java.util.ArrayList<>();
        long[][] shardLatencies = {{10_000, 400}, {11_000, 300}, {30_000, 20}}; // (microseconds, count): a slow tail
        for (long[] s : shardLatencies) {
            Histogram h = steady(s[0], (int) s[1]);
            pooled.add(h);
            shards.add(shard(h, List.of(), null));
        }
        Run merged = Merger.mergeRuns(shards, List.of(), 0.05);
        double pooledP99 = pooled.getValueAtPercentile(99) / 1000.0;
        assertEquals(30.0, pooledP99, 0.03, "the slow shard's 20 of 720 requests are the merged tail");
        assertEquals(pooledP99, merged.latencyMs().p99());
        assertEquals(Latencies.decode(merged.latencyHistogram()).getValueAtPercentile(99) / 1000.0, merged.latencyMs().p99());
        dev.segbench.results.Results file = new dev.segbench.results.Results(dev.segbench.results.Results.SCHEMA_VERSION,
                null, null, List.of(merged), null, null);
        Run read = dev.segbench.results.ResultsJson.fromBytes(dev.segbench.results.ResultsJson.toBytes(file), "merged")
                .runs().getFirst();
        assertEquals(pooledP99, read.latencyMs().p99());
        assertEquals(720, read.latencyMs().count());
        assertEquals(dev.segbench.results.PercentileIntervals.BETWEEN_SHARDS, read.firstSize().latencyCi95Ms().method(),
                "the intervals between the shards are kept");
    }
}
