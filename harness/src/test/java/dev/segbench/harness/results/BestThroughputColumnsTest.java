package dev.segbench.harness.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.segbench.results.InFlightThroughput;
import dev.segbench.results.PerformanceAtSize;
import dev.segbench.results.Run;
import dev.segbench.results.Speedups;
import dev.segbench.harness.gate.GateMetric;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** summary.csv and the gate take "best throughput" from the one NaN-safe definition, with its configuration. */
class BestThroughputColumnsTest {

    private static Run run(String backend, double p50, List<InFlightThroughput> cells) {
        PerformanceAtSize p = new PerformanceAtSize(64, 64, List.of("offline"), null, null, null, null, cells, null, null);
        return Run.builder("m", backend, "fp32").latencyMs(new Run.Latency(p50, p50, p50, p50, p50, p50, 0, 10, p50, 0.0, List.of()))
                .performance(List.of(p)).build();
    }

    private static String column(String csv, int row, String name) {
        List<String> header = Arrays.asList(csv.lines().toList().getFirst().split(","));
        return csv.lines().toList().get(row).split(",", -1)[header.indexOf(name)];
    }

    @Test
    void aNanCellIsNeverTheBestAndTheBestComesWithItsConfigurationAndSpeedUp() {
        Run ort = run("cpu", 100, List.of(new InFlightThroughput(1, 1, 13, 10, 1, 2, null),
                new InFlightThroughput(1, 2, 16.25, 10, 1, 1, null), new InFlightThroughput(8, 1, Double.NaN, 0, 0, 2, null)));
        Run torch = run("pytorch", 250, List.of(new InFlightThroughput(1, 1, 6.5, 10, 1, 2, null)));
        String csv = ResultsFiles.summaryCsv(Speedups.apply(List.of(ort, torch), "pytorch:fp32"));
        assertEquals("16.2500", column(csv, 1, "best_images_per_s"));
        assertEquals("1", column(csv, 1, "best_batch"));
        assertEquals("2", column(csv, 1, "best_in_flight"));
        assertEquals("1", column(csv, 1, "best_threads_per_request"));
        assertEquals("13.0000", column(csv, 1, "one_request_images_per_s"));
        assertEquals("1.25000", column(csv, 1, "best_gain"));
        assertEquals("pytorch:fp32", column(csv, 1, "baseline"));
        assertEquals("2.50000", column(csv, 1, "speedup_latency"));
        assertEquals("2.50000", column(csv, 1, "speedup_throughput"));
        assertEquals("", column(csv, 2, "speedup_latency"), "the baseline has no speed-up against itself");
        assertEquals(16.25, GateMetric.IMAGES_PER_S.of(ort, null));
    }
}
