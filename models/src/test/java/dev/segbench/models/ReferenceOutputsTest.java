package dev.segbench.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.api.io.Npy;
import dev.segbench.testfixtures.ReferenceImages;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The graphs built from the reference checkpoints reproduce the original PyTorch outputs
 * (tolerances from the fixtures' README), in FP32 and, against FP32, in FP16.
 */
class ReferenceOutputsTest {

    @ParameterizedTest
    @ValueSource(strings = {"arch0", "arch1", "arch2"})
    void reproducesReferenceLogitsAndLabels(String modelId) throws Exception {
        Path shared = Fixtures.shared("reference-output comparison of " + modelId);
        Path ref = Fixtures.reference(shared);
        ModelSource source = new NasSegmCatalog().load(modelId, WeightsSpec.checkpoint(ref.resolve(modelId + "-seed1.pth")));
        int stride = source.info().outputStride();
        String fileSha = dev.segbench.api.io.Sha256.hex(java.nio.file.Files.readAllBytes(ref.resolve(modelId + "-seed1.pth")));
        assertEquals(fileSha, source.weights().sha256());
        assertTrue(source.weights().trained());
        assertTrue(ai.onnx.proto.OnnxMl.ModelProto.parseFrom(source.artifact(Precision.FP32, false).onnx())
                .getMetadataPropsList().stream()
                .anyMatch(e -> e.getKey().equals("weights") && e.getValue().equals(fileSha)), "weights metadata");
        try (OrtSession fp32 = Fixtures.open(source.artifact(Precision.FP32, false));
             OrtSession fp32Labels = Fixtures.open(source.artifact(Precision.FP32, true));
             OrtSession fp16 = Fixtures.open(source.artifact(Precision.FP16, false));
             OrtSession fp16Labels = Fixtures.open(source.artifact(Precision.FP16, true))) {
            for (String id : Fixtures.IMAGE_IDS) {
                String what = modelId + " on " + id;
                ReferenceImages.Input in = ReferenceImages.load(Fixtures.image(shared, id), source.info().preprocessing());
                long[] shape = {1, 3, in.height(), in.width()};
                Npy.Array expectedLogits = Npy.read(ref.resolve(modelId + "-seed1-" + id + "-logits.npy"));
                Npy.Array expectedPred = Npy.read(ref.resolve(modelId + "-seed1-" + id + "-pred.npy"));
                long[] outHw = {ceilDiv(in.height(), stride), ceilDiv(in.width(), stride)};
                assertArrayEquals(new long[] {21, outHw[0], outHw[1]}, expectedLogits.shape(), what + ": stride");
                Fixtures.Output out32 = Fixtures.run(fp32, in.nchw(), shape);
                assertArrayEquals(new long[] {1, 21, outHw[0], outHw[1]}, out32.shape(), what + ": logits shape");
                float[] logits = out32.floats();
                float scale = Fixtures.maxAbs(expectedLogits.floats());
                float diff = Fixtures.maxAbsDiff(logits, expectedLogits.floats());
                assertTrue(diff <= 1e-4f * scale, what + ": FP32 max|diff| " + diff + " > 1e-4 x " + scale);

                Fixtures.Output labels32 = Fixtures.run(fp32Labels, in.nchw(), shape);
                assertArrayEquals(new long[] {1, in.height(), in.width()}, labels32.shape(), what + ": labels shape");
                byte[] labels = labels32.bytes();
                double agree = Fixtures.agreement(labels, expectedPred.bytes());
                assertTrue(agree >= 0.995, what + ": FP32 labels agree on " + agree);

                float[] logits16 = Fixtures.run(fp16, in.nchw(), shape).floats();
                float diff16 = Fixtures.maxAbsDiff(logits16, logits);
                assertTrue(diff16 <= 2e-2f * scale, what + ": FP16 max|diff| " + diff16 + " > 2e-2 x " + scale);
                double agree16 = Fixtures.agreement(Fixtures.run(fp16Labels, in.nchw(), shape).bytes(), labels);
                assertTrue(agree16 >= 0.99, what + ": FP16 labels agree with FP32 on " + agree16);
                System.out.printf("%s: FP32 max|diff| %.2e of max|logit|, labels %.5f; FP16 %.2e, labels %.5f%n",
                        what, diff / scale, agree, diff16 / scale, agree16);
            }
        }
    }

    private static long ceilDiv(long n, long d) {
        return (n + d - 1) / d;
    }
}
