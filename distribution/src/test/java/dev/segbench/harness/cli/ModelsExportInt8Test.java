package dev.segbench.harness.cli;

import static dev.segbench.harness.CliResult.assertOneLineUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.Real;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code segbench models export --precision int8}: calibrates (or reuses the cache) and writes the QDQ graph. */
class ModelsExportInt8Test {

    @TempDir
    Path tmp;

    @Test
    void exportsACalibratedGraphAndReusesTheCalibrationTheSecondTime() throws Exception {
        try (var plugins = Real.plugins()) {
            Real.cpu(plugins);
        }
        Path out = tmp.resolve("arch1-int8.onnx");
        Path table = tmp.resolve("arch1.calibration.json");
        String[] args = {"models", "export", "--model", "arch1", "--precision", "int8", "--calibration", "synthetic:2",
            "--calibration-method", "minmax", "--calibration-cache", table.toString(), "--cache-dir",
            tmp.resolve("cache").toString(), "--out", out.toString()};
        CliResult first = CliResult.run(args);
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.out().startsWith("wrote " + out + " (arch1, int8, uint8 activations, logits out, sha256 "),
                first.out());
        assertTrue(first.errLines().stream().anyMatch(l -> l.startsWith("calibrating arch1 on 2 images of synthetic")),
                first.toString());
        Map<String, String> meta = ModelProto.parseFrom(Files.readAllBytes(out)).getMetadataPropsList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
        assertEquals("int8", meta.get("precision"));
        assertEquals("minmax", meta.get("calibration_method"));
        assertTrue(Files.isRegularFile(table), "--calibration-cache exported the table");

        CliResult second = CliResult.run(args);
        assertEquals(0, second.code(), second.toString());
        assertTrue(second.errLines().stream().anyMatch(l -> l.startsWith("calibration cache hit: " + table
                + ", no calibration pass")), second.toString());
        assertEquals(first.out(), second.out(), "the same graph, byte for byte");
    }

    /** {@code models export --int8-fallback LAYER,LAYER}: the written graph keeps those convolutions in float. */
    @Test
    void exportsTheGraphWithListedLayersInFloat() throws Exception {
        List<String> layers;
        try (var plugins = Real.plugins()) {
            Real.cpu(plugins);
            layers = plugins.catalogFor("arch2").orElseThrow().load("arch2", dev.segbench.api.WeightsSpec.seeded(1))
                    .int8().orElseThrow().quantizableLayers().stream().map(dev.segbench.api.ModelSource.Layer::name)
                    .toList();
        }
        Path out = tmp.resolve("arch2-int8.onnx");
        String kept = layers.get(5) + "," + layers.get(2);
        CliResult r = CliResult.run("models", "export", "--model", "arch2", "--precision", "int8", "--calibration",
                "synthetic:2", "--int8-fallback", kept, "--cache-dir", tmp.resolve("cache").toString(), "--out",
                out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.errLines().contains("arch2: 2 layer(s) kept in float: " + layers.get(2) + ", " + layers.get(5)),
                r.toString());
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(out));
        Map<String, String> meta = model.getMetadataPropsList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
        assertEquals(layers.get(2) + "," + layers.get(5), meta.get("int8_float_layers"), "graph order");
        java.util.Set<String> floatWeights = model.getGraph().getInitializerList().stream()
                .map(ai.onnx.proto.OnnxMl.TensorProto::getName).collect(Collectors.toSet());
        for (var n : model.getGraph().getNodeList()) {
            if (n.getName().equals(layers.get(2)) || n.getName().equals(layers.get(5))) {
                assertTrue(floatWeights.contains(n.getInput(1)), n.getName() + " reads its FP32 weight initializer");
            } else if (n.getName().equals(layers.get(3))) {
                assertFalse(floatWeights.contains(n.getInput(1)), n.getName() + " reads dequantized int8 weights");
            }
        }
    }

    @Test
    void badCalibrationOptionsAreOneLine() {
        Path out = tmp.resolve("x.onnx");
        String[] base = {"models", "export", "--model", "arch1", "--out", out.toString()};
        assertOneLineUserError(run(base, "--precision", "int8"), "--calibration", "synthetic:64");
        assertOneLineUserError(run(base, "--precision", "int8", "--calibration", "synthetic:2", "--calibration-images", "0"),
                "--calibration-images: must be at least 1, got 0");
        assertOneLineUserError(run(base, "--precision", "int8", "--calibration", "synthetic:2", "--calibration-method",
                "median"), "--calibration-method", "minmax, percentile, entropy");
        assertOneLineUserError(run(base, "--precision", "int8", "--calibration", "synthetic:2", "--int8-activations",
                "int4"), "--int8-activations");
        assertOneLineUserError(run(base, "--precision", "int8", "--calibration", "nosuch:x"), "unknown dataset scheme 'nosuch'");
        assertOneLineUserError(run(base, "--calibration", "synthetic:2"), "--calibration: only int8 runs are calibrated; use --precision int8");
        assertOneLineUserError(run(base, "--int8-fallback", "auto"), "--int8-fallback: only int8 runs keep layers in float");
        assertFalse(Files.exists(out), "nothing written");
        assertOneLineUserError(CliResult.run("predict", "--model", "arch1", "--precision", "int8", "--image", "x.jpg",
                "--out-mask", tmp.resolve("m.png").toString()), "predict does not calibrate");
    }

    private static CliResult run(String[] base, String... more) {
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliResult.run(args);
    }
}
