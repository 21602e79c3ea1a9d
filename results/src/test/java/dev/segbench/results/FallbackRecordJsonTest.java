package dev.segbench.results;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The int8 fallback record's per-layer speed ratios survive results.json, and files written before them still read. */
class FallbackRecordJsonTest {

    @Test
    void ratiosRoundTripInGraphOrder() throws Exception {
        Map<String, Double> ratios = new LinkedHashMap<>();
        ratios.put("conv_b", 1.04);
        ratios.put("conv_a", 0.61);
        Run.Fallback f = new Run.Fallback("auto", 0.998, List.of(new Run.Fallback.Step(1, 0.999)), 2.5, true,
                List.of("conv_b"), ratios);
        String json = ResultsJson.mapper().writeValueAsString(f);
        Run.Fallback back = ResultsJson.mapper().readValue(json, Run.Fallback.class);
        assertEquals(f, back);
        assertEquals(List.of("conv_b", "conv_a"), List.copyOf(back.int8TimeRatios().keySet()), json);
    }

    @Test
    void aRecordWithoutRatiosReadsAsNotMeasured() throws Exception {
        String old = "{\"mode\":\"auto\",\"target\":0.998,\"steps\":[{\"kept\":2,\"agreement\":0.999}],\"seconds\":3.1,"
                + "\"reached\":true}";
        Run.Fallback back = ResultsJson.mapper().readValue(old, Run.Fallback.class);
        assertEquals(Map.of(), back.int8TimeRatios());
        assertEquals(List.of(), back.slowerInInt8());
        assertEquals(2, back.steps().getFirst().kept());
    }
}
