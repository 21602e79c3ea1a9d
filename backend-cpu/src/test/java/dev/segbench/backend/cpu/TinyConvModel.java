package dev.segbench.backend.cpu;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import dev.segbench.api.ModelInfo;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.Preprocessing;
import dev.segbench.api.WeightsInfo;
import dev.segbench.testfixtures.StubModels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A ModelSource stub over a tiny graph with known weights: Conv(3 -> 2 channels, 3x3, pad 1, stride 2) then
 * Clip(0, 6) for the logits variants, so output = ceil(input / 2). The labels-out variant uses the same Conv with
 * stride 1 (no upsampling needed) then ArgMax over channels and Cast to UINT8. FP16 variants hold FP16 weights
 * between Casts, as the models module's FP16 graphs do. {@link #expectedLogits} computes the same in plain Java.
 */
final class TinyConvModel implements ModelSource {

    static final int CLASSES = 2;
    static final int STRIDE = 2;
    static final float CLIP_MAX = 6f;

    private static final int ONNX_FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
    private static final int ONNX_FLOAT16 = OnnxMl.TensorProto.DataType.FLOAT16_VALUE;
    private static final int ONNX_UINT8 = OnnxMl.TensorProto.DataType.UINT8_VALUE;

    /** Weights [out=2][in=3][3][3]: a fixed, asymmetric pattern so that a transposed kernel would be caught. */
    static float weight(int out, int in, int ky, int kx) {
        return (((out * 27 + in * 9 + ky * 3 + kx) * 5) % 11 - 5) * 0.07f;
    }

    static float bias(int out) {
        return out == 0 ? 0.5f : -0.25f;
    }

    @Override
    public ModelInfo info() {
        return INFO;
    }

    @Override
    public WeightsInfo weights() {
        return WeightsInfo.seeded(0);
    }

    @Override
    public ModelArtifact artifact(Precision precision, boolean labelsOut) throws ModelException {
        byte[] onnx = graph(precision == Precision.FP16, labelsOut).toByteArray();
        return new ModelArtifact("tiny-conv", precision, labelsOut, onnx, "not-hashed", weights());
    }

    /** Plain-Java reference: conv (zero padding 1) + bias, then clip to [0, 6]; x is [n,3,h,w] row-major. */
    static float[] expectedLogits(float[] x, int n, int h, int w, int stride) {
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        float[] y = new float[n * CLASSES * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < CLASSES; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = bias(o);
                        for (int c = 0; c < 3; c++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int iy = oy * stride + ky - 1;
                                    int ix = ox * stride + kx - 1;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        sum += weight(o, c, ky, kx) * x[((b * 3 + c) * h + iy) * w + ix];
                                    }
                                }
                            }
                        }
                        y[((b * CLASSES + o) * oh + oy) * ow + ox] = (float) Math.min(CLIP_MAX, Math.max(0, sum));
                    }
                }
            }
        }
        return y;
    }

    static OnnxMl.ModelProto graph(boolean fp16, boolean labelsOut) {
        int stride = labelsOut ? 1 : STRIDE;
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("tiny_conv");
        float[] w = new float[CLASSES * 27];
        for (int o = 0; o < CLASSES; o++) {
            for (int c = 0; c < 3; c++) {
                for (int ky = 0; ky < 3; ky++) {
                    for (int kx = 0; kx < 3; kx++) {
                        w[o * 27 + c * 9 + ky * 3 + kx] = weight(o, c, ky, kx);
                    }
                }
            }
        }
        g.addInitializer(tensor("W", fp16, w, CLASSES, 3, 3, 3));
        g.addInitializer(tensor("B", fp16, new float[] {bias(0), bias(1)}, CLASSES));
        g.addInitializer(tensor("clip_min", fp16, new float[] {0f}));
        g.addInitializer(tensor("clip_max", fp16, new float[] {CLIP_MAX}));
        g.addInput(valueInfo(ModelArtifact.INPUT_NAME, ONNX_FLOAT, "N", "3", "H", "W"));

        String x = ModelArtifact.INPUT_NAME;
        if (fp16) {
            g.addNode(node("Cast", List.of(x), "x16").addAttribute(intAttr("to", ONNX_FLOAT16)));
            x = "x16";
        }
        g.addNode(node("Conv", List.of(x, "W", "B"), "conv")
                .addAttribute(intsAttr("kernel_shape", 3, 3))
                .addAttribute(intsAttr("pads", 1, 1, 1, 1))
                .addAttribute(intsAttr("strides", stride, stride)));
        g.addNode(node("Clip", List.of("conv", "clip_min", "clip_max"), "clipped"));
        String result = "clipped";
        if (fp16) {
            g.addNode(node("Cast", List.of(result), "clipped32").addAttribute(intAttr("to", ONNX_FLOAT)));
            result = "clipped32";
        }
        if (labelsOut) {
            g.addNode(node("ArgMax", List.of(result), "argmax")
                    .addAttribute(intAttr("axis", 1)).addAttribute(intAttr("keepdims", 0)));
            g.addNode(node("Cast", List.of("argmax"), ModelArtifact.LABELS_NAME)
                    .addAttribute(intAttr("to", ONNX_UINT8)));
            g.addOutput(valueInfo(ModelArtifact.LABELS_NAME, ONNX_UINT8, "N", "H", "W"));
        } else {
            g.addNode(node("Identity", List.of(result), ModelArtifact.LOGITS_NAME));
            g.addOutput(valueInfo(ModelArtifact.LOGITS_NAME, ONNX_FLOAT, "N", String.valueOf(CLASSES), "h", "w"));
        }
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("segbench-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g)
                .build();
    }

    static OnnxMl.NodeProto.Builder node(String op, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output + "_" + op)
                .addAllInput(inputs).addOutput(output);
    }

    static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(value).build();
    }

    static OnnxMl.AttributeProto intsAttr(String name, long... values) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** A constant tensor; FP16 values go into raw_data as little-endian half floats. */
    static OnnxMl.TensorProto tensor(String name, boolean fp16, float[] values, long... dims) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name);
        for (long d : dims) {
            t.addDims(d);
        }
        ByteBuffer raw = ByteBuffer.allocate(values.length * (fp16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (fp16) {
                raw.putShort(Float.floatToFloat16(v));
            } else {
                raw.putFloat(v);
            }
        }
        return t.setDataType(fp16 ? ONNX_FLOAT16 : ONNX_FLOAT).setRawData(ByteString.copyFrom(raw.array())).build();
    }

    static OnnxMl.ValueInfoProto valueInfo(String name, int elemType, String... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (String d : dims) {
            OnnxMl.TensorShapeProto.Dimension.Builder dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            if (d.chars().allMatch(Character::isDigit)) {
                dim.setDimValue(Long.parseLong(d));
            } else {
                dim.setDimParam(d);
            }
            shape.addDim(dim);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
                .build();
    }

    private static final ModelInfo INFO = new StubModels.Info("tiny-conv", "3x3 conv + clip test graph", "conv3x3-clip",
            List.of("a", "b"), Preprocessing.IMAGENET, STRIDE, CLASSES * 27 + CLASSES,
            (height, width) -> (long) CLASSES * 27 * ((height + 1) / 2) * ((width + 1) / 2));
}
