package dev.segbench.api.results;

import java.util.List;
import java.util.Map;

/**
 * The run settings, recorded verbatim so a result can be checked and repeated. {@code properties} are the
 * backend-specific session settings ({@code --property}); {@code cacheDir} is where compiled engines were cached
 * (null = no cache).
 */
public record Settings(List<String> models, List<String> backends, List<String> precisions, String dataset,
                       int limit, String shard, String reference, List<Integer> batchSizes,
                       int perfHeight, int perfWidth, double warmupSeconds, double minDurationSeconds,
                       int minIterations, int threads, double cvThreshold, String onBadSample,
                       Map<String, String> properties, String cacheDir) {

    public Settings {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** Settings without backend properties or engine cache. */
    public Settings(List<String> models, List<String> backends, List<String> precisions, String dataset,
                    int limit, String shard, String reference, List<Integer> batchSizes,
                    int perfHeight, int perfWidth, double warmupSeconds, double minDurationSeconds,
                    int minIterations, int threads, double cvThreshold, String onBadSample) {
        this(models, backends, precisions, dataset, limit, shard, reference, batchSizes, perfHeight, perfWidth,
                warmupSeconds, minDurationSeconds, minIterations, threads, cvThreshold, onBadSample, Map.of(), null);
    }
}
