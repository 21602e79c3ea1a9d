package dev.segbench.api.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.DeviceTimings;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Fields whose shape changed keep reading from results written before the change. */
class ResultsCompatibilityTest {

    @Test
    void deviceTimingsOfOlderResultsStillRead() throws Exception {
        String json = """
                {"schema_version": 2, "runs": [{"model": "m", "backend": "b", "precision": "fp32", "status": "ok",
                  "device_timings_ms": {"h2d": 0.25, "compute": 1.5, "d2h": 0.125}}]}""";
        Results r = ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "old");
        assertEquals(new DeviceTimings(0.25, 1.5, 0.125), r.runs().getFirst().deviceTimingsMs());
    }

    @Test
    void deviceTimingsRoundTripUnderOneName() throws Exception {
        Run run = Run.builder("m", "b", "fp32").status(Run.OK).deviceTimingsMs(new DeviceTimings(0.5, 2, 0.25)).build();
        Results written = new Results(Results.SCHEMA_VERSION, null, null, java.util.List.of(run), null, null);
        String json = new String(ResultsJson.toBytes(written), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"h2d_ms\" : 0.5"), json);
        Results read = ResultsJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "new");
        assertEquals(2.0, read.runs().getFirst().deviceTimingsMs().computeMs());
        assertEquals(2.75, read.runs().getFirst().deviceTimingsMs().totalMs(), 1e-12);
    }

    @Test
    void classesOfOlderResultsAreVocs() throws Exception {
        Results old = ResultsJson.fromBytes("{\"schema_version\": 2, \"runs\": []}".getBytes(StandardCharsets.UTF_8), "old");
        assertEquals(21, old.classes().count());
        assertEquals("aeroplane", old.classes().name(1));
        assertEquals("#800000", old.classes().colours().get(1));
        assertEquals("#e0e0c0", old.classes().ignoreColour());
        assertEquals("class 21", old.classes().name(21));
    }
}
