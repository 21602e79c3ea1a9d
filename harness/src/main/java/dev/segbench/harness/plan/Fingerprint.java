package dev.segbench.harness.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.segbench.api.io.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A run's fingerprint: the SHA-256 of a canonical JSON (keys sorted, no spaces) of everything that decides its
 * result: model and weights hash, backend id and version, precision, dataset spec and the ids of the samples
 * evaluated, the settings of both passes, the session settings, and (for a compared run) its reference's
 * fingerprint. {@code --resume} reuses a recorded run only when its fingerprint is equal.
 */
public final class Fingerprint {

    /** Keys sorted, no spaces, and no null entries: an input that is null is the same as one that is absent. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    private Fingerprint() {
    }

    public static String canonicalJson(Map<String, Object> inputs) {
        try {
            return CANONICAL.writeValueAsString(new TreeMap<>(inputs));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("fingerprint inputs cannot be serialised", e);
        }
    }

    public static String of(Map<String, Object> inputs) {
        return Sha256.hex(Sha256.digest(canonicalJson(inputs).getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Which inputs differ, for the one line that says why a run is measured again:
     * {@code "min_duration_seconds 5.0 -> 2.0, sample_ids (8 -> 4 samples)"}.
     */
    public static String describeChange(Map<String, Object> before, Map<String, Object> now) {
        Map<String, Object> a = normalise(before);
        Map<String, Object> b = normalise(now);
        List<String> changes = new ArrayList<>();
        for (String k : new TreeSet<>(union(a, b))) {
            Object x = a.get(k);
            Object y = b.get(k);
            if (!Objects.equals(x, y)) {
                changes.add(k + " " + shortly(x) + " -> " + shortly(y));
            }
        }
        if (changes.isEmpty()) {
            return "its inputs changed";
        }
        String joined = String.join(", ", changes.subList(0, Math.min(3, changes.size())));
        return joined + (changes.size() > 3 ? " and " + (changes.size() - 3) + " more" : "");
    }

    /** The inputs as they read back from JSON (numbers and lists compare equal after a round trip). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> normalise(Map<String, Object> m) {
        try {
            return CANONICAL.readValue(canonicalJson(m == null ? Map.of() : m), TreeMap.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.Set<String> union(Map<String, Object> a, Map<String, Object> b) {
        java.util.Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    private static String shortly(Object v) {
        if (v == null) {
            return "none";
        }
        if (v instanceof List<?> l && l.size() > 4) {
            return "(" + l.size() + " items)";
        }
        String s = String.valueOf(v);
        return s.length() > 40 ? s.substring(0, 12) + "..." : s;
    }
}
