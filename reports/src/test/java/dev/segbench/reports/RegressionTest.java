package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegressionTest {

    private static final double THRESHOLD = 0.05;

    @Test
    void p50MadeTwentyPercentWorseFlagsExactlyThatMetric() {
        List<Run> baselineRuns = SampleResults.fullGrid(3);
        Run victim = baselineRuns.get(5);
        List<Run> currentRuns = new ArrayList<>(baselineRuns);
        currentRuns.set(5, withP50(victim, victim.latencyMs().p50() * 1.2));

        List<MetricChange> changes = Regression.compare(results(currentRuns), results(baselineRuns), THRESHOLD);

        List<MetricChange> flagged = changes.stream().filter(MetricChange::flagged).toList();
        assertEquals(1, flagged.size(), () -> "flagged: " + flagged);
        MetricChange c = flagged.getFirst();
        assertEquals("latency p50 ms", c.metric());
        assertEquals(victim.key(), c.runKey());
        assertEquals(victim.latencyMs().p50(), c.oldValue());
        assertEquals(0.2, c.relativeChange(), 1e-9);
        assertEquals(MetricChange.Verdict.WORSE, c.verdict());
        // every other compared metric is unchanged, and each run contributes its metrics
        assertTrue(changes.stream().filter(x -> x != c).allMatch(x -> x.verdict() == MetricChange.Verdict.UNCHANGED));
        assertTrue(changes.size() > 12 * 10, "too few metrics compared: " + changes.size());
    }

    @Test
    void directionDecidesWhatIsARegression() {
        List<Run> base = SampleResults.fullGrid(3);
        Run r = base.getFirst();
        List<Run> faster = List.of(withP50(r, r.latencyMs().p50() * 0.7));
        List<MetricChange> improved = Regression.compare(results(faster), results(List.of(r)), THRESHOLD);
        MetricChange p50 = metric(improved, "latency p50 ms");
        assertEquals(MetricChange.Verdict.BETTER, p50.verdict());
        assertFalse(p50.flagged(), "an improvement is not a regression");

        Run lessAccurate = withMiou(r, r.accuracy().miou() * 0.9);
        MetricChange miou = metric(Regression.compare(results(List.of(lessAccurate)), results(List.of(r)), THRESHOLD), "mIoU");
        assertEquals(MetricChange.Verdict.WORSE, miou.verdict());
        assertTrue(miou.flagged());

        Run slightlyLess = withMiou(r, r.accuracy().miou() * 0.97);
        MetricChange small = metric(Regression.compare(results(List.of(slightlyLess)), results(List.of(r)), THRESHOLD), "mIoU");
        assertEquals(MetricChange.Verdict.WORSE, small.verdict());
        assertFalse(small.flagged(), "3% is within a 5% threshold");
    }

    @Test
    void throughputIsComparedPerBatchHigherIsBetter() {
        Run r = SampleResults.fullGrid(3).getFirst();
        List<Run.Throughput> slower = r.throughput().stream()
                .map(t -> t.batch() == 8 ? new Run.Throughput(8, t.imagesPerSecond() * 0.5) : t).toList();
        Run changed = r.toBuilder().throughput(slower).build();
        List<MetricChange> flagged = Regression.compare(results(List.of(changed)), results(List.of(r)), THRESHOLD)
                .stream().filter(MetricChange::flagged).toList();
        assertEquals(List.of("throughput b8 images/s"), flagged.stream().map(MetricChange::metric).toList());
        assertEquals(-0.5, flagged.getFirst().relativeChange(), 1e-9);
    }

    @Test
    void runsThatStopWorkingAreStatusRegressions() {
        List<Run> base = SampleResults.fullGrid(3).subList(0, 3);
        Run first = base.get(0);
        List<Run> now = List.of(Run.notRun(first.model(), first.backend(), first.precision(), Run.FAILED, "CUDA error 700"),
                base.get(1));
        List<Regression.StatusChange> changes = Regression.statusChanges(results(now), results(base));
        assertEquals(2, changes.size(), changes::toString);
        assertTrue(changes.stream().allMatch(Regression.StatusChange::regression));
        assertTrue(changes.stream().anyMatch(c -> c.runKey().equals(base.get(2).key()) && c.newStatus() == null));
        assertTrue(Regression.compare(results(now), results(base), THRESHOLD).stream()
                .noneMatch(c -> c.runKey().equals(first.key())), "a failed run has no metrics to compare");
    }

    @Test
    void rejectsNegativeThreshold() {
        Results r = results(List.of());
        assertThrows(IllegalArgumentException.class, () -> Regression.compare(r, r, -0.1));
    }

    @Test
    void reportWithBaselineHighlightsOnlyTheRegressedMetric(@TempDir Path tmp) throws IOException {
        List<Run> baselineRuns = SampleResults.fullGrid(3);
        Run victim = baselineRuns.get(2);
        List<Run> currentRuns = new ArrayList<>(baselineRuns);
        currentRuns.set(2, withP50(victim, victim.latencyMs().p50() * 1.2));
        Path baseDir = Files.createDirectories(tmp.resolve("baseline"));
        Path curDir = Files.createDirectories(tmp.resolve("current"));
        ResultsJson.write(baseDir, results(baselineRuns));
        ResultsJson.write(curDir, results(currentRuns));

        Document doc = Jsoup.parse(HtmlReport.write(curDir, baseDir, THRESHOLD).toFile(), "UTF-8");

        List<Element> regressed = doc.select("#regressions tr.regressed");
        assertEquals(1, regressed.size());
        assertTrue(regressed.getFirst().text().contains(victim.key()));
        assertTrue(regressed.getFirst().text().contains("latency p50 ms"));
        assertTrue(regressed.getFirst().text().contains("+20.0%"));
        int change = doc.select("#regressions table.regression thead th").eachText().indexOf("Change");
        assertEquals("true", doc.select("#regressions table.regression thead th").get(change).attr("data-numeric"));
        assertEquals(0.2, Double.parseDouble(regressed.getFirst().select("td").get(change).attr("data-sort")), 1e-9,
                "the change column sorts by the number, not by its text");
        assertTrue(doc.select("#warnings").text().contains("1 metric regressed by more than 5.0%"));
        assertEquals(Regression.compare(results(currentRuns), results(baselineRuns), THRESHOLD).size(),
                doc.select("#regressions table.regression tbody tr").size(), "every compared metric is listed");
    }

    static Results results(List<Run> runs) {
        return SampleResults.results(runs, List.of(), List.of());
    }

    private static MetricChange metric(List<MetricChange> changes, String name) {
        return changes.stream().filter(c -> c.metric().equals(name)).findFirst().orElseThrow();
    }

    static Run withP50(Run r, double p50) {
        Run.Latency l = r.latencyMs();
        Run.Latency changed = new Run.Latency(p50, l.p90(), l.p95(), l.p99(), l.max(), l.mean(), l.stddev(), l.count(),
                l.min(), l.cv(), l.cdf());
        return r.toBuilder().latencyMs(changed).build();
    }

    static Run withMiou(Run r, double miou) {
        Run.Accuracy a = r.accuracy();
        return r.toBuilder().accuracy(new Run.Accuracy(miou, a.pixelAccuracy(), a.meanClassAccuracy(), a.fwIou(),
                a.perClassIou(), a.confusionMatrix())).build();
    }
}
