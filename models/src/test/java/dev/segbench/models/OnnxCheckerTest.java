package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.segbench.api.CalibrationMethod;
import dev.segbench.api.CalibrationTable;
import dev.segbench.api.Int8Activations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every graph variant passes {@code onnx.checker.check_model(path, full_check=True)} (ONNX 1.12, opset 17: Debian's
 * python3-onnx under /usr/bin/python3, which .ci/run installs). Skips visibly where that module is missing.
 */
class OnnxCheckerTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final String CHECK = "import onnx, sys\n"
            + "for p in sys.argv[1:]:\n"
            + "    print('checking', p, flush=True)\n"
            + "    onnx.checker.check_model(p, full_check=True)\n"
            + "    print('ok', p)\n";

    private static boolean onnxModuleAvailable() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import onnx").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void everyVariantOfEveryModelPassesTheFullCheck(@TempDir Path dir) throws Exception {
        assumeTrue(onnxModuleAvailable(), PYTHON + " -c 'import onnx' fails (install Debian's python3-onnx):"
                + " onnx.checker test skipped");
        NasSegmCatalog catalog = new NasSegmCatalog();
        List<String> files = new ArrayList<>();
        for (String id : List.of("arch0", "arch1", "arch2")) {
            ModelSource source = catalog.load(id, WeightsSpec.seeded(2));
            CalibrationTable table = Calibrations.random(source, CalibrationMethod.PERCENTILE, 1, 48, 64, 1);
            List<ModelArtifact> variants = new ArrayList<>();
            for (boolean labelsOut : new boolean[] {false, true}) {
                variants.add(source.artifact(Precision.FP32, labelsOut));
                variants.add(source.artifact(Precision.FP16, labelsOut));
                for (Int8Activations flavour : Int8Activations.values()) {
                    variants.add(source.int8().orElseThrow().artifact(table, flavour, labelsOut));
                }
            }
            variants.add(source.int8().orElseThrow().calibrationGraph().artifact());
            // every other layer kept in float, the stem included (its input then has no pair)
            List<ModelSource.Layer> layers = source.int8().orElseThrow().quantizableLayers();
            java.util.Set<String> kept = new java.util.HashSet<>();
            for (int k = 0; k < layers.size(); k += 2) {
                kept.add(layers.get(k).name());
            }
            for (Int8Activations flavour : Int8Activations.values()) {
                variants.add(source.int8().orElseThrow().artifact(table, flavour, true, kept));
            }
            for (int i = 0; i < variants.size(); i++) {
                ModelArtifact v = variants.get(i);
                Path file = dir.resolve(id + "-" + v.precision().id() + (v.labelsOut() ? "-labels" : "") + "-" + i + ".onnx");
                Files.write(file, variants.get(i).onnx());
                files.add(file.toString());
            }
        }
        assertFullCheck(files);
    }

    /** Every file passes onnx.checker's full check (skips visibly without python3-onnx). */
    static void assertFullCheck(List<String> files) throws Exception {
        assumeTrue(onnxModuleAvailable(), PYTHON + " -c 'import onnx' fails (install Debian's python3-onnx):"
                + " onnx.checker test skipped");
        List<String> command = new ArrayList<>(List.of(PYTHON, "-c", CHECK));
        command.addAll(files);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "onnx.checker did not finish");
        assertEquals(0, p.exitValue(), "onnx.checker rejected a graph:\n" + output);
        assertEquals(files.size(), output.lines().filter(l -> l.startsWith("ok ")).count(), output);
    }
}
