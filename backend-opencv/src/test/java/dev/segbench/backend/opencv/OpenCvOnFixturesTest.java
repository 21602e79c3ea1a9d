package dev.segbench.backend.opencv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Sample;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.Npy;
import dev.segbench.backend.cpu.OrtCpuBackend;
import dev.segbench.datasets.VocDataset;
import dev.segbench.testfixtures.FloatArrays;
import dev.segbench.testfixtures.ReferenceImages;
import dev.segbench.testfixtures.SharedFixtures;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The acceptance of issue 18 for opencv: on the fixture checkpoints and the five VOC sample images, opencv fp32 logits
 * are within 1e-4 x max|logit| of the cpu backend's fp32 logits and of the original PyTorch outputs, labels agree on
 * at least 99.9% of pixels, and mIoU against the ground truth equals cpu's and the manifest's to 1e-3. Real engines
 * on both sides; skipped visibly without ../shared.
 */
class OpenCvOnFixturesTest {

    private static final int THREADS = 2;

    @ParameterizedTest
    @ValueSource(strings = {"arch0", "arch1", "arch2"})
    void fp32MatchesCpuAndPyTorchOnTheVocSample(String modelId) throws Exception {
        Path shared = SharedFixtures.shared("opencv vs cpu and PyTorch on the fixture checkpoints (" + modelId + ")");
        Path reference = shared.resolve("data/nas-segm-reference");
        ModelSource model = catalogWith(modelId).load(modelId, WeightsSpec.checkpoint(reference.resolve(modelId + "-seed1.pth")));
        int classes = model.info().numClasses();
        double expectedMiou = new ObjectMapper().readTree(reference.resolve("manifest-seed1.json").toFile())
                .path("models").path(modelId).path("metrics_on_images").path("miou").asDouble(Double.NaN);
        assertTrue(Double.isFinite(expectedMiou), "manifest gives no mIoU for " + modelId);

        Map<String, Sample> truth = new HashMap<>();
        try (VocDataset voc = VocDataset.open(shared.resolve("data/voc2012-sample/VOCdevkit/VOC2012"),
                dev.segbench.api.DatasetOptions.defaults())) {
            for (int i = 0; i < voc.size(); i++) {
                truth.put(voc.sampleId(i), voc.load(i));
            }
        }
        SessionOptions options = new SessionOptions(Precision.FP32, THREADS, null, null, Map.of());
        long[][] opencvMatrix = new long[classes][classes];
        long[][] cpuMatrix = new long[classes][classes];
        try (InferenceSession opencv = new OpenCvBackend().open(model, options);
             InferenceSession cpu = new OrtCpuBackend().open(model, options)) {
            for (String id : SharedFixtures.IMAGE_IDS) {
                String what = modelId + " on " + id;
                ReferenceImages.Input image = ReferenceImages.load(SharedFixtures.image(shared, id), model.info().preprocessing());
                float[] fromOpenCv = logits(opencv, image, model.info().outputStride());
                float[] fromCpu = logits(cpu, image, model.info().outputStride());
                Npy.Array pytorch = Npy.read(reference.resolve(modelId + "-seed1-" + id + "-logits.npy"));
                int h = (int) pytorch.shape()[1];
                int w = (int) pytorch.shape()[2];
                assertEquals(pytorch.floats().length, fromOpenCv.length, what + ": logits size");

                double vsCpu = FloatArrays.relativeError(fromOpenCv, fromCpu);
                double vsPyTorch = FloatArrays.relativeError(fromOpenCv, pytorch.floats());
                assertTrue(vsCpu <= 1e-4, what + ": opencv differs from cpu by " + vsCpu + " x max|logit|");
                assertTrue(vsPyTorch <= 1e-4, what + ": opencv differs from PyTorch by " + vsPyTorch + " x max|logit|");

                byte[] labels = Upsampled.labels(fromOpenCv, classes, h, w, image.height(), image.width());
                byte[] cpuLabels = Upsampled.labels(fromCpu, classes, h, w, image.height(), image.width());
                byte[] pytorchLabels = Npy.read(reference.resolve(modelId + "-seed1-" + id + "-pred.npy")).bytes();
                double agreeCpu = agreement(labels, cpuLabels);
                double agreePyTorch = agreement(labels, pytorchLabels);
                assertTrue(agreeCpu >= 0.999, what + ": labels agree with cpu on " + agreeCpu);
                assertTrue(agreePyTorch >= 0.999, what + ": labels agree with PyTorch on " + agreePyTorch);

                byte[] gt = truth.get(id).labels();
                Upsampled.addToConfusion(opencvMatrix, gt, labels);
                Upsampled.addToConfusion(cpuMatrix, gt, cpuLabels);
                System.out.printf(Locale.ROOT, "%s: opencv vs cpu %.2e, vs PyTorch %.2e of max|logit|; labels %.5f / %.5f%n",
                        what, vsCpu, vsPyTorch, agreeCpu, agreePyTorch);
            }
        }
        double miou = Upsampled.miou(opencvMatrix);
        double cpuMiou = Upsampled.miou(cpuMatrix);
        System.out.printf(Locale.ROOT, "%s: mIoU opencv %.6f, cpu %.6f, PyTorch (manifest) %.6f%n", modelId, miou, cpuMiou,
                expectedMiou);
        assertEquals(expectedMiou, cpuMiou, 1e-3, modelId + ": the cpu reference's mIoU is not the manifest's");
        assertEquals(cpuMiou, miou, 1e-3, modelId + ": opencv mIoU vs cpu");
        assertEquals(expectedMiou, miou, 1e-3, modelId + ": opencv mIoU vs PyTorch (manifest)");
    }

    static ModelCatalog catalogWith(String modelId) {
        return ServiceLoader.load(ModelCatalog.class).stream().map(ServiceLoader.Provider::get)
                .filter(c -> c.find(modelId).isPresent()).findFirst()
                .orElseThrow(() -> new AssertionError("no ModelCatalog lists " + modelId + ", though the models module"
                        + " is a test dependency of backend-opencv"));
    }

    static float[] logits(InferenceSession session, ReferenceImages.Input image, int stride) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            HostTensor input = session.newInput(arena, 1, image.height(), image.width());
            input.data().copyFrom(MemorySegment.ofArray(image.nchw()));
            try (InferenceResult result = session.run(input)) {
                assertArrayEquals(new long[] {1, 21, (image.height() + stride - 1) / stride, (image.width() + stride - 1) / stride},
                        result.output().shape(), "logits shape (stride " + stride + ")");
                return result.output().data().toArray(HostTensor.FLOAT);
            }
        }
    }

    private static double agreement(byte[] a, byte[] b) {
        assertEquals(a.length, b.length, "label maps differ in size");
        long same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return same / (double) a.length;
    }
}
