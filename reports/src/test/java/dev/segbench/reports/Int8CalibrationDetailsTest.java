package dev.segbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.DatasetOptions;
import dev.segbench.api.DatasetSpec;
import dev.segbench.results.settings.CalibrationRequest;
import dev.segbench.results.settings.Int8Fallback;
import dev.segbench.results.settings.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An int8 run's calibration (dataset, method, images, overlap) in the run details, the options in the settings. */
class Int8CalibrationDetailsTest {

    @TempDir
    Path dir;

    private static Element row(Document doc, String key) {
        return doc.select("#details tbody tr").stream().filter(tr -> tr.select("td").first().text().startsWith(key))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + key));
    }

    private Document report(List<Run> runs, Settings settings) throws IOException {
        Results results = new Results(Results.SCHEMA_VERSION, SampleResults.environment(), List.of(SampleResults.environment()),
                settings, runs, List.of(), List.of());
        ResultsJson.write(dir, results);
        return Jsoup.parse(HtmlReport.write(dir).toFile(), "UTF-8");
    }

    @Test
    void int8RunsShowTheirCalibrationAndTheSettingsTheOptions() throws Exception {
        Random rnd = new Random(7);
        Run fp32 = SampleResults.run("arch0", "cpu", "fp32", rnd);
        Run int8 = SampleResults.run("arch0", "cpu", "int8", rnd).toBuilder()
                .calibration(new Run.Calibration("voc2012/val", "minmax", 5, "ab".repeat(32), 5)).build();
        Settings withCalibration = SampleResults.settings(List.of("fp32", "int8"), new CalibrationRequest(
                "voc:/data/VOCdevkit", DatasetSpec.parse("voc:/data/VOCdevkit"), DatasetOptions.defaults().with("split", "train"),
                64, CalibrationMethod.MINMAX, null, null, 0));
        Document doc = report(List.of(fp32, int8), withCalibration);

        List<String> headers = doc.select("#details thead th").eachText();
        int column = headers.indexOf("Int8 calibration");
        assertTrue(column > 0, headers.toString());
        assertEquals("voc2012/val, minmax, 5 images, 5 also evaluated ⚠", row(doc, "arch0/cpu/int8").select("td")
                .get(column).text());
        assertEquals("—", row(doc, "arch0/cpu/fp32").select("td").get(column).text());
        String settings = doc.select("#environment").text();
        assertTrue(settings.contains("Int8 calibration voc:/data/VOCdevkit (train), up to 64 images, minmax"), settings);
    }

    @Test
    void int8RunsShowTheLayersTheyKeptInFloatAndHowTheyWereChosen() throws Exception {
        Random rnd = new Random(7);
        Run.Fallback auto = new Run.Fallback("auto", 0.998, List.of(new Run.Fallback.Step(0, 0.99),
                new Run.Fallback.Step(1, 0.995), new Run.Fallback.Step(2, 0.999)), 3.14, true, List.of());
        Run int8 = SampleResults.run("arch0", "cpu", "int8", rnd).toBuilder()
                .calibration(new Run.Calibration("synthetic(seed=2)", "minmax", 16, "ab".repeat(32), 0,
                        List.of("conv_a", "conv_b"), auto)).build();
        Settings withFallback = SampleResults.settings(List.of("int8"), new CalibrationRequest("synthetic:16",
                DatasetSpec.parse("synthetic:16"), DatasetOptions.defaults(), 16, CalibrationMethod.MINMAX, null, null, 0,
                Int8Fallback.parse("auto", "99.8")));
        Document doc = report(List.of(int8), withFallback);
        int column = doc.select("#details thead th").eachText().indexOf("Int8 calibration");
        assertEquals("synthetic(seed=2), minmax, 16 images, 2 layers in float (auto, 3.1 s search): conv_a, conv_b",
                row(doc, "arch0/cpu/int8").select("td").get(column).text());
        String settings = doc.select("#environment").text();
        assertTrue(settings.contains("Int8 layers kept in float auto, until int8 labels agree with FP32 on 99.80% of the"
                + " calibration images' pixels"), settings);
        assertEquals(List.of("conv_a", "conv_b"), ResultsJson.read(dir).runs().getFirst().calibration().floatLayers(),
                "results.json round trip");
        assertEquals(auto, ResultsJson.read(dir).runs().getFirst().calibration().fallback());
    }

    @Test
    void withoutInt8ThereIsNoCalibrationColumn() throws IOException {
        Random rnd = new Random(7);
        Document doc = report(List.of(SampleResults.run("arch0", "cpu", "fp32", rnd)), SampleResults.settings());
        assertFalse(doc.select("#details thead th").eachText().contains("Int8 calibration"));
        assertFalse(doc.select("#environment").text().contains("Int8 calibration"));
    }
}
