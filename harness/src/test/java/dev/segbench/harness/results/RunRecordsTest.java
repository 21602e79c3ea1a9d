package dev.segbench.harness.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.segbench.api.DeviceTimings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --resume} reads the run records an older segbench wrote, whose runs repeated their first size at the top. */
class RunRecordsTest {

    @TempDir
    Path out;

    @Test
    void anOlderRecordsRunReadsItsSummaryFromItsFirstSize() throws Exception {
        RunRecords records = new RunRecords(out);
        Files.createDirectories(records.dir());
        org.HdrHistogram.Histogram latency = dev.segbench.results.Latencies.newHistogram();
        latency.recordValueWithCount(100_000, 10);
        String h = dev.segbench.results.Latencies.encode(latency);
        Files.writeString(records.file("m-cpu-fp32"), """
                {"schema_version": 1, "key": "m/cpu/fp32", "fingerprint": "f", "run": {
                  "model": "m", "backend": "cpu", "precision": "fp32", "status": "ok",
                  "latency_histogram": "%s", "device_timings_ms": {"h2d_ms": 0.5, "compute_ms": 2, "d2h_ms": 0.25},
                  "performance": [{"height": 64, "width": 64, "latency_histogram": "%s",
                                   "throughput": [{"batch": 1, "in_flight": 1, "images_per_second": 9.5}]}]}}""".formatted(h, h));
        RunRecord r = records.read("m-cpu-fp32");
        assertEquals(new DeviceTimings(0.5, 2, 0.25), r.run().deviceTimingsMs(), "kept only at the top by older writers");
        assertEquals(h, r.run().latencyHistogram());
        assertEquals(100.0, r.run().latencyMs().p50(), 0.1, "derived from the histogram");
        assertEquals(9.5, r.run().throughput().getFirst().imagesPerSecond());
    }
}
