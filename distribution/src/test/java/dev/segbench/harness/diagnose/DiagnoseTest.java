package dev.segbench.harness.diagnose;

import com.fasterxml.jackson.databind.JsonNode;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.results.ResultsJson;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.Real;
import dev.segbench.harness.plugins.Plugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code segbench diagnose} end to end with the real cpu backend: a run whose graph has noise added after one
 * convolution is caught at exactly that tensor on every model, and bad input gets one line and exit 2.
 */
class DiagnoseTest {

    @TempDir
    Path tmp;

    private CliResult diagnose(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("diagnose", "--out", out.toString(), "--progress", "never",
                "--threads", "2", "--limit", "1", "--dataset", "synthetic:1"));
        args.addAll(List.of(more));
        return CliResult.run(args.toArray(String[]::new));
    }

    private static void requireRealCpu() {
        try (Plugins plugins = Real.plugins()) {
            Real.cpu(plugins);
        }
    }

    @Test
    void theFirstDivergenceIsThePerturbedConvolutionOnEachModel() throws Exception {
        requireRealCpu();
        for (String model : List.of("arch0", "arch1", "arch2")) {
            String expected;
            try (Plugins plugins = Real.plugins()) {
                byte[] onnx = plugins.catalogFor(model).orElseThrow().load(model, WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED))
                        .artifact(Precision.FP32, false).onnx();
                expected = CpuGraphRewrites.perturbedTensor(onnx);
            }
            Path out = tmp.resolve(model);
            CliResult r = diagnose(out, "--model", model, "--runs", "cpu:fp32,perturbed:fp32");
            assertEquals(0, r.code(), r.toString());
            JsonNode json = ResultsJson.mapper().readTree(out.resolve("diagnose.json").toFile());
            JsonNode pair = json.get("pairs").get(0);
            assertEquals("perturbed:fp32", pair.get("candidate").asText());
            JsonNode first = pair.get("first_divergence");
            assertNotNull(first, model + ": no divergence found");
            assertEquals(expected, first.get("tensor").asText(), model + ": " + first);
            assertEquals("Conv", first.get("op").asText());
            JsonNode path = pair.get("path");
            assertEquals(expected, path.get(path.size() - 1).get("tensor").asText(), "the path ends at the divergence");
            assertTrue(r.out().contains("first divergence " + expected + " (Conv"), r.out());
            assertTrue(Files.readString(out.resolve("diagnose.html")).contains(expected), "the page names it");
        }
    }

    /** A backend whose process dies costs its own result: the others are still compared, and the exit status is 3. */
    @Test
    void aCrashingRunFailsAloneAndTheOthersAreCompared() throws Exception {
        requireRealCpu();
        Path out = tmp.resolve("crash");
        CliResult r = diagnose(out, "--model", "arch2", "--runs", "cpu:fp32,crashing:fp32,perturbed:fp32");
        assertEquals(3, r.code(), r.toString());
        JsonNode json = ResultsJson.mapper().readTree(out.resolve("diagnose.json").toFile());
        JsonNode crashed = json.get("runs").get(1);
        assertEquals("crashing:fp32", crashed.get("run").asText());
        assertEquals("failed", crashed.get("status").asText());
        assertTrue(crashed.get("reason").asText().contains("66"), crashed.toString());
        assertEquals(1, json.get("pairs").size(), "the perturbed run is still compared");
        assertEquals("perturbed:fp32", json.get("pairs").get(0).get("candidate").asText());
        assertNotNull(json.get("pairs").get(0).get("first_divergence"));
    }

    /** A model of the user's own (onnx:PATH, as compare takes it) is diagnosed by its own graph's tensor names. */
    @Test
    void aModelOfYourOwnIsDiagnosedLikeABuiltInOne() throws Exception {
        requireRealCpu();
        Path lraspp = dev.segbench.testfixtures.TorchvisionModels.onnx(dev.segbench.testfixtures.TorchvisionModels.LRASPP);
        Path out = tmp.resolve("own");
        CliResult r = diagnose(out, "--model", "onnx:" + lraspp + "?name=mine", "--runs", "cpu:fp32,cpu:fp16");
        assertEquals(0, r.code(), r.toString());
        JsonNode json = ResultsJson.mapper().readTree(out.resolve("diagnose.json").toFile());
        assertEquals("mine", json.get("model").asText(), json.toString().substring(0, 200));
        assertTrue(json.get("pairs").get(0).get("tensors").size() > 100, "LR-ASPP's tensors compared by name");
        CliResult missing = diagnose(tmp.resolve("missing"), "--model", "onnx:" + tmp.resolve("nosuch.onnx"), "--runs",
                "cpu:fp32,cpu:fp16");
        CliResult.assertOneLineUserError(missing, "--model", "nosuch.onnx");
    }

    @Test
    void unknownRunNamesAreOneLineErrors() {
        CliResult unknownBackend = diagnose(tmp.resolve("a"), "--model", "arch0", "--runs", "cpu:fp32,nosuch:fp32");
        CliResult.assertOneLineUserError(unknownBackend, "--runs", "nosuch");
        CliResult badPrecision = diagnose(tmp.resolve("b"), "--model", "arch0", "--runs", "cpu:fp32,cpu:fp64");
        CliResult.assertOneLineUserError(badPrecision, "--runs", "fp64");
        CliResult notAPair = diagnose(tmp.resolve("c"), "--model", "arch0", "--runs", "cpu:fp32,cpu");
        CliResult.assertOneLineUserError(notAPair, "--runs", "BACKEND:PRECISION");
        CliResult one = diagnose(tmp.resolve("d"), "--model", "arch0", "--runs", "cpu:fp32");
        CliResult.assertOneLineUserError(one, "--runs", "at least two");
    }

    @Test
    void aBackendWithoutIntermediateOutputsIsRefused() {
        requireRealCpu();
        CliResult r = diagnose(tmp.resolve("o"), "--model", "arch0", "--runs", "cpu:fp32,opaque:fp32");
        CliResult.assertOneLineUserError(r, "opaque", "intermediate tensors");
    }

    @Test
    void runsWhoseGraphsShareNoTensorNamesAreRefused() {
        requireRealCpu();
        CliResult r = diagnose(tmp.resolve("r"), "--model", "arch0", "--runs", "cpu:fp32,renamed:fp32");
        CliResult.assertOneLineUserError(r, "renamed:fp32", "share no");
    }

    /** One incomparable run among comparable ones costs its own result only: the others are still written. */
    @Test
    void anIncomparableRunFailsAloneAndTheComparablePairIsKept() throws Exception {
        requireRealCpu();
        Path out = tmp.resolve("mixed");
        CliResult r = diagnose(out, "--model", "arch2", "--runs", "cpu:fp32,renamed:fp32,perturbed:fp32");
        assertEquals(3, r.code(), r.toString());
        JsonNode json = ResultsJson.mapper().readTree(out.resolve("diagnose.json").toFile());
        assertEquals("failed", json.get("runs").get(1).get("status").asText());
        assertTrue(json.get("runs").get(1).get("reason").asText().contains("share no"), json.get("runs").toString());
        assertEquals(1, json.get("pairs").size());
        assertEquals("perturbed:fp32", json.get("pairs").get(0).get("candidate").asText());
    }
}
