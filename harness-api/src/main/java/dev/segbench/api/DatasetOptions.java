package dev.segbench.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a dataset is opened: what every provider understands (which samples, what to do with a bad one) and the
 * provider's own {@code parameters}, the keys it declares in {@link DatasetProvider#parameterKeys()} (VOC's
 * "split", the synthetic set's "seed"). On the command line parameters follow the location:
 * {@code voc:/data/VOCdevkit?split=train}, {@code synthetic:100?seed=7&size=64x32}.
 *
 * @param limit       at most this many samples, in list order (0 = all)
 * @param ids         only these ids, in this order (empty = all)
 * @param onBadSample stop at the first bad sample, or skip it and report it
 * @param parameters  the provider's own options, by key
 */
public record DatasetOptions(int limit, List<String> ids, BadSamplePolicy onBadSample, Map<String, String> parameters) {

    public DatasetOptions {
        ids = List.copyOf(ids);
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0");
        }
    }

    public static DatasetOptions defaults() {
        return new DatasetOptions(0, List.of(), BadSamplePolicy.FAIL, Map.of());
    }

    public DatasetOptions withLimit(int newLimit) {
        return new DatasetOptions(newLimit, ids, onBadSample, parameters);
    }

    public DatasetOptions withIds(List<String> newIds) {
        return new DatasetOptions(limit, newIds, onBadSample, parameters);
    }

    public DatasetOptions withPolicy(BadSamplePolicy policy) {
        return new DatasetOptions(limit, ids, policy, parameters);
    }

    /** The same options with one parameter set (replacing its value, if any). */
    public DatasetOptions with(String key, String value) {
        Map<String, String> p = new LinkedHashMap<>(parameters);
        p.put(key, value);
        return new DatasetOptions(limit, ids, onBadSample, p);
    }

    /** A parameter's value, or {@code fallback} when it is not set. */
    public String parameter(String key, String fallback) {
        return parameters.getOrDefault(key, fallback);
    }

    public enum BadSamplePolicy { FAIL, SKIP }
}
