package dev.segbench.api;

import java.util.List;

/**
 * @param split          image list to read ("val")
 * @param limit          at most this many samples, in list order (0 = all)
 * @param ids            only these ids, in this order (empty = all)
 * @param onBadSample    stop at the first bad sample, or skip it and report it
 * @param augmentedLabels read labels from SegmentationClassAug (the SBD-augmented layout)
 * @param seed           for generated datasets
 * @param width          generated image width (0 = provider default)
 * @param height         generated image height (0 = provider default)
 */
public record DatasetOptions(String split, int limit, List<String> ids, BadSamplePolicy onBadSample,
                             boolean augmentedLabels, long seed, int width, int height) {

    public DatasetOptions {
        ids = List.copyOf(ids);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0");
        }
    }

    public static DatasetOptions defaults() {
        return new DatasetOptions("val", 0, List.of(), BadSamplePolicy.FAIL, false, 1, 0, 0);
    }

    public DatasetOptions withLimit(int newLimit) {
        return new DatasetOptions(split, newLimit, ids, onBadSample, augmentedLabels, seed, width, height);
    }

    public DatasetOptions withPolicy(BadSamplePolicy policy) {
        return new DatasetOptions(split, limit, ids, policy, augmentedLabels, seed, width, height);
    }

    public enum BadSamplePolicy { FAIL, SKIP }
}
