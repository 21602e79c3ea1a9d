package dev.segbench.api.results;

import java.util.List;

/**
 * One (model, backend, precision) evaluation. {@code status} is "ok", "skipped" or "failed"; a
 * skipped or failed run has a {@code reason} and no measurements. {@code latencyHistogram} is the
 * batch-1 latency HdrHistogram (microseconds, compressed, base64) so shards merge histograms instead
 * of averaging percentiles.
 */
public record Run(String model, String backend, String precision, String status, String reason,
                  Weights weights, DatasetSummary dataset, Accuracy accuracy, Agreement agreement,
                  Latency latencyMs, Latency endToEndLatencyMs, List<Throughput> throughput,
                  AccuracyPass accuracyPass, DeviceTimings deviceTimingsMs, Double buildSeconds,
                  Measurement measurement, List<String> warnings, String latencyHistogram) {

    public static final String OK = "ok";
    public static final String SKIPPED = "skipped";
    public static final String FAILED = "failed";

    public Run {
        throughput = throughput == null ? List.of() : List.copyOf(throughput);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** "model/backend/precision": the key used by the gallery and by regression comparison. */
    public String key() {
        return model + "/" + backend + "/" + precision;
    }

    public boolean ok() {
        return OK.equals(status);
    }

    public static Run notRun(String model, String backend, String precision, String status, String reason) {
        return new Run(model, backend, precision, status, reason, null, null, null, null, null, null,
                List.of(), null, null, null, null, List.of(), null);
    }

    /** {@code kind} is "checkpoint" or "seeded"; {@code sha256} is the file's hash or "seeded:SEED". */
    public record Weights(String kind, String sha256) {
    }

    /** {@code images}: samples evaluated; {@code skipped}: bad samples left out under the skip policy. */
    public record DatasetSummary(String name, int images, boolean synthetic, List<Skipped> skipped) {
        public DatasetSummary {
            skipped = skipped == null ? List.of() : List.copyOf(skipped);
        }
    }

    public record Skipped(String id, String reason) {
    }

    /** {@code perClassIou} has one entry per class, null where the class is in neither truth nor prediction. */
    public record Accuracy(double miou, double pixelAccuracy, double meanClassAccuracy, double fwIou,
                           List<Double> perClassIou, long[][] confusionMatrix) {
    }

    /**
     * Agreement of this run's labels with the reference run's labels on the same images, like
     * Polygraphy's comparison. {@code confusionMatrix} has rows = reference label, columns = this run's
     * label (ignore pixels of the ground truth excluded), so shards merge by adding it.
     */
    public record Agreement(String reference, double pixelAgreement, double miouVsReference,
                            long[][] confusionMatrix) {
    }

    /**
     * Latency statistics in milliseconds. {@code cdf} holds [percentile, ms] points for plotting;
     * {@code cv} is stddev / mean.
     */
    public record Latency(double p50, double p90, double p95, double p99, double max, double mean,
                          double stddev, long count, Double min, Double cv, List<double[]> cdf) {
    }

    /** Model-only throughput at one batch size on the fixed performance input size. */
    public record Throughput(int batch, double imagesPerSecond) {
    }

    /**
     * The accuracy pass as a pipeline: end-to-end images per second (decode, preprocess, infer,
     * postprocess overlapped) against model-only images per second over the same images.
     */
    public record AccuracyPass(int images, double seconds, double imagesPerSecond, double modelImagesPerSecond) {
    }

    /** Mean device-side milliseconds per batch-1 run, measured with GPU events. */
    public record DeviceTimings(double h2d, double compute, double d2h) {
    }

    /** LoadGen-style verdict on the performance pass: valid only if every rule held. */
    public record Measurement(boolean valid, List<String> reasons, double warmupSeconds, double durationSeconds,
                              long iterations) {
        public Measurement {
            reasons = reasons == null ? List.of() : List.copyOf(reasons);
        }
    }
}
