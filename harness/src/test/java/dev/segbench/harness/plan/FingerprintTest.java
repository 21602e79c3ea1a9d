package dev.segbench.harness.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.ResultsJson;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FingerprintTest {

    private static Map<String, Object> inputs() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", "arch0");
        m.put("backend_version", "1.29.0");
        m.put("sample_ids", List.of("a", "b", "c", "d", "e", "f"));
        m.put("min_duration_seconds", 5.0);
        m.put("properties", Map.of("z", "1", "a", "2"));
        m.put("reference_fingerprint", null);
        return m;
    }

    @Test
    void keyOrderDoesNotMatterButEveryValueDoes() {
        Map<String, Object> a = inputs();
        Map<String, Object> b = new HashMap<>();
        List<String> keys = List.copyOf(a.keySet()).reversed();
        keys.forEach(k -> b.put(k, a.get(k)));
        assertEquals(Fingerprint.of(a), Fingerprint.of(b));
        assertEquals(64, Fingerprint.of(a).length());
        Map<String, Object> c = new TreeMap<>(a);
        c.put("sample_ids", List.of("a", "b", "c", "d", "e"));
        assertNotEquals(Fingerprint.of(a), Fingerprint.of(c));
        Map<String, Object> d = new TreeMap<>(a);
        d.put("reference_fingerprint", "f00");
        assertNotEquals(Fingerprint.of(a), Fingerprint.of(d), "a null input is an input");
    }

    @Test
    void survivesTheRoundTripThroughARecordFile() throws Exception {
        Map<String, Object> a = inputs();
        byte[] json = ResultsJson.mapper().writeValueAsBytes(a);
        @SuppressWarnings("unchecked")
        Map<String, Object> back = ResultsJson.mapper().readValue(json, Map.class);
        assertEquals(Fingerprint.of(a), Fingerprint.of(back));
    }

    @Test
    void describesWhatChanged() {
        Map<String, Object> now = new TreeMap<>(inputs());
        now.put("min_duration_seconds", 2.0);
        now.put("sample_ids", List.of("a", "b"));
        String why = Fingerprint.describeChange(inputs(), now);
        assertTrue(why.contains("min_duration_seconds 5.0 -> 2.0"), why);
        assertTrue(why.contains("sample_ids (6 items) -> [a, b]"), why);
        assertEquals(1, why.lines().count());
    }
}
