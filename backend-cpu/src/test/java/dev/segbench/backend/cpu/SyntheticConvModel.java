package dev.segbench.backend.cpu;

import ai.onnx.proto.OnnxMl;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.VocClasses;
import dev.segbench.api.WeightsInfo;
import dev.segbench.testfixtures.StubModels;

import java.util.List;
import java.util.Random;

/**
 * A benchmark stand-in for when the NAS-segm catalogue is not installed: a plain conv stack of roughly NAS-segm's
 * cost (stride-2 stem to 32 channels, stride-2 to 64, six 3x3 64->64 conv+ReLU, 1x1 to 21 classes; output stride 4).
 * FP32 logits only.
 */
final class SyntheticConvModel implements ModelSource {

    private static final int CLASSES = 21;

    @Override
    public ModelInfo info() {
        return INFO;
    }

    @Override
    public WeightsInfo weights() {
        return WeightsInfo.seeded(1);
    }

    @Override
    public ModelArtifact artifact(Precision precision, boolean labelsOut) {
        if (precision != Precision.FP32 || labelsOut) {
            throw new UnsupportedOperationException("synthetic model has an FP32 logits graph only");
        }
        return new ModelArtifact("synthetic-conv", precision, false, graph().toByteArray(), "not-hashed", weights());
    }

    private static OnnxMl.ModelProto graph() {
        Random random = new Random(1);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("synthetic_conv");
        g.addInput(TinyConvModel.valueInfo(ModelArtifact.INPUT_NAME, OnnxMl.TensorProto.DataType.FLOAT_VALUE,
                "N", "3", "H", "W"));
        String x = ModelArtifact.INPUT_NAME;
        int[][] layers = { // in, out, kernel, stride
                {3, 32, 3, 2}, {32, 64, 3, 2}, {64, 64, 3, 1}, {64, 64, 3, 1}, {64, 64, 3, 1},
                {64, 64, 3, 1}, {64, 64, 3, 1}, {64, 64, 3, 1}, {64, CLASSES, 1, 1}};
        for (int i = 0; i < layers.length; i++) {
            int in = layers[i][0], out = layers[i][1], k = layers[i][2], s = layers[i][3];
            float[] w = new float[out * in * k * k];
            float scale = (float) Math.sqrt(2.0 / (in * k * k));
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) random.nextGaussian() * scale;
            }
            g.addInitializer(TinyConvModel.tensor("w" + i, false, w, out, in, k, k));
            g.addInitializer(TinyConvModel.tensor("b" + i, false, new float[out], out));
            int pad = k / 2;
            String conv = i == layers.length - 1 ? ModelArtifact.LOGITS_NAME : "conv" + i;
            g.addNode(TinyConvModel.node("Conv", List.of(x, "w" + i, "b" + i), conv)
                    .addAttribute(TinyConvModel.intsAttr("kernel_shape", k, k))
                    .addAttribute(TinyConvModel.intsAttr("pads", pad, pad, pad, pad))
                    .addAttribute(TinyConvModel.intsAttr("strides", s, s)));
            x = conv;
            if (i < layers.length - 1) {
                g.addNode(TinyConvModel.node("Relu", List.of(conv), "relu" + i));
                x = "relu" + i;
            }
        }
        g.addOutput(TinyConvModel.valueInfo(ModelArtifact.LOGITS_NAME, OnnxMl.TensorProto.DataType.FLOAT_VALUE,
                "N", String.valueOf(CLASSES), "h", "w"));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("segbench-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g).build();
    }

    private static final ModelInfo INFO = new StubModels.Info("synthetic-conv",
            "conv stack standing in for NAS-segm in the CPU backend benchmark", "conv-stack", VocClasses.NAMES,
            Preprocessing.IMAGENET, 4, 3 * 32 * 9 + 32 * 64 * 9 + 6L * 64 * 64 * 9 + 64 * CLASSES, (height, width) -> {
                long q2 = (long) ((height + 1) / 2) * ((width + 1) / 2);
                long q4 = (long) ((height + 3) / 4) * ((width + 3) / 4);
                return q2 * 3 * 32 * 9 + q4 * (32 * 64 * 9 + 6L * 64 * 64 * 9 + 64 * CLASSES);
            });
}
