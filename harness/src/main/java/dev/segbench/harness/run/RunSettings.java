package dev.segbench.harness.run;

import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import dev.segbench.api.results.Settings;
import dev.segbench.harness.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything one {@code compare} does, parsed and validated once (like LoadGen's TestSettings) and
 * recorded verbatim in the results.
 *
 * @param backends      backend ids; empty = every backend found
 * @param dataset       {@code scheme[:location]}
 * @param weights       checkpoint per model id; models not listed get seeded weights
 * @param reference     the run agreement is measured against
 * @param galleryCount  how many leading samples get gallery images
 * @param batchSizesGiven false when {@code batchSizes} is the default: CPU backends then stop at batch
 *                      {@value #CPU_DEFAULT_MAX_BATCH} so a default compare stays short on small machines
 * @param decodeThreads threads decoding and preprocessing ahead of inference
 * @param properties    backend-specific session properties ("tensorrt.opt-level" = "3")
 * @param cacheDir      where backends may cache compiled engines (null = no cache)
 */
public record RunSettings(List<String> models, List<String> backends, List<Precision> precisions, String dataset,
                          Map<String, Path> weights, long seed, DatasetOptions datasetOptions, Shard shard,
                          Reference reference, List<Integer> batchSizes, boolean batchSizesGiven, int perfHeight, int perfWidth,
                          double warmupSeconds, double minDurationSeconds, int minIterations, int threads,
                          double cvThreshold, int galleryCount, int decodeThreads, Path out,
                          Map<String, String> properties, Path cacheDir) {

    public static final String DEFAULT_DATASET = "synthetic:8";
    public static final int CPU_DEFAULT_MAX_BATCH = 8;

    public RunSettings {
        models = List.copyOf(models);
        backends = List.copyOf(backends);
        precisions = List.copyOf(precisions);
        weights = Map.copyOf(weights);
        batchSizes = List.copyOf(batchSizes);
        properties = Map.copyOf(properties);
        require(!models.isEmpty(), "--models: give at least one model");
        require(!precisions.isEmpty(), "--precisions: give at least one precision");
        require(!batchSizes.isEmpty(), "--batch-sizes: give at least one batch size");
        for (int b : batchSizes) {
            require(b >= 1 && b <= 1024, "--batch-sizes: " + b + " is not in 1..1024");
        }
        require(perfHeight >= 1 && perfWidth >= 1 && perfHeight <= 8192 && perfWidth <= 8192,
                "--perf-size: " + perfHeight + "x" + perfWidth + " is not in 1x1..8192x8192");
        require(warmupSeconds >= 0, "--warmup: must be >= 0 seconds");
        require(minDurationSeconds >= 0, "--min-duration: must be >= 0 seconds");
        require(minIterations >= 1, "--min-iterations: must be >= 1");
        require(threads >= 0, "--threads: must be >= 0 (0 = backend default)");
        require(cvThreshold > 0, "--cv-threshold: must be > 0");
        require(galleryCount >= 0, "--gallery: must be >= 0");
        require(decodeThreads >= 1, "--decode-threads: must be >= 1");
        for (Map.Entry<String, Path> w : weights.entrySet()) {
            if (!Files.isRegularFile(w.getValue())) {
                throw new UserException(w.getValue() + ": weights file for " + w.getKey()
                        + (Files.exists(w.getValue()) ? " is not a regular file" : " does not exist"));
            }
            require(models.contains(w.getKey()), "--weights: model '" + w.getKey() + "' is not among --models " + models);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserException(message);
        }
    }

    /** {@code --shard i/n}: this process evaluates the samples whose index % n == i. */
    public record Shard(int index, int count) {
        public static final Shard ALL = new Shard(0, 1);

        public Shard {
            if (count < 1 || index < 0 || index >= count) {
                throw new UserException("--shard: need i/n with 0 <= i < n, got " + index + "/" + count);
            }
        }

        public static Shard parse(String text) {
            String[] parts = text.trim().split("/");
            try {
                if (parts.length == 2) {
                    return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new UserException("--shard: '" + text + "' is not i/n (e.g. 0/4)");
        }

        public boolean contains(int sampleIndex) {
            return sampleIndex % count == index;
        }

        @Override
        public String toString() {
            return index + "/" + count;
        }
    }

    /** {@code backend:precision}. */
    public record Reference(String backend, Precision precision) {
        public static final Reference DEFAULT = new Reference("cpu", Precision.FP32);

        public static Reference parse(String text) {
            String[] parts = text.trim().split(":");
            if (parts.length != 2 || parts[0].isBlank()) {
                throw new UserException("--reference: '" + text + "' is not backend:precision (e.g. cpu:fp32)");
            }
            try {
                return new Reference(parts[0].trim(), Precision.parse(parts[1]));
            } catch (IllegalArgumentException e) {
                throw new UserException("--reference: " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            return backend + ":" + precision.id();
        }
    }

    /** Parses {@code HxW} such as {@code 512x512}. */
    public static int[] parseSize(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new UserException("--perf-size: '" + text + "' is not HxW (e.g. 512x512)");
    }

    /** The throughput batch sizes for a backend: all given ones, or by default up to 8 off the GPU. */
    public List<Integer> batchSizesFor(boolean gpu) {
        if (batchSizesGiven || gpu) {
            return batchSizes;
        }
        List<Integer> small = batchSizes.stream().filter(b -> b <= CPU_DEFAULT_MAX_BATCH).toList();
        return small.isEmpty() ? List.of(1) : small;
    }

    /** The settings as recorded in results.json. */
    public Settings toResults(List<String> resolvedBackends) {
        return new Settings(models, resolvedBackends, precisions.stream().map(Precision::id).toList(), dataset,
                datasetOptions.limit(), shard.toString(), reference == null ? "none" : reference.toString(), batchSizes, perfHeight, perfWidth,
                warmupSeconds, minDurationSeconds, minIterations, threads, cvThreshold,
                datasetOptions.onBadSample().name().toLowerCase(java.util.Locale.ROOT), properties,
                cacheDir == null ? null : cacheDir.toString());
    }

    @Override
    public String toString() {
        return "models=" + models + " backends=" + (backends.isEmpty() ? "all" : backends) + " precisions="
                + precisions.stream().map(Precision::id).collect(Collectors.joining(",")) + " dataset=" + dataset;
    }
}
