package dev.segbench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segbench.api.Backend;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.Npy;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.metrics.Segmentation;
import dev.segbench.harness.plugins.Plugins;
import dev.segbench.harness.predict.Predictor;
import dev.segbench.testfixtures.StubModels;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against the PyTorch reference outputs in ../shared, with the real models and CPU backend modules. */
class AcceptanceTest {

    private static final String IMAGE = "2007_006171";

    @TempDir
    Path tmp;

    @Test
    void compareReproducesTheManifestAccuracy() throws Exception {
        Path ref = Real.reference();
        Real.cpu(Real.plugins());
        Path voc = Real.shared().resolve("data/voc2012-sample/VOCdevkit");
        Path out = tmp.resolve("out");
        CliResult r = CliResult.run("compare", "--backends", "cpu", "--models", "arch0,arch1,arch2", "--precisions", "fp32",
                "--dataset", "voc:" + voc, "--weights", "arch0=" + ref.resolve("arch0-seed1.pth") + ",arch1="
                        + ref.resolve("arch1-seed1.pth") + ",arch2=" + ref.resolve("arch2-seed1.pth"),
                "--warmup", "0", "--min-duration", "0", "--min-iterations", "2", "--batch-sizes", "1", "--perf-size", "64x64",
                "--gallery", "1", "--progress", "never", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        Results res = ResultsJson.read(out);
        JsonNode manifest = new ObjectMapper().readTree(ref.resolve("manifest-seed1.json").toFile());
        for (String model : new String[] {"arch0", "arch1", "arch2"}) {
            Run run = res.runs().stream().filter(x -> x.model().equals(model)).findFirst().orElseThrow();
            assertEquals(Run.OK, run.status(), model + ": " + run.reason());
            assertEquals(5, run.dataset().images());
            JsonNode expected = manifest.path("models").path(model).path("metrics_on_images");
            assertEquals(expected.path("miou").asDouble(), run.accuracy().miou(), 1e-3, model + " mIoU");
            assertEquals(expected.path("pixel_accuracy").asDouble(), run.accuracy().pixelAccuracy(), 1e-3, model + " pixel acc");
            JsonNode perClass = expected.path("per_class_iou");
            assertEquals(perClass.size(), run.accuracy().perClassIou().size());
            for (int c = 0; c < perClass.size(); c++) {
                if (perClass.get(c).isNull()) {
                    assertNull(run.accuracy().perClassIou().get(c), model + " class " + c);
                } else {
                    assertEquals(perClass.get(c).asDouble(), run.accuracy().perClassIou().get(c), 1e-3, model + " class " + c);
                }
            }
            assertEquals("checkpoint", run.weights().kind());
            assertEquals(manifest.path("models").path(model).path("sha256").asText(), run.weights().sha256());
        }
        assertTrue(res.warningTexts().stream().noneMatch(w -> w.contains("untrained")), res.warningTexts().toString());
    }

    @Test
    void predictWritesThePytorchLogits() throws Exception {
        Path ref = Real.reference();
        Real.cpu(Real.plugins());
        Path image = Real.shared().resolve("data/voc2012-sample/VOCdevkit/VOC2012/JPEGImages/" + IMAGE + ".jpg");
        Path logits = tmp.resolve("logits.npy");
        Path mask = tmp.resolve("mask.png");
        CliResult r = CliResult.run("predict", "--model", "arch0", "--weights", ref.resolve("arch0-seed1.pth").toString(),
                "--backend", "cpu", "--image", image.toString(), "--out-logits", logits.toString(), "--out-mask", mask.toString());
        assertEquals(0, r.code(), r.toString());
        Npy.Array got = Npy.read(logits);
        Npy.Array want = Npy.read(ref.resolve("arch0-seed1-" + IMAGE + "-logits.npy"));
        assertEquals(java.util.Arrays.toString(want.shape()), java.util.Arrays.toString(got.shape()));
        float maxAbs = 0;
        float maxDiff = 0;
        for (int i = 0; i < want.floats().length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(want.floats()[i]));
            maxDiff = Math.max(maxDiff, Math.abs(want.floats()[i] - got.floats()[i]));
        }
        assertTrue(maxDiff <= 1e-4 * maxAbs, "max |diff| " + maxDiff + " vs max |logit| " + maxAbs);

        BufferedImage png = ImageIO.read(mask.toFile());
        byte[] labels = (byte[]) png.getRaster().getDataElements(0, 0, png.getWidth(), png.getHeight(), null);
        byte[] pred = Npy.read(ref.resolve("arch0-seed1-" + IMAGE + "-pred.npy")).bytes();
        int same = 0;
        for (int i = 0; i < pred.length; i++) {
            same += pred[i] == labels[i] ? 1 : 0;
        }
        assertTrue(same >= 0.995 * pred.length, "labels agree on " + same + " of " + pred.length);
    }

    /** Our bilinear upsampling + argmax against the labels-out graph (Resize + ArgMax inside ONNX) run by backend-cpu. */
    @Test
    void upsamplingMatchesTheLabelsOutGraph() throws Exception {
        Path ref = Real.reference();
        Plugins plugins = Real.plugins();
        Backend cpu = Real.cpu(plugins);
        ModelSource source = plugins.catalogFor("arch1").orElseThrow()
                .load("arch1", WeightsSpec.checkpoint(ref.resolve("arch1-seed1.pth")));
        Path image = Real.shared().resolve("data/voc2012-sample/VOCdevkit/VOC2012/JPEGImages/" + IMAGE + ".jpg");
        Predictor.Prediction ours = Predictor.predict(cpu, source, Precision.FP32, 0, image);
        Predictor.Prediction graph = Predictor.predict(cpu, withLabelsOut(source), Precision.FP32, 0, image);
        assertEquals(null, graph.logits(), "the labels-out graph returns labels");
        int same = 0;
        for (int i = 0; i < ours.labels().length; i++) {
            same += ours.labels()[i] == graph.labels()[i] ? 1 : 0;
        }
        assertTrue(same >= 0.999 * ours.labels().length, "labels agree on " + same + " of " + ours.labels().length);
        byte[] again = Segmentation.labels(ours.logits(), ours.classes(), ours.logitsHeight(), ours.logitsWidth(),
                ours.height(), ours.width());
        assertTrue(java.util.Arrays.equals(ours.labels(), again));
    }

    /** The same model, but whatever variant a backend asks for it gets the labels-out graph. */
    private static ModelSource withLabelsOut(ModelSource s) {
        return StubModels.source(s.info(), s.weights(), (precision, labelsOut) -> s.artifact(precision, true));
    }
}
