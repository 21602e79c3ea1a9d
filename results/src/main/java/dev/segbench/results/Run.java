package dev.segbench.results;

import dev.segbench.results.settings.Settings;
import dev.segbench.api.DeviceTimings;
import java.util.List;

/**
 * One (model, backend, precision) evaluation. {@code status} is one of {@link #OK}, {@link #SKIPPED},
 * {@link #FAILED}, {@link #PENDING} (planned, not run yet) or {@link #INTERRUPTED} (stopped by Ctrl-C or
 * SIGTERM); a run that is not ok has a {@code reason} and no measurements. {@code reused} marks a run taken from an
 * earlier record by {@code --resume}; {@code environment} is the id of the entry of {@link Results#environments()} the
 * run was measured on. Build one with {@link #builder}: the record's field list grows, its builder keeps call sites
 * stable. {@code performance} holds what every scenario measured per {@code --perf-size} size (single-stream latency
 * and its HdrHistogram, offline cells per (batch, in flight), server trials, device timings), stored once: the run's
 * summary ({@link #latencyMs}, {@link #latencyHistogram}, {@link #throughput}, {@link #measurement},
 * {@link #deviceTimingsMs}) is the first size's, read from there (files of schema 3 and before repeated it in the
 * run; {@link ResultsJson} reads them into the first size). {@code gate} is the {@code --gate} verdict (null without a
 * gate). {@code speedup} compares the run with the {@code --baseline} run of its model (null for that run itself and
 * where there is none); set, like the gate, once all runs are known.
 */
