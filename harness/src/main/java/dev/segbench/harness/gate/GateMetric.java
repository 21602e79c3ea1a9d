package dev.segbench.harness.gate;

import dev.segbench.results.Run;
import dev.segbench.results.Server;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a gate condition can test, by the name used in {@code --gate}. Fractions are in 0..1 as in results.json
 * (0.99, not 99); latencies in milliseconds; rates per second.
 */
public enum GateMetric {
    MIOU("miou", "mean IoU against the ground truth (fraction)", true, false),
    PIXEL_ACCURACY("pixel-accuracy", "pixel accuracy against the ground truth (fraction)", true, false),
    MEAN_CLASS_ACCURACY("mean-class-accuracy", "mean class accuracy against the ground truth (fraction)", true, false),
    FW_IOU("fw-iou", "frequency-weighted IoU against the ground truth (fraction)", true, false),
    AGREEMENT("agreement", "share of pixels labelled as the reference run labels them (fraction)", true, true),
    MIOU_VS_REF("miou-vs-ref", "mIoU of this run's labels scored against the reference's labels (fraction)", true, true),
    P50_MS("p50-ms", "single-stream (batch 1) latency median, ms", false, false),
    P90_MS("p90-ms", "single-stream latency p90, ms", false, false),
    P95_MS("p95-ms", "single-stream latency p95, ms", false, false),
    P99_MS("p99-ms", "single-stream latency p99, ms", false, false),
    MAX_MS("max-ms", "single-stream latency maximum, ms", false, false),
    MEAN_MS("mean-ms", "single-stream latency mean, ms", false, false),
    E2E_P50_MS("e2e-p50-ms", "end-to-end (decode to labels) latency median, ms", false, false),
    E2E_P99_MS("e2e-p99-ms", "end-to-end latency p99, ms", false, false),
    IMAGES_PER_S("images-per-s", "best offline throughput over batch sizes (and requests in flight), images/s", false, false),
    MAX_QPS("max-qps", "server scenario: highest rate with its latency percentile within --server-latency-ms, requests/s", false, false);

    private final String id;
    private final String description;
    private final boolean fraction;
    private final boolean againstReference;

    GateMetric(String id, String description, boolean fraction, boolean againstReference) {
        this.id = id;
        this.description = description;
        this.fraction = fraction;
        this.againstReference = againstReference;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    /** A share in 0..1: a threshold above 1 is a percentage written by mistake. */
    public boolean fraction() {
        return fraction;
    }

    /** Measured against the reference run already: {@code *ref} makes no sense, and the reference itself has none. */
    public boolean againstReference() {
        return againstReference;
    }

    /** Scored against the dataset's ground truth: meaningless for seeded (untrained) weights. */
    public boolean groundTruth() {
        return this == MIOU || this == PIXEL_ACCURACY || this == MEAN_CLASS_ACCURACY || this == FW_IOU;
    }

    /** Taken from the single-stream measurement, whose validity ({@code measurement.valid}) decides whether it counts. */
    public boolean singleStream() {
        return this == P50_MS || this == P90_MS || this == P95_MS || this == P99_MS || this == MAX_MS || this == MEAN_MS;
    }

    public static Optional<GateMetric> byId(String id) {
        return Arrays.stream(values()).filter(m -> m.id.equals(id)).findFirst();
    }

    public static String known() {
        return Arrays.stream(values()).map(GateMetric::id).collect(Collectors.joining(", "));
    }

    /** This metric of a run; null where the run did not measure it. {@code server} is the run's server scenario or null. */
    public Double of(Run run, Server server) {
        return switch (this) {
            case MIOU -> accuracy(run, Run.Accuracy::miou);
            case PIXEL_ACCURACY -> accuracy(run, Run.Accuracy::pixelAccuracy);
            case MEAN_CLASS_ACCURACY -> accuracy(run, Run.Accuracy::meanClassAccuracy);
            case FW_IOU -> accuracy(run, Run.Accuracy::fwIou);
            case AGREEMENT -> run.agreement() == null ? null : run.agreement().pixelAgreement();
            case MIOU_VS_REF -> run.agreement() == null ? null : run.agreement().miouVsReference();
            case P50_MS -> latency(run.latencyMs(), Run.Latency::p50);
            case P90_MS -> latency(run.latencyMs(), Run.Latency::p90);
            case P95_MS -> latency(run.latencyMs(), Run.Latency::p95);
            case P99_MS -> latency(run.latencyMs(), Run.Latency::p99);
            case MAX_MS -> latency(run.latencyMs(), Run.Latency::max);
            case MEAN_MS -> latency(run.latencyMs(), Run.Latency::mean);
            case E2E_P50_MS -> latency(run.endToEndLatencyMs(), Run.Latency::p50);
            case E2E_P99_MS -> latency(run.endToEndLatencyMs(), Run.Latency::p99);
            case IMAGES_PER_S -> {
                dev.segbench.results.InFlightThroughput best = dev.segbench.results.InFlightThroughput.best(run);
                yield best == null ? null : best.imagesPerSecond();
            }
            case MAX_QPS -> server == null ? null : server.maxQps();
        };
    }

    private static Double accuracy(Run run, Function<Run.Accuracy, Double> f) {
        return run.accuracy() == null ? null : f.apply(run.accuracy());
    }

    private static Double latency(Run.Latency l, Function<Run.Latency, Double> f) {
        return l == null ? null : f.apply(l);
    }
}
