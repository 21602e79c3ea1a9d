package dev.segbench.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A dataset as the user names it: {@code scheme[:location][?key=value&key=value]}. The query's parameters are the
 * provider's own options ({@link DatasetProvider#parameterKeys()}); a key the provider does not declare is refused.
 */
public record DatasetSpec(String scheme, String location, Map<String, String> parameters) {

    public DatasetSpec {
        parameters = Map.copyOf(parameters);
    }

    /** Parses "voc:/data/VOCdevkit?split=train"; a malformed query is a one-line error naming the spec. */
    public static DatasetSpec parse(String spec) throws DatasetException {
        String s = spec.strip();
        int q = s.indexOf('?');
        String head = q < 0 ? s : s.substring(0, q);
        Map<String, String> parameters = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : s.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (pair.isBlank() || eq <= 0) {
                    throw new DatasetException(spec + ": '" + pair + "' is not key=value (options follow '?', joined by '&')");
                }
                String key = pair.substring(0, eq).strip();
                if (parameters.put(key, pair.substring(eq + 1).strip()) != null) {
                    throw new DatasetException(spec + ": option '" + key + "' given twice");
                }
            }
        }
        int colon = head.indexOf(':');
        return colon < 0 ? new DatasetSpec(head, "", parameters)
                : new DatasetSpec(head.substring(0, colon), head.substring(colon + 1), parameters);
    }

    /** The same dataset at another location (its parameters kept). */
    public DatasetSpec withLocation(String newLocation) {
        return new DatasetSpec(scheme, newLocation, parameters);
    }

    /** The spec as {@link #parse} reads it back (parameters in key order). */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(scheme);
        if (!location.isEmpty()) {
            text.append(':').append(location);
        }
        String sep = "?";
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(parameters).entrySet()) {
            text.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = "&";
        }
        return text.toString();
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