public record Run(String model, String backend, String precision, String status, String reason, boolean reused,
                  String environment, Weights weights, DatasetSummary dataset, Accuracy accuracy, Agreement agreement,
                  Latency endToEndLatencyMs, AccuracyPassSummary accuracyPass, Resources resources,
                  List<String> warnings, List<PerformanceAtSize> performance, Gate gate, Calibration calibration, Speedup speedup,
                  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                  List<BatchSkip> batchSkips) {

    public static final String OK = "ok";
    public static final String SKIPPED = "skipped";
    public static final String FAILED = "failed";
    public static final String PENDING = "pending";
    public static final String INTERRUPTED = "interrupted";

    public Run {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        performance = performance == null ? List.of() : List.copyOf(performance);
        batchSkips = batchSkips == null ? List.of() : List.copyOf(batchSkips);
    }

    /**
     * A throughput batch the performance step skipped because it would not fit in memory, and by which figure.
     *
     * @param size           the input size ("512x512")
     * @param neededBytes    the harness's estimate of what the batch needs
     * @param availableBytes the memory it was judged against (it is skipped above half of it)
     * @param memory         {@link #HOST} (the host's MemAvailable) or {@link #DEVICE} (the device's free memory)
     */
    public record BatchSkip(String size, int batch, long neededBytes, long availableBytes, String memory) {
        public static final String HOST = "host";
        public static final String DEVICE = "device";
    }

    /** The first performance size: what the run's summary reads; null when no performance step ran. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public PerformanceAtSize firstSize() {
        return performance.isEmpty() ? null : performance.getFirst();
    }

    /** The batch-1 single-stream latency at the first size; null when single-stream did not run. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public Latency latencyMs() {
        return performance.isEmpty() ? null : performance.getFirst().latencyMs();
    }

    /** Its microsecond HdrHistogram, compressed and base64-encoded (shards merge histograms, not percentiles). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public String latencyHistogram() {
        return performance.isEmpty() ? null : performance.getFirst().latencyHistogram();
    }

    /** The single-stream verdict at the first size; null when single-stream did not run. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public Measurement measurement() {
        return performance.isEmpty() ? null : performance.getFirst().measurement();
    }

    /** The first size's mean device timings; null when the backend has none. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public DeviceTimings deviceTimingsMs() {
        return performance.isEmpty() ? null : performance.getFirst().deviceTimingsMs();
    }

    /** The first size's offline throughput per (batch, in flight). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public List<Throughput> throughput() {
        return performance.isEmpty() ? List.of() : performance.getFirst().throughput().stream().map(Throughput::of).toList();
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

    /**
     * Whether this is the reference run that {@code reference} names: "backend:precision" as {@link Settings#reference}
     * records it, or "backend" alone (any precision); null and "none" name no run. The one answer, for compare,
     * {@code --resume}, merge, the console table and the report.
     */
    public boolean isReference(String reference) {
        if (reference == null || reference.equals("none")) {
            return false;
        }
        int colon = reference.indexOf(':');
        return backend.equals(colon < 0 ? reference : reference.substring(0, colon))
                && (colon < 0 || reference.substring(colon + 1).equals(precision));
    }

    /**
     * Whether this ok run is the one speed-ups are measured against: {@code baseline} is "backend:precision" as
     * {@link Settings#baseline} records it (null names no run). The one answer, for {@link Speedups}, the console
     * table and the report.
     */
    public boolean isBaseline(String baseline) {
        return baseline != null && ok() && baseline.equals(backend + ":" + precision);
    }

    /**
     * The reference run of {@code run}'s model among {@code runs} ({@link #isReference}), skipped ones excluded (a
     * skipped reference measured nothing to compare with); null when there is none.
     */
    public static Run referenceOf(Run run, java.util.Collection<Run> runs, String reference) {
        return runs.stream().filter(x -> x.model().equals(run.model()) && x.isReference(reference) && !SKIPPED.equals(x.status()))
                .findFirst().orElse(null);
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
        b.endToEndLatencyMs = endToEndLatencyMs;
        b.accuracyPass = accuracyPass;
        b.resources = resources;
        b.warnings = warnings;
        b.performance = performance;
        b.gate = gate;
        b.calibration = calibration;
        b.speedup = speedup;
        b.batchSkips = batchSkips;
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
        private Latency endToEndLatencyMs;
        private AccuracyPassSummary accuracyPass;
        private Resources resources;
        private List<String> warnings = List.of();
        private List<PerformanceAtSize> performance = List.of();
        // the first size's values set one by one (tests, older callers); build() puts them into performance[0]
        private Latency latencyMs;
        private List<Throughput> throughput;
        private DeviceTimings deviceTimingsMs;
        private Measurement measurement;
        private String latencyHistogram;
        private Gate gate;
        private Calibration calibration;
        private Speedup speedup;
        private List<BatchSkip> batchSkips;

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

        /**
         * The first size's single-stream latency (the size is created, 0x0, when there is none); it stands only for a
         * size without a histogram: with one, the statistics are the histogram's ({@link PerformanceAtSize}).
         */
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

        /** Every scenario's results per {@code --perf-size} size, in the order given. */
        public Builder performance(List<PerformanceAtSize> value) {
            performance = value;
            return this;
        }

        /** The {@code --gate} verdict; null when no gate was given or the run is not judged. */
        public Builder gate(Gate value) {
            gate = value;
            return this;
        }

        /** Throughput batches skipped for memory, with the figure each was judged by. */
        public Builder batchSkips(List<BatchSkip> value) {
            batchSkips = value;
            return this;
        }

        /** The int8 calibration of an INT8 run; null otherwise. */
        public Builder calibration(Calibration value) {
            calibration = value;
            return this;
        }

        /** The speed-up against the {@code --baseline} run of the same model; null where there is none. */
        public Builder speedup(Speedup value) {
            speedup = value;
            return this;
        }

        public Run build() {
            List<PerformanceAtSize> sizes = performance == null ? List.of() : performance;
            if (latencyMs != null || throughput != null || deviceTimingsMs != null || measurement != null
                    || latencyHistogram != null) {
                PerformanceAtSize p = sizes.isEmpty() ? new PerformanceAtSize(0, 0, null, null, null, null, null, null, null, null)
                        : sizes.getFirst();
                p = new PerformanceAtSize(p.height(), p.width(), p.scenarios(), latencyMs != null ? latencyMs : p.latencyMs(),
                        p.latencyCi95Ms(), latencyHistogram != null ? latencyHistogram : p.latencyHistogram(),
                        measurement != null ? measurement : p.measurement(),
                        throughput != null ? throughput.stream().map(InFlightThroughput::of).toList() : p.throughput(),
                        p.server(), p.telemetry(), deviceTimingsMs != null ? deviceTimingsMs : p.deviceTimingsMs());
                List<PerformanceAtSize> all = new java.util.ArrayList<>(sizes);
                if (all.isEmpty()) {
                    all.add(p);
                } else {
                    all.set(0, p);
                }
                sizes = all;
            }
            return new Run(model, backend, precision, status, reason, reused, environment, weights, dataset, accuracy,
                    agreement, endToEndLatencyMs, accuracyPass, resources, warnings, sizes, gate, calibration, speedup,
                    batchSkips);
        }
    }

    /**
     * This run against the {@code --baseline} run of the same model ("ORT is N x PyTorch" is one number).
     *
     * @param baseline   "backend:precision" of the baseline
     * @param latency    the baseline's batch-1 p50 / this run's batch-1 p50 (above 1: this run is faster); null when
     *                   either has no single-stream latency
     * @param throughput this run's best offline images/s / the baseline's best; null when either has none
     */
    public record Speedup(String baseline, Double latency, Double throughput) {
    }

    /**
     * The best offline configuration of this run (at its first performance size), against one request with all
     * threads; derived from the offline cells, written to results.json for readers, never read back.
     */
    @com.fasterxml.jackson.annotation.JsonProperty(value = "offline_best",
            access = com.fasterxml.jackson.annotation.JsonProperty.Access.READ_ONLY)
    public OfflineBest offlineBest() {
        InFlightThroughput best = InFlightThroughput.best(this);
        if (best == null) {
            return null;
        }
        InFlightThroughput base = InFlightThroughput.oneRequestAllThreads(this);
        return new OfflineBest(best.threadsPerRequest(), best.inFlight(), best.batch(), best.imagesPerSecond(),
                base == null ? null : base.imagesPerSecond(),
                base == null ? null : best.imagesPerSecond() / base.imagesPerSecond());
    }

    /**
     * @param threadsPerRequest        intra-op threads per request of the best cell (null: not recorded)
     * @param oneRequestImagesPerSecond batch 1, one in flight, all threads; null when not measured
     * @param gain                     best / one request with all threads
     */
    public record OfflineBest(Integer threadsPerRequest, int inFlight, int batch, double imagesPerSecond,
                              Double oneRequestImagesPerSecond, Double gain) {
    }

    /** {@code kind} is "checkpoint" or "seeded"; {@code sha256} is the file's hash or "seeded:SEED". */
    /**
     * The int8 calibration an INT8 run quantized with (null for other precisions and in results written before it was
     * recorded).
     *
     * @param dataset the calibration dataset's name ("voc2012/train", "synthetic(seed=2, ...)")
     * @param method  minmax, percentile or entropy
     * @param images  how many images the ranges were measured on
     * @param sha256  the calibration table's digest (key and every range), also part of the run's fingerprint
     * @param overlap how many calibration images are also evaluated images (non-zero: accuracy is optimistic)
     * @param floatLayers the convolutions the int8 graph kept in float ({@code --int8-fallback}), in graph order;
     *                    empty for the fully quantized graph
     * @param fallback    how they were chosen: "none", "auto" (with its search), or "list"
     */
    public record Calibration(String dataset, String method, int images, String sha256, int overlap,
                              List<String> floatLayers, Fallback fallback) {
        public Calibration {
            floatLayers = floatLayers == null ? List.of() : List.copyOf(floatLayers);
        }

        /** A fully quantized graph's calibration. */
        public Calibration(String dataset, String method, int images, String sha256, int overlap) {
            this(dataset, method, images, sha256, overlap, List.of(), null);
        }
    }

    /**
     * How the layers kept in float were chosen.
     *
     * @param mode    none, auto or list
     * @param target  auto: the label agreement with FP32 it aimed for on the calibration images (0..1)
     * @param steps   auto: each kept count tried and the agreement it reached, in the order tried
     * @param seconds auto: wall time of the search (ranking and every step)
     * @param reached auto: whether the target was reached
     * @param slowerInInt8 auto: layers kept in float because int8 was not faster for them and the graph with them in
     *                     float profiled faster as a whole (empty when not measured or when keeping them did not pay)
     * @param int8TimeRatios auto: each convolution's int8 time over its float time on the machine that searched
     *                       (ORT's profiler, median of several runs of one calibration image), in graph order; empty
     *                       when not measured (the speed rule off, or results written before it existed)
     */
    public record Fallback(String mode, Double target, List<Step> steps, Double seconds, Boolean reached,
                           List<String> slowerInInt8, java.util.Map<String, Double> int8TimeRatios) {
        public Fallback {
            steps = steps == null ? List.of() : List.copyOf(steps);
            slowerInInt8 = slowerInInt8 == null ? List.of() : List.copyOf(slowerInInt8);
            int8TimeRatios = int8TimeRatios == null ? java.util.Map.of()
                    : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(int8TimeRatios));
        }

        /** Without per-layer speed measurements. */
        public Fallback(String mode, Double target, List<Step> steps, Double seconds, Boolean reached,
                        List<String> slowerInInt8) {
            this(mode, target, steps, seconds, reached, slowerInInt8, null);
        }

        /** One try of the search: {@code kept} layers in float gave {@code agreement} (0..1) on calibration images. */
        public record Step(int kept, double agreement) {
        }
    }

    public record Weights(String kind, String sha256) {

        public static final String SEEDED = "seeded";

        /** Untrained weights drawn from a seed: accuracy against ground truth means nothing (agreement still does). */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean seeded() {
            return SEEDED.equals(kind);
        }
    }

    /** Whether the run's weights are seeded (untrained), so its accuracy is shown as n/a and kept out of accuracy charts. */
    public static boolean seeded(Run run) {
        return run.weights() != null && run.weights().seeded();
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
     * {@code samplesWithoutReference} counts samples this run scored that had no reference labels to compare with
     * (the reference skipped them, or labelled another size), which agreement therefore leaves out; null in files
     * written before it was counted.
     */
    public record Agreement(String reference, double pixelAgreement, double miouVsReference,
                            long[][] confusionMatrix, Integer samplesWithoutReference) {

        public Agreement(String reference, double pixelAgreement, double miouVsReference, long[][] confusionMatrix) {
            this(reference, pixelAgreement, miouVsReference, confusionMatrix, null);
        }
    }

    /**
     * Latency statistics in milliseconds. {@code cdf} holds [percentile, ms] points for plotting;
     * {@code cv} is stddev / mean. {@code p99} is null when {@code count} is too small to support it
     * ({@link PercentileIntervals#minSamples}: 368), shown as "n/a (too few)".
     */
    public record Latency(double p50, double p90, double p95, Double p99, double max, double mean,
                          double stddev, long count, Double min, Double cv, List<double[]> cdf) {
    }

    /**
     * Model-only throughput at one batch size on the (first) performance input size, with {@code inFlight}
     * requests kept in flight (1 unless the backend declares concurrent runs; files written before in-flight
     * existed read as 1).
     */
    public record Throughput(int batch, double imagesPerSecond, int inFlight) {
        public Throughput {
            if (inFlight <= 0) {
                inFlight = 1;
            }
        }

        public Throughput(int batch, double imagesPerSecond) {
            this(batch, imagesPerSecond, 1);
        }

        public static Throughput of(InFlightThroughput t) {
            return new Throughput(t.batch(), t.imagesPerSecond(), t.inFlight());
        }
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

    /**
     * LoadGen-style verdict on the single-stream measurement: {@code valid} only if every rule held (minimum
     * duration and count met, warm-up done); {@code reasons} names each broken rule. A noisy measurement is not
     * invalid: {@code unstable} is true when the coefficient of variation {@code cv} exceeds {@code cvThreshold}
     * ({@code --cv-threshold}), and {@code robustSpread} = (p90 - p10) / p50 is recorded next to it, since one
     * stall inflates the CV but not the spread. {@code unstable}, {@code cv}, {@code robustSpread} and
     * {@code cvThreshold} are null in files written before the rule existed (where a high CV made the measurement
     * invalid).
     */
    public record Measurement(boolean valid, List<String> reasons, double warmupSeconds, double durationSeconds,
                              long iterations, Boolean unstable, Double cv, Double robustSpread, Double cvThreshold) {
        public Measurement {
            reasons = reasons == null ? List.of() : List.copyOf(reasons);
        }

        public Measurement(boolean valid, List<String> reasons, double warmupSeconds, double durationSeconds,
                           long iterations) {
            this(valid, reasons, warmupSeconds, durationSeconds, iterations, null, null, null, null);
        }
    }
}
