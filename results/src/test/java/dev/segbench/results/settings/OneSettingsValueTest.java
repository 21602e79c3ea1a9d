package dev.segbench.results.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetSpec;
import dev.segbench.api.Precision;
import dev.segbench.results.Classes;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Warning;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The settings are one value: what the runs got is what results.json records (no converter to drop a field), and a
 * {@code withX} copy changes its own part and nothing else (the mistake that made {@code Results.withWarnings} drop
 * the dataset's classes when records were copied by 20 positional arguments).
 */
class OneSettingsValueTest {

    static Settings everyGroupSet() throws Exception {
        LoadSettings load = new LoadSettings(Scenario.parseList("--scenarios", "single-stream,offline,server"),
                List.of(new OptionLists.Size(384, 512), new OptionLists.Size(256, 256)), List.of(1, 2), Arrivals.UNIFORM, 3,
                120.0, null, 400, "fixed", 600, 95);
        return new Settings(
                new Settings.Selection(List.of("arch0", "onnx:/m/seg.onnx?name=seg"), List.of("cpu", "pytorch"),
                        List.of(Precision.FP32, Precision.INT8), Map.of("arch0", Path.of("/w/arch0.pth")), 7,
                        new Settings.Reference("cpu", Precision.FP32), new Settings.Reference("pytorch", Precision.FP32)),
                new Settings.Data("voc:/data/VOC", DatasetOptions.defaults().withLimit(5).with("split", "val"),
                        new Shard(1, 3, "--shard"), 2, 4),
                new Settings.Performance(List.of(1, 8), true, 384, 512, 2, 5, 30, 0.05, load),
                new Settings.Session(2, Map.of("cpu.opt", "all", "a.first", "1"), Path.of("/cache")),
                new Settings.Execution(false, true, 900, 120, List.of("-Xmx2g")), Path.of("/out"),
                new CalibrationRequest("voc:/data/VOC", DatasetSpec.parse("voc:/data/VOC"),
                        DatasetOptions.defaults().with("split", "train"), 64, CalibrationMethod.MINMAX, Path.of("/cache"),
                        Path.of("/t/table.json"), 2, Int8Fallback.parse("auto", "99.5")),
                new Settings.Recorded(List.of("compare", "--models", "arch0"), List.of("cpu", "pytorch"), "cpu:fp32",
                        "pytorch:fp32", "1/3", "p99-ms<=120"));
    }

    @Test
    void whatTheRunsGotIsWhatTheFileRecords() throws Exception {
        Settings given = everyGroupSet();
        Results results = new Results(Results.SCHEMA_VERSION, null, List.of(), given, List.of(), List.of(), List.of(),
                Classes.voc());
        Settings read = ResultsJson.fromBytes(ResultsJson.toBytes(results), "results.json").settings();
        assertEquals(given, read);
        // and each group is there under its own name, as a user reading the file with jq finds it
        var tree = ResultsJson.mapper().readTree(ResultsJson.toBytes(results)).get("settings");
        assertEquals("[\"single-stream\",\"offline\",\"server\"]", tree.at("/performance/load/scenarios").toString(),
                "LoadGen's names, in LoadGen's order");
        assertEquals("uniform", tree.at("/performance/load/arrivals").asText());
        // as the user typed them: paths, not file: URIs; the ids runs record ("fp32", "minmax", "skip", "auto")
        assertEquals("/out", tree.at("/out").asText());
        assertEquals("/w/arch0.pth", tree.at("/selection/weights/arch0").asText());
        assertEquals("[\"fp32\",\"int8\"]", tree.at("/selection/precisions").toString());
        assertEquals("minmax", tree.at("/calibration/method").asText());
        assertEquals("fail", tree.at("/data/options/on_bad_sample").asText());
        assertEquals("auto", tree.at("/calibration/fallback/mode").asText());
        // maps in key order, so two identical compares write identical files (Map.of's order is per JVM)
        assertEquals(List.of("a.first", "cpu.opt"), iterable(tree.at("/session/properties").fieldNames()));
        for (RecordComponent c : Settings.class.getRecordComponents()) {
            String name = c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
            assertEquals(true, tree.has(name), name + " missing from " + tree);
        }
    }

    @Test
    void eachWithCopyChangesOnlyItsOwnPart() throws Exception {
        Settings s = everyGroupSet();
        assertEquals(List.of("recorded"), changed(s, s.withRecorded(new Settings.Recorded(null, List.of(), null, null,
                null, null))));
        assertEquals(List.of("calibration"), changed(s, s.withCalibration(null)));
        assertEquals(List.of("recorded"), changed(s, s.withShard("0/3+1/3+2/3")));
        assertEquals(List.of("shard"), changed(s.recorded(), s.recorded().withShard("0/3+1/3")));
        Results r = new Results(Results.SCHEMA_VERSION, null, List.of(), s, List.of(), List.of(), List.of(),
                new Classes(List.of("bg", "cat"), List.of("#000000", "#ff0000"), "#ffffff"));
        assertEquals(List.of("warnings"), changed(r, r.withWarnings(List.of(Warning.of(Warning.NOTE, Warning.WARN, "x")))));
    }

    /** A relative folder stays relative: what the user typed, read back equal. */
    @Test
    void aRelativeOutputFolderIsRecordedAsTyped() throws Exception {
        Settings s = everyGroupSet();
        Settings relative = new Settings(s.selection(), s.data(), s.performance(), s.session(), s.execution(),
                Path.of("segbench-out"), s.calibration(), s.recorded());
        Results results = new Results(Results.SCHEMA_VERSION, null, List.of(), relative, List.of(), List.of(), List.of(),
                Classes.voc());
        byte[] json = ResultsJson.toBytes(results);
        assertEquals("segbench-out", ResultsJson.mapper().readTree(json).at("/settings/out").asText());
        assertEquals(relative, ResultsJson.fromBytes(json, "results.json").settings());
        // Jackson's own form (a file: URI), as a file written before paths were written as typed has it, reads too
        String asUri = new String(json, java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"out\" : \"segbench-out\"", "\"out\" : \"file:///runs/segbench-out/\"");
        assertEquals(Path.of("/runs/segbench-out"), ResultsJson.fromBytes(asUri.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "results.json").settings().out());
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    /** The names of the record components whose values differ between {@code a} and {@code b}. */
    private static List<String> changed(Record a, Record b) throws Exception {
        assertEquals(a.getClass(), b.getClass());
        List<String> out = new ArrayList<>();
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            if (!Objects.equals(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) {
                out.add(c.getName());
            }
        }
        assertNotEquals(List.of(), out, "the copy changed nothing");
        return out;
    }
}
