package dev.segbench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segbench.api.DeviceTelemetry;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The new results records have the JSON shape issue 14 asks for, in snake_case, and read back equal. */
class ScenarioRecordsJsonTest {

    private static final ObjectMapper JSON = ResultsJson.mapper();

    static Server server() {
        PercentileIntervals ci = new PercentileIntervals(0.95, 0, 0, new PercentileIntervals.Interval(9.9, 10.2),
                new PercentileIntervals.Interval(30, 41.5), PercentileIntervals.BATCH_MEANS, 5);
        org.HdrHistogram.Histogram overloaded = Latencies.newHistogram();
        for (int i = 0; i < 300; i++) {
            overloaded.recordValue(400_000 + 3_000L * i); // 0.4 to 1.3 s: the queue grew
        }
        return new Server(Server.SEARCH, 50.0, 61.25, "poisson", 1, 1, List.of(
                new Server.Trial(98, 71.5, 300, new Server.Percentiles(400, 900, 1200.0, 1300.0, 1310), null, 120, false, false, Latencies.encode(overloaded), null),
                new Server.Trial(61.25, 60.9, 300, new Server.Percentiles(10.4, 22, 48.0, 49.0, 49.5), ci, 4, true, true, null, new Server.Lateness(0.05, 0.2, 0.9, 290))),
                null);
    }

    @Test
    void serverHasTheIssuesShape() throws Exception {
        JsonNode node = JSON.readTree(JSON.writeValueAsBytes(server()));
        assertEquals(50.0, node.get("p99_bound_ms").asDouble());
        assertEquals(61.25, node.get("max_qps").asDouble());
        JsonNode trial = node.get("trials").get(1);
        for (String field : List.of("target_qps", "achieved_qps", "latency_ms", "max_queue_depth", "valid")) {
            assertTrue(trial.has(field), field + " missing in " + trial);
        }
        assertEquals(Set.of("p50", "p90", "p99", "p999", "max"), names(trial.get("latency_ms")));
        assertEquals(41.5, trial.get("ci95_ms").get("p99").get("hi").asDouble());
        assertFalse(node.has("note"), "nulls are left out");
        assertEquals(server(), JSON.readValue(JSON.writeValueAsBytes(server()), Server.class));
    }

    @Test
    void gateTelemetryAndPerformanceRoundTrip() throws Exception {
        Gate gate = new Gate(false, List.of(new Gate.Condition("agreement>=0.99", Gate.PASS, 0.995, 0.99, null),
                new Gate.Condition("p99-ms<=120", Gate.FAIL, 131.0, 120.0, "p99-ms 131 > 120")));
        assertEquals(gate, JSON.readValue(JSON.writeValueAsBytes(gate), Gate.class));
        Telemetry t = new Telemetry(new Telemetry.CpuFrequency("/proc/cpuinfo", 2, List.of(), 2445.4, 2445.4, null),
                new DeviceTelemetry("gpu0", 1980.0, null, 61.0, null, List.of("sw_power_cap")));
        JsonNode tn = JSON.readTree(JSON.writeValueAsBytes(t));
        assertEquals(2445.4, tn.get("cpu").get("current_mhz_max").asDouble());
        assertEquals("sw_power_cap", tn.get("device").get("throttle_reasons").get(0).asText());
        assertEquals(t, JSON.readValue(JSON.writeValueAsBytes(t), Telemetry.class));
        PerformanceAtSize p = new PerformanceAtSize(384, 512, List.of("offline", "server"), null, null, null, null,
                List.of(new InFlightThroughput(6, 2, 120.5, 40, 2.0)), server(), t);
        JsonNode pn = JSON.readTree(JSON.writeValueAsBytes(p));
        assertEquals(2, pn.get("throughput").get(0).get("in_flight").asInt());
        assertEquals("384x512", p.size());
        assertEquals(p, JSON.readValue(JSON.writeValueAsBytes(p), PerformanceAtSize.class));
    }

    @Test
    void oldThroughputEntriesReadAsOneInFlight() throws Exception {
        byte[] old = JSON.writeValueAsBytes(new Run.Throughput(8, 250.0));
        InFlightThroughput t = JSON.readValue(old, InFlightThroughput.class);
        assertEquals(8, t.batch());
        assertEquals(1, t.inFlight());
        assertEquals(250.0, t.imagesPerSecond());
    }

    @Test
    void intervalsRefuseReversedBounds() {
        assertThrows(IllegalArgumentException.class, () -> new PercentileIntervals.Interval(2, 1));
        assertTrue(new PercentileIntervals.Interval(1, 2).contains(1.5));
    }

    private static Set<String> names(JsonNode node) {
        Set<String> out = new TreeSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** A run written before scenarios existed reads with one request in flight and no unstable flag. */
    @Test
    void aRunOfAnOlderFileReadsWithOneInFlightAndNoFlag() throws Exception {
        String old = """
                {"schema_version": 2, "runs": [{"model": "arch1", "backend": "cpu", "precision": "fp32", "status": "ok",
                 "throughput": [{"batch": 1, "images_per_second": 19.5}, {"batch": 8, "images_per_second": 24.0}],
                 "measurement": {"valid": false, "reasons": ["batch-1 latency varies too much"], "warmup_seconds": 2,
                                 "duration_seconds": 5, "iterations": 90}}]}
                """;
        Run run = ResultsJson.fromBytes(old.getBytes(java.nio.charset.StandardCharsets.UTF_8), "old").runs().getFirst();
        assertEquals(List.of(1, 1), run.throughput().stream().map(Run.Throughput::inFlight).toList());
        assertEquals(1, run.performance().size(), "the run's own fields read as its one size");
        assertEquals(null, run.gate());
        assertEquals(null, run.measurement().unstable());
        assertFalse(run.measurement().valid());
    }

    /** The new run fields: performance per size, gate, the unstable flag with its figures, in_flight on throughput. */
    @Test
    void theRunsNewFieldsRoundTrip() throws Exception {
        Run.Measurement m = new Run.Measurement(true, List.of(), 2, 5, 300, true, 0.12, 0.04, 0.05);
        Run run = Run.builder("arch1", "cpu", "fp32").measurement(m)
                .throughput(List.of(new Run.Throughput(1, 20, 1), new Run.Throughput(8, 30, 2)))
                .performance(List.of(new PerformanceAtSize(512, 512, List.of("single-stream"), null, null, null, m,
                        List.of(), null, null)))
                .gate(new Gate(true, List.of(new Gate.Condition("agreement>=0.99", Gate.PASS, 0.995, 0.99, null))))
                .build();
        JsonNode node = JSON.readTree(JSON.writeValueAsBytes(run));
        JsonNode first = node.get("performance").get(0);
        assertTrue(first.get("measurement").get("unstable").asBoolean());
        assertEquals(0.04, first.get("measurement").get("robust_spread").asDouble());
        assertEquals(0.05, first.get("measurement").get("cv_threshold").asDouble());
        assertEquals(2, first.get("throughput").get(1).get("in_flight").asInt());
        assertFalse(node.has("measurement"), "stored once, in its size");
        assertEquals("512", node.get("performance").get(0).get("height").asText());
        assertTrue(node.get("gate").get("passed").asBoolean());
        Run back = JSON.readValue(JSON.writeValueAsBytes(run), Run.class);
        assertEquals(run.measurement(), back.measurement());
        assertEquals(run.throughput(), back.throughput());
        assertEquals(run.gate(), back.gate());
        assertEquals(run.performance(), back.performance());
    }
}
