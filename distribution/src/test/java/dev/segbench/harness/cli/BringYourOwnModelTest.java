package dev.segbench.harness.cli;

import static dev.segbench.harness.CliResult.assertOneLineUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.segbench.api.io.Sha256;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.Real;
import dev.segbench.testfixtures.TorchvisionModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20's acceptance: torchvision's LR-ASPP and DeepLabV3 as {@code onnx:PATH} models through {@code segbench
 * compare} and {@code segbench models}, beside the built-ins; bad model files refused in one line, nothing written.
 */
class BringYourOwnModelTest {

    @TempDir
    Path tmp;

    private static void requireRealCpu() {
        try (var plugins = Real.plugins()) {
            Real.cpu(plugins);
        }
    }

    /**
     * Every engine and precision on both models with the first look's measurement defaults (2 samples): fp32 labels
     * of every engine agree with cpu fp32 on >= 99.9% of pixels, fp16 and int8 runs are ok (their agreement reported),
     * each run's fingerprint inputs and results.json carry the file's sha256, and the report names both models.
     */
    @Test
    void torchvisionModelsCompareOnEveryEngineAndPrecision() throws Exception {
        requireRealCpu();
        Path lraspp = TorchvisionModels.onnx(TorchvisionModels.LRASPP);
        Path deeplab = TorchvisionModels.onnx(TorchvisionModels.DEEPLABV3);
        Path out = tmp.resolve("out");
        CliResult r = CliResult.run("compare", "--out", out.toString(), "--cache-dir", tmp.resolve("cache").toString(),
                "--progress", "never", "--models", "onnx:" + lraspp + ",onnx:" + deeplab + "?name=deeplab",
                "--backends", "cpu,opencv,pytorch", "--precisions", "fp32,fp16,int8", "--limit", "2",
                // what is checked is which runs run and how their labels agree; a short performance pass keeps CI quick
                "--warmup", "0.01", "--min-duration", "0.01", "--min-iterations", "3", "--perf-size", "128x128");
        System.out.println(r.out());
        Results results = ResultsJson.read(out);
        String[] shas = {Sha256.hex(Files.readAllBytes(lraspp)), Sha256.hex(Files.readAllBytes(deeplab))};
        int ok = 0;
        for (Run run : results.runs()) {
            String key = run.key();
            String sha = run.model().equals("lraspp") ? shas[0] : shas[1];
            assertTrue(List.of("lraspp", "deeplab").contains(run.model()), key);
            if (run.status().equals(Run.SKIPPED)) {
                System.out.println(key + " skipped: " + run.reason());
                assertFalse(run.backend().equals("cpu"), "cpu runs every precision: " + key + " " + run.reason());
                continue;
            }
            assertEquals(Run.OK, run.status(), key + ": " + run.reason());
            ok++;
            assertEquals(sha, run.weights().sha256(), key + ": the file's sha256 is the run's weights");
            if (run.agreement() != null) {
                System.out.printf("%s agreement with cpu fp32: %.4f%n", key, run.agreement().pixelAgreement());
                if (run.precision().equals("fp32")) {
                    assertTrue(run.agreement().pixelAgreement() >= 0.999, key + " agrees on " + run.agreement().pixelAgreement());
                }
            } else {
                assertEquals("cpu/fp32", run.backend() + "/" + run.precision(), key + " has no agreement");
            }
        }
        assertTrue(ok >= 10, "cpu fp32/fp16/int8, opencv fp32 and pytorch fp32 on both models: " + ok + " ok runs\n" + r);
        assertEquals(0, r.code(), r.toString());
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("lraspp") && report.contains("deeplab"), "the report names both models");

        CliResult models = CliResult.run("models", "--models", "onnx:" + lraspp + ",onnx:" + deeplab + "?name=deeplab");
        assertEquals(0, models.code(), models.toString());
        for (String expected : List.of("arch0", "lraspp", "deeplab", shas[0], shas[1], "opset: 13", "21 classes")) {
            assertTrue(models.out().contains(expected), expected + " in:\n" + models.out());
        }
    }

    private static ValueInfoProto tensor(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            shape.addDim(d instanceof Integer n ? TensorShapeProto.Dimension.newBuilder().setDimValue(n)
                    : TensorShapeProto.Dimension.newBuilder().setDimParam(d.toString()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor
                .newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static byte[] graph(List<String> ops, List<ValueInfoProto> outputs) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("bad").addInput(tensor("x", "n", 3, "h", "w"));
        for (int i = 0; i < ops.size(); i++) {
            g.addNode(NodeProto.newBuilder().setOpType(ops.get(i)).setName("n" + i).addInput("x")
                    .addOutput(outputs.get(i).getName()));
        }
        g.addAllOutput(outputs);
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(g).build().toByteArray();
    }

    private void assertRefused(String name, byte[] file, String options, String... fragments) throws Exception {
        Path model = tmp.resolve(name);
        Files.write(model, file);
        Path out = tmp.resolve("out-" + name);
        CliResult r = CliResult.run("compare", "--in-process", "--out", out.toString(), "--progress", "never",
                "--backends", "cpu", "--models", "arch1,onnx:" + model + options, "--limit", "1");
        assertOneLineUserError(r, fragments);
        assertFalse(Files.exists(out), "nothing written for " + name);
    }

    @Test
    void badModelFilesAreRefusedInOneLineWithNothingWritten() throws Exception {
        assertRefused("text.onnx", "this is not a model\n".getBytes(), "", "text.onnx", "not an ONNX model");
        assertRefused("two.onnx", graph(List.of("Relu", "Sigmoid"), List.of(tensor("a", "n", 3, "h", "w"),
                tensor("b", "n", 3, "h", "w"))), "", "two.onnx", "2 outputs (a, b)", "output=NAME");
        assertRefused("flat.onnx", graph(List.of("Flatten"), List.of(tensor("y", "n", "k"))), "", "flat.onnx",
                "output y", "not float logits [N, C, H, W]");
        assertRefused("relu.onnx", graph(List.of("Relu"), List.of(tensor("y", "n", 3, "h", "w"))), "?colour=red",
                "unknown option 'colour'");
        assertNotNull(tmp);
    }
}
