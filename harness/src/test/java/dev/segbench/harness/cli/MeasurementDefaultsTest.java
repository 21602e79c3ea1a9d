package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.segbench.results.settings.Settings;
import dev.segbench.harness.CliResult;
import dev.segbench.results.ResultsJson;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first look (no --dataset) measures briefly; a dataset brings the full minimums; a given option always wins. */
class MeasurementDefaultsTest {

    @TempDir
    Path tmp;

    @Test
    void theHelpSaysTheDefaultsTheCodeUses() {
        assertEquals(MeasurementDefaults.FIRST_LOOK_TEXT, MeasurementDefaults.FIRST_LOOK.toString());
        assertEquals(MeasurementDefaults.FULL_TEXT, MeasurementDefaults.FULL.toString());
    }

    @Test
    void withoutDatasetTheMeasurementsAreAFirstLookAndWithOneTheyAreFull() throws Exception {
        Settings firstLook = settingsOf("first", "--backends", "fake", "--models", "tiny", "--precisions", "fp32",
                "--gallery", "0");
        assertEquals(1.0, firstLook.performance().warmupSeconds());
        assertEquals(2.0, firstLook.performance().minDurationSeconds());
        assertEquals(10, firstLook.performance().minIterations());
        assertEquals(java.util.List.of(1), firstLook.performance().batchSizes());

        Settings full = settingsOf("full", "--backends", "fake", "--models", "tiny", "--precisions", "fp32",
                "--dataset", "fake:1", "--gallery", "0", "--min-duration", "0.2");
        assertEquals(2.0, full.performance().warmupSeconds());
        assertEquals(0.2, full.performance().minDurationSeconds(), "a given option wins");
        assertEquals(30, full.performance().minIterations());
        assertEquals(java.util.List.of(1, 8, 32), full.performance().batchSizes());
    }

    private Settings settingsOf(String name, String... args) throws Exception {
        Path out = tmp.resolve(name);
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("compare", "--out", out.toString(),
                "--in-process", "--reference", "fake:fp32", "--scenarios", "single-stream", "--perf-size", "40x56",
                "--progress", "never"));
        all.addAll(java.util.List.of(args));
        CliResult r = CliResult.run(all.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        return ResultsJson.read(out).settings();
    }
}
