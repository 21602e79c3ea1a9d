package dev.segbench.reports;

import dev.segbench.results.Results;
import dev.segbench.results.Run;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** Compares the metrics of two results files run by run (matched by {@link Run#key()}). */
public final class Regression {

    /** Whether a larger value of a metric is an improvement (accuracy, throughput) or a regression (latency). */
    public enum Direction {
        HIGHER_IS_BETTER, LOWER_IS_BETTER
    }

    /** A metric the comparison looks at: its name, direction and how to read it from a run (null = absent). */
    public record Metric(String name, Direction direction, Function<Run, Double> extractor) {
    }

    /** A run whose status differs between baseline and current, or that exists on one side only (status null). */
    public record StatusChange(String runKey, String oldStatus, String newStatus, boolean regression) {
    }

    private Regression() {
    }

    /** The scalar metrics compared for every run; throughput is added per batch size present on both sides. */
    public static List<Metric> scalarMetrics() {
        return List.of(
                new Metric("mIoU", Direction.HIGHER_IS_BETTER, r -> r.accuracy() == null ? null : r.accuracy().miou()),
                new Metric("pixel accuracy", Direction.HIGHER_IS_BETTER,
                        r -> r.accuracy() == null ? null : r.accuracy().pixelAccuracy()),
                new Metric("mean class accuracy", Direction.HIGHER_IS_BETTER,
                        r -> r.accuracy() == null ? null : r.accuracy().meanClassAccuracy()),
                new Metric("frequency-weighted IoU", Direction.HIGHER_IS_BETTER,
                        r -> r.accuracy() == null ? null : r.accuracy().fwIou()),
                new Metric("pixel agreement", Direction.HIGHER_IS_BETTER,
                        r -> r.agreement() == null ? null : r.agreement().pixelAgreement()),
                new Metric("mIoU vs reference", Direction.HIGHER_IS_BETTER,
                        r -> r.agreement() == null ? null : r.agreement().miouVsReference()),
                new Metric("latency p50 ms", Direction.LOWER_IS_BETTER, r -> r.latencyMs() == null ? null : r.latencyMs().p50()),
                new Metric("latency p90 ms", Direction.LOWER_IS_BETTER, r -> r.latencyMs() == null ? null : r.latencyMs().p90()),
                new Metric("latency p99 ms", Direction.LOWER_IS_BETTER, r -> r.latencyMs() == null ? null : r.latencyMs().p99()),
                new Metric("latency mean ms", Direction.LOWER_IS_BETTER,
                        r -> r.latencyMs() == null ? null : r.latencyMs().mean()),
                new Metric("end-to-end latency p50 ms", Direction.LOWER_IS_BETTER,
                        r -> r.endToEndLatencyMs() == null ? null : r.endToEndLatencyMs().p50()),
                new Metric("pipeline images/s", Direction.HIGHER_IS_BETTER,
                        r -> r.accuracyPass() == null ? null : r.accuracyPass().imagesPerSecond()));
    }

    /**
     * Every metric present in both a current run and the baseline run with the same key, in current-run order.
     * A change is flagged when it is a regression whose relative size exceeds {@code threshold} (0.05 = 5%).
     */
    public static List<MetricChange> compare(Results current, Results baseline, double threshold) {
        if (!(threshold >= 0)) {
            throw new IllegalArgumentException("regression threshold must be >= 0, got " + threshold);
        }
        Map<String, Run> baselineRuns = byKey(baseline);
        List<MetricChange> changes = new ArrayList<>();
        for (Run run : current.runs()) {
            Run old = baselineRuns.get(run.key());
            if (old == null) {
                continue;
            }
            for (Metric metric : scalarMetrics()) {
                add(changes, metric.name(), metric.direction(), run.key(), metric.extractor().apply(old),
                        metric.extractor().apply(run), threshold);
            }
            Map<List<Integer>, Double> oldThroughput = throughputByCell(old);
            for (Run.Throughput t : run.throughput()) {
                add(changes, "throughput b" + t.batch() + (t.inFlight() > 1 ? " x" + t.inFlight() + " in flight" : "")
                                + " images/s", Direction.HIGHER_IS_BETTER, run.key(),
                        oldThroughput.get(List.of(t.batch(), t.inFlight())), t.imagesPerSecond(), threshold);
            }
        }
        return changes;
    }

    /** Runs that disappeared, appeared, or changed status; losing an "ok" run counts as a regression. */
    public static List<StatusChange> statusChanges(Results current, Results baseline) {
        Map<String, Run> baselineRuns = byKey(baseline);
        Map<String, Run> currentRuns = byKey(current);
        List<StatusChange> changes = new ArrayList<>();
        for (Run run : current.runs()) {
            Run old = baselineRuns.get(run.key());
            String oldStatus = old == null ? null : old.status();
            if (!Objects.equals(oldStatus, run.status())) {
                changes.add(new StatusChange(run.key(), oldStatus, run.status(), old != null && old.ok() && !run.ok()));
            }
        }
        for (Run old : baseline.runs()) {
            if (!currentRuns.containsKey(old.key())) {
                changes.add(new StatusChange(old.key(), old.status(), null, old.ok()));
            }
        }
        return changes;
    }

    private static void add(List<MetricChange> changes, String metric, Direction direction, String key, Double oldValue,
                            Double newValue, double threshold) {
        if (oldValue == null || newValue == null || oldValue.isNaN() || newValue.isNaN()) {
            return;
        }
        double relative = relativeChange(oldValue, newValue);
        MetricChange.Verdict verdict;
        if (newValue.doubleValue() == oldValue.doubleValue()) {
            verdict = MetricChange.Verdict.UNCHANGED;
        } else if ((newValue > oldValue) == (direction == Direction.HIGHER_IS_BETTER)) {
            verdict = MetricChange.Verdict.BETTER;
        } else {
            verdict = MetricChange.Verdict.WORSE;
        }
        boolean flagged = verdict == MetricChange.Verdict.WORSE && Math.abs(relative) > threshold;
        changes.add(new MetricChange(metric, key, oldValue, newValue, relative, verdict, flagged));
    }

    static double relativeChange(double oldValue, double newValue) {
        if (oldValue == newValue) {
            return 0;
        }
        if (oldValue == 0) {
            return newValue > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        return (newValue - oldValue) / Math.abs(oldValue);
    }

    private static Map<String, Run> byKey(Results results) {
        Map<String, Run> runs = new LinkedHashMap<>();
        for (Run r : results.runs()) {
            runs.putIfAbsent(r.key(), r);
        }
        return runs;
    }

    /** Each (batch, in flight) cell compared with the same cell (not with another in-flight count's). */
    private static Map<List<Integer>, Double> throughputByCell(Run run) {
        Map<List<Integer>, Double> byCell = new LinkedHashMap<>();
        for (Run.Throughput t : run.throughput()) {
            byCell.put(List.of(t.batch(), t.inFlight()), t.imagesPerSecond());
        }
        return byCell;
    }
}
