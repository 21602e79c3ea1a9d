package dev.segbench.harness.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import dev.segbench.results.ResultsJson;
import dev.segbench.harness.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSettingsTest {

    @TempDir
    Path tmp;

    @Test
    void travelsToAChildAsJsonUnchanged() throws Exception {
        Path ckpt = Files.writeString(tmp.resolve("w.pth"), "x");
        RunSettings s = new RunSettings(
                new RunSettings.Selection(List.of("arch0", "arch1"), List.of("cpu"), List.of(Precision.FP32, Precision.FP16),
                        Map.of("arch0", ckpt), 7, RunSettings.Reference.auto()),
                new RunSettings.Data("voc:/data/VOC dev", new DatasetOptions(5, List.of("a", "b"), DatasetOptions.BadSamplePolicy.SKIP, java.util.Map.of("split", "val", "aug-labels", "true")), Shard.parse("auto/3", Map.of("JOB_COMPLETION_INDEX", "2")), 3, 4),
                new RunSettings.Performance(List.of(1, 8), true, 384, 512, 0.5, 1.5, 12, 0.07),
                new RunSettings.Session(2, Map.of("tensorrt.opt-level", "3"), tmp.resolve("cache")),
                new RunSettings.Execution(false, true, 90, 30, List.of("-Xmx2g")),
                tmp.resolve("out"));
        byte[] json = ResultsJson.mapper().writeValueAsBytes(s);
        assertEquals(s, ResultsJson.mapper().readValue(json, RunSettings.class));
    }

    @Test
    void referenceIsAutoNoneOrExplicit() {
        assertTrue(RunSettings.Reference.parse("auto").isAuto());
        assertNull(RunSettings.Reference.parse("none"));
        assertEquals(new RunSettings.Reference("cpu", Precision.FP16), RunSettings.Reference.parse("cpu:fp16"));
        assertThrows(UserException.class, () -> RunSettings.Reference.parse("cpu"));
    }

    @Test
    void durationsHaveUnits() {
        assertEquals(90, RunSettings.parseDurationSeconds("--run-timeout", "90s"));
        assertEquals(90, RunSettings.parseDurationSeconds("--run-timeout", "90"));
        assertEquals(600, RunSettings.parseDurationSeconds("--run-timeout", "10m"));
        assertEquals(5400, RunSettings.parseDurationSeconds("--run-timeout", "1.5h"));
        UserException e = assertThrows(UserException.class, () -> RunSettings.parseDurationSeconds("--run-timeout", "soon"));
        assertEquals("--run-timeout: 'soon' is not a duration (e.g. 500ms, 2s, 10m, 1h; a bare number is seconds)", e.getMessage());
        assertEquals(0.5, RunSettings.parseDurationSeconds("--warmup", "500ms"));
        assertEquals(300, RunSettings.parseDurationSeconds("--warmup", "5 min"));
        assertEquals(0, RunSettings.parseDurationSeconds("--warmup", "0"));
        assertThrows(UserException.class, () -> RunSettings.parseDurationSeconds("--stall-timeout", "-3m"));
        assertEquals("1 h", RunSettings.formatDuration(3600));
        assertEquals("10 min", RunSettings.formatDuration(600));
        assertEquals("7 s", RunSettings.formatDuration(7));
    }
}
