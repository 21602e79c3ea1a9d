package dev.segbench.api;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A dataset as the user names it: {@code scheme[:location][?key=value&key=value]}. The query's parameters are the
 * provider's own options ({@link DatasetProvider#parameterKeys()}); a key the provider does not declare is refused.
 */
public record DatasetSpec(String scheme, String location, Map<String, String> parameters) {

    public DatasetSpec {
        parameters = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(parameters)); // sorted: one spelling in JSON
    }

    /** Parses "voc:/data/VOCdevkit?split=train" ({@link SpecText#parse}); a malformed query is a one-line error naming the spec. */
    public static DatasetSpec parse(String spec) throws DatasetException {
        try {
            SpecText text = SpecText.parse(spec);
            return new DatasetSpec(text.scheme(), text.location(), text.parameters());
        } catch (IllegalArgumentException e) {
            throw new DatasetException(e.getMessage());
        }
    }

    /** The same dataset at another location (its parameters kept). */
    public DatasetSpec withLocation(String newLocation) {
        return new DatasetSpec(scheme, newLocation, parameters);
    }

    /** The spec as {@link #parse} reads it back (parameters in key order). */
    @Override
    public String toString() {
        return new SpecText(scheme, location, parameters).toString();
    }

    /**
     * Opens the dataset with {@code provider}: {@code options} (from the command line's flags) plus this spec's
     * parameters, which win; every parameter must be one the provider declares.
     */
    public Dataset open(DatasetProvider provider, DatasetOptions options) throws DatasetException {
        DatasetOptions all = options;
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            all = all.with(e.getKey(), e.getValue());
        }
        Set<String> known = provider.parameterKeys();
        for (String key : all.parameters().keySet()) {
            if (!known.contains(key)) {
                throw new DatasetException("dataset " + provider.scheme() + ": unknown option '" + key + "' ("
                        + (known.isEmpty() ? "it takes none" : "it takes " + String.join(", ", new TreeSet<>(known))) + ")");
            }
        }
        return provider.open(location, all);
    }
}
