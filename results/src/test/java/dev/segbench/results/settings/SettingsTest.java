package dev.segbench.results.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.DatasetOptions;
import dev.segbench.api.Precision;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.UserException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path tmp;

    @Test
    void travelsToAChildAsJsonUnchanged() throws Exception {
        Path ckpt = Files.writeString(tmp.resolve("w.pth"), "x");
        Settings s = new Settings(
                new Settings.Selection(List.of("arch0", "arch1"), List.of("cpu"), List.of(Precision.FP32, Precision.FP16),
                        Map.of("arch0", ckpt), 7, Settings.Reference.auto()),
                new Settings.Data("voc:/data/VOC dev", new DatasetOptions(5, List.of("a", "b"), DatasetOptions.BadSamplePolicy.SKIP, java.util.Map.of("split", "val", "aug-labels", "true")), Shard.parse("auto/3", Map.of("JOB_COMPLETION_INDEX", "2")), 3, 4),
                new Settings.Performance(List.of(1, 8), true, 384, 512, 0.5, 1.5, 12, 0.07),
                new Settings.Session(2, Map.of("tensorrt.opt-level", "3"), tmp.resolve("cache")),
                new Settings.Execution(false, true, 90, 30, List.of("-Xmx2g")),
                tmp.resolve("out"));
        byte[] json = ResultsJson.mapper().writeValueAsBytes(s);
        assertEquals(s, ResultsJson.mapper().readValue(json, Settings.class));
    }

    @Test
    void referenceIsAutoNoneOrExplicit() {
        assertTrue(Settings.Reference.parse("auto").isAuto());
        assertNull(Settings.Reference.parse("none"));
        assertEquals(new Settings.Reference("cpu", Precision.FP16), Settings.Reference.parse("cpu:fp16"));
        assertThrows(UserException.class, () -> Settings.Reference.parse("cpu"));
    }

    @Test
    void durationsHaveUnits() {
        assertEquals(90, Settings.parseDurationSeconds("--run-timeout", "90s"));
        assertEquals(90, Settings.parseDurationSeconds("--run-timeout", "90"));
        assertEquals(600, Settings.parseDurationSeconds("--run-timeout", "10m"));
        assertEquals(5400, Settings.parseDurationSeconds("--run-timeout", "1.5h"));
        UserException e = assertThrows(UserException.class, () -> Settings.parseDurationSeconds("--run-timeout", "soon"));
        assertEquals("--run-timeout: 'soon' is not a duration (e.g. 500ms, 2s, 10m, 1h; a bare number is seconds)", e.getMessage());
        assertEquals(0.5, Settings.parseDurationSeconds("--warmup", "500ms"));
        assertEquals(300, Settings.parseDurationSeconds("--warmup", "5 min"));
        assertEquals(0, Settings.parseDurationSeconds("--warmup", "0"));
        assertThrows(UserException.class, () -> Settings.parseDurationSeconds("--stall-timeout", "-3m"));
        assertEquals("1 h", Settings.formatDuration(3600));
        assertEquals("10 min", Settings.formatDuration(600));
        assertEquals("7 s", Settings.formatDuration(7));
    }

    /** A missing weights file is refused where the options are read, naming it; recorded settings naming one still read. */
    @Test
    void weightsFilesAreCheckedWhereTheOptionsAreReadNotWhereSettingsAreRead() throws Exception {
        Path missing = tmp.resolve("gone.pth");
        Settings.Selection selection = new Settings.Selection(List.of("arch0"), List.of(), List.of(Precision.FP32),
                Map.of("arch0", missing), 7, Settings.Reference.auto());
        UserException e = assertThrows(UserException.class, selection::requireWeightFiles);
        assertEquals(missing + ": weights file for arch0 does not exist", e.getMessage());
        byte[] json = ResultsJson.mapper().writeValueAsBytes(selection);
        assertEquals(selection, ResultsJson.mapper().readValue(json, Settings.Selection.class));
        Path ckpt = Files.writeString(tmp.resolve("w.pth"), "x");
        Settings.Selection present = new Settings.Selection(List.of("arch0"), List.of(), List.of(Precision.FP32),
                Map.of("arch0", ckpt), 7, Settings.Reference.auto());
        assertEquals(present, present.requireWeightFiles());
    }

    /** --backends pytorch --precisions fp32,fp16 --reference cpu:fp32: cpu fp32 ran only as the reference. */
    @Test
    void selectsWhatTheUserAskedForAndNotARunAddedAsAReference() {
        Settings s = new Settings(
                new Settings.Selection(List.of("arch0"), List.of("pytorch"), List.of(Precision.FP32, Precision.FP16),
                        Map.of(), 7, new Settings.Reference("cpu", Precision.FP32)),
                new Settings.Data("synthetic:2", DatasetOptions.defaults(), Shard.ALL, 1, 0),
                new Settings.Performance(List.of(1), true, 64, 64, 0, 0, 1, 0.05),
                new Settings.Session(0, Map.of(), null), Settings.Execution.defaults(), tmp.resolve("out"), null,
                new Settings.Recorded(null, List.of("pytorch"), "cpu:fp32", "cpu:fp32", "0/1", "p50-ms<=100"));
        assertTrue(s.selects("pytorch", "fp16"));
        assertTrue(s.selects("pytorch", "fp32"));
        assertTrue(!s.selects("cpu", "fp32"), "the reference run was not asked for");
        assertTrue(!s.selects("pytorch", "int8"));
    }
}
