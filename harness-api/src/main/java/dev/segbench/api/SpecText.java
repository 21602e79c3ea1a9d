package dev.segbench.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the user types to name a dataset or a model: {@code scheme[:location][?key=value&key=value]}. Parsed here,
 * once, for {@link DatasetSpec} and {@link ModelSpec}; each adds what its kind of plugin understands.
 */
public record SpecText(String scheme, String location, Map<String, String> parameters) {

    public SpecText {
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Parses "voc:/data/VOCdevkit?split=train".
     *
     * @throws IllegalArgumentException with a one-line message naming the spec when the query is malformed
     */
    public static SpecText parse(String spec) {
        String s = spec.strip();
        int q = s.indexOf('?');
        String head = q < 0 ? s : s.substring(0, q);
        Map<String, String> parameters = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : s.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (pair.isBlank() || eq <= 0) {
                    throw new IllegalArgumentException(spec + ": '" + pair + "' is not key=value (options follow '?', joined by '&')");
                }
                String key = pair.substring(0, eq).strip();
                if (parameters.put(key, pair.substring(eq + 1).strip()) != null) {
                    throw new IllegalArgumentException(spec + ": option '" + key + "' given twice");
                }
            }
        }
        int colon = head.indexOf(':');
        return colon < 0 ? new SpecText(head, "", parameters)
                : new SpecText(head.substring(0, colon), head.substring(colon + 1), parameters);
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
}
