package dev.segbench.api.results;

import java.util.List;

/** The run settings, recorded verbatim so a result can be checked and repeated. */
public record Settings(List<String> models, List<String> backends, List<String> precisions, String dataset,
                       int limit, String shard, String reference, List<Integer> batchSizes,
                       int perfHeight, int perfWidth, double warmupSeconds, double minDurationSeconds,
                       int minIterations, int threads, double cvThreshold, String onBadSample) {
}
