package dev.segbench.api;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one reader of backend session properties ({@link SessionOptions#properties()}), with one set of parsing rules
 * for every backend. A backend names its prefix ("cpu.", "cuda.", "tensorrt.") and the keys it reads; a key with that
 * prefix that the backend does not know is a typo and is rejected in one line that lists the known keys, so that a
 * misspelt setting never silently does nothing. Keys of other prefixes belong to other backends and are ignored
 * (one compare passes the same properties to every backend); a backend may still read a key of another prefix it
 * lists as known (tensorrt reads {@code cuda.device}).
 *
 * <p>Every parse error is an IllegalArgumentException whose message is one line naming the key and the value.
 */
public final class BackendProperties {

    private final String prefix;
    private final Map<String, String> values;
    private final Set<String> known;

    private BackendProperties(String prefix, Map<String, String> values, Set<String> known) {
        this.prefix = prefix;
        this.values = values;
        this.known = known;
    }

    /**
     * Checks {@code options.properties()} against the backend's keys.
     *
     * @param prefix    the backend's own prefix, ending with a dot ("cuda.")
     * @param knownKeys every key the backend reads (of its prefix or of another one)
     * @throws IllegalArgumentException naming the first unknown key of {@code prefix} and the known ones
     */
    public static BackendProperties read(SessionOptions options, String prefix, List<String> knownKeys) {
        return read(options.properties(), prefix, knownKeys);
    }

    /** As {@link #read(SessionOptions, String, List)}, for a bare property map. */
    public static BackendProperties read(Map<String, String> properties, String prefix, List<String> knownKeys) {
        if (!prefix.endsWith(".") || prefix.length() < 2) {
            throw new IllegalArgumentException("a property prefix ends with a dot, got '" + prefix + "'");
        }
        Set<String> known = new TreeSet<>(knownKeys);
        for (String key : new TreeSet<>(properties.keySet())) {
            if (key.startsWith(prefix) && !known.contains(key)) {
                List<String> own = known.stream().filter(k -> k.startsWith(prefix)).toList();
                throw new IllegalArgumentException("unknown property " + key + " (" + (own.isEmpty()
                        ? "the " + prefix.substring(0, prefix.length() - 1) + " backend has no " + prefix + "* properties"
                        : "known " + prefix + "* properties: " + String.join(", ", own)) + ")");
            }
        }
        return new BackendProperties(prefix, Map.copyOf(properties), Set.copyOf(known));
    }

    /** The raw value of a known key, if set. */
    public Optional<String> raw(String key) {
        if (!known.contains(key)) {
            throw new IllegalStateException(key + " is not among the keys this reader was given for " + prefix + "*");
        }
        return Optional.ofNullable(values.get(key));
    }

    /** The trimmed value, or {@code fallback} when the key is not set. */
    public String string(String key, String fallback) {
        return raw(key).map(String::trim).orElse(fallback);
    }

    /** {@code true} or {@code false} (any case). */
    public boolean bool(String key, boolean fallback) {
        return raw(key).map(v -> parseBoolean(key, v)).orElse(fallback);
    }

    /** A whole number in {@code min..max}. */
    public long integer(String key, long fallback, long min, long max) {
        Optional<String> v = raw(key);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.get().trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the accepted range
        }
        throw new IllegalArgumentException(key + " must be an integer in " + min + ".." + max + ", got '" + v.get() + "'");
    }

    /** One of {@code allowed} (exact, after trimming). */
    public String choice(String key, String fallback, String... allowed) {
        String v = string(key, fallback);
        if (!Arrays.asList(allowed).contains(v)) {
            throw new IllegalArgumentException(key + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }

    /** The boolean rule every property follows: {@code true} or {@code false}, any case, surrounding blanks ignored. */
    public static boolean parseBoolean(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
        };
    }
}
