package dev.segbench.api.results;

import dev.segbench.api.DeviceTimings;
import java.util.List;

/**
 * One (model, backend, precision) evaluation. {@code status} is one of {@link #OK}, {@link #SKIPPED},
 * {@link #FAILED}, {@link #PENDING} (planned, not run yet) or {@link #INTERRUPTED} (stopped by Ctrl-C or
 * SIGTERM); a run that is not ok has a {@code reason} and no measurements. {@code latencyHistogram} is the
 * batch-1 latency HdrHistogram (microseconds, compressed, base64) so shards merge histograms instead of
 * averaging percentiles. {@code reused} marks a run taken from an earlier record by {@code --resume};
 * {@code environment} is the id of the entry of {@link Results#environments()} the run was measured on.
 * Build one with {@link #builder}: the record's field list grows, its builder keeps call sites stable.
 */
public record Run(String model, String backend, String precision, String status, String reason, boolean reused,
                  String environment, Weights weights, DatasetSummary dataset, Accuracy accuracy, Agreement agreement,
                  Latency latencyMs, Latency endToEndLatencyMs, List<Throughput> throughput,
                  AccuracyPassSummary accuracyPass, DeviceTimings deviceTimingsMs, Resources resources,
                  Measurement measurement, List<String> warnings, String latencyHistogram) {

    public static final String OK = "ok";
    public static final String SKIPPED = "skipped";
    public static final String FAILED = "failed";
    public static final String PENDING = "pending";
    public static final String INTERRUPTED = "interrupted";

    public Run {
        throughput = throughput == null ? List.of() : List.copyOf(throughput);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** "model/backend/precision": the key used by the gallery and by regression comparison. */
    public String key() {
        return key(model, backend, precision);
    }

    public static String key(String model, String backend, String precision) {
        return model + "/" + backend + "/" + precision;
    }

    public boolean ok() {
        return OK.equals(status);
    }

    /** Whether the run reached an end of its own: ok, skipped or failed (not pending, not interrupted). */
    public boolean finished() {
        return OK.equals(status) || SKIPPED.equals(status) || FAILED.equals(status);
    }

    public static Run notRun(String model, String backend, String precision, String status, String reason) {
        return builder(model, backend, precision).status(status).reason(reason).build();
    }

    public static Builder builder(String model, String backend, String precision) {
        return new Builder(model, backend, precision);
    }

    /** A builder holding every field of this run, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder(model, backend, precision);
        b.status = status;
        b.reason = reason;
        b.reused = reused;
        b.environment = environment;
        b.weights = weights;
        b.dataset = dataset;
        b.accuracy = accuracy;
        b.agreement = agreement;
        b.latencyMs = latencyMs;
        b.endToEndLatencyMs = endToEndLatencyMs;
        b.throughput = throughput;
        b.accuracyPass = accuracyPass;
        b.deviceTimingsMs = deviceTimingsMs;
        b.resources = resources;
        b.measurement = measurement;
        b.warnings = warnings;
        b.latencyHistogram = latencyHistogram;
        return b;
    }

    /** Builds a {@link Run}; status defaults to ok. */
    public static final class Builder {
        private final String model;
        private final String backend;
        private final String precision;
        private String status = OK;
        private String reason;
        private boolean reused;
        private String environment;
        private Weights weights;
        private DatasetSummary dataset;
        private Accuracy accuracy;
        private Agreement agreement;
        private Latency latencyMs;
        private Latency endToEndLatencyMs;
        private List<Throughput> throughput = List.of();
        private AccuracyPassSummary accuracyPass;
        private DeviceTimings deviceTimingsMs;
        private Resources resources;
        private Measurement measurement;
        private List<String> warnings = List.of();
        private String latencyHistogram;

        private Builder(String model, String backend, String precision) {
            this.model = model;
            this.backend = backend;
            this.precision = precision;
        }

        public Builder status(String value) {
            status = value;
            return this;
        }

        public Builder reason(String value) {
            reason = value;
            return this;
        }

        public Builder reused(boolean value) {
            reused = value;
            return this;
        }

        public Builder environment(String value) {
            environment = value;
            return this;
        }

        public Builder weights(Weights value) {
            weights = value;
            return this;
        }

        public Builder dataset(DatasetSummary value) {
            dataset = value;
            return this;
        }

        public Builder accuracy(Accuracy value) {
            accuracy = value;
            return this;
        }

        public Builder agreement(Agreement value) {
            agreement = value;
            return this;
        }

        public Builder latencyMs(Latency value) {
            latencyMs = value;
            return this;
        }

        public Builder endToEndLatencyMs(Latency value) {
            endToEndLatencyMs = value;
            return this;
        }

        public Builder throughput(List<Throughput> value) {
            throughput = value;
            return this;
        }

        public Builder accuracyPass(AccuracyPassSummary value) {
            accuracyPass = value;
            return this;
        }

        public Builder deviceTimingsMs(DeviceTimings value) {
            deviceTimingsMs = value;
            return this;
        }

        public Builder resources(Resources value) {
            resources = value;
            return this;
        }

        public Builder measurement(Measurement value) {
            measurement = value;
            return this;
        }

        public Builder warnings(List<String> value) {
            warnings = value;
            return this;
        }

        public Builder latencyHistogram(String value) {
            latencyHistogram = value;
            return this;
        }

        public Run build() {
            return new Run(model, backend, precision, status, reason, reused, environment, weights, dataset, accuracy,
                    agreement, latencyMs, endToEndLatencyMs, throughput, accuracyPass, deviceTimingsMs, resources,
                    measurement, warnings, latencyHistogram);
        }
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
    public record AccuracyPassSummary(int images, double seconds, double imagesPerSecond, double modelImagesPerSecond) {
    }

    /**
     * What the run cost besides time. {@code peakRssBytes}: the peak resident memory of the process that ran it
     * (its own child JVM unless {@code --in-process}); {@code openSeconds}: wall time of opening the session;
     * {@code buildSeconds}: the part of it the backend spent compiling (an engine build; null when nothing was
     * compiled, e.g. an engine-cache hit); {@code deviceMemoryBytes}: device memory the session held, where the
     * backend can tell. Null means unknown.
     */
    public record Resources(Long peakRssBytes, Double openSeconds, Double buildSeconds, Long deviceMemoryBytes) {
    }

    /** LoadGen-style verdict on the performance pass: valid only if every rule held. */
    public record Measurement(boolean valid, List<String> reasons, double warmupSeconds, double durationSeconds,
                              long iterations) {
        public Measurement {
            reasons = reasons == null ? List.of() : List.copyOf(reasons);
        }
    }
}
