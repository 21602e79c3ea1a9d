package dev.segbench.models;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.Precision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits the inference ONNX graph (opset 17) of a NAS-segm network: BN folded into convs, ReLU6 as
 * Clip, bilinear Resize (half_pixel) whose target sizes come from runtime shapes, so one graph takes
 * any batch, height and width. FP16 graphs keep FP32 input/output through Casts at both ends.
 */
final class OnnxGraphBuilder implements LayerSink {

    static final int OPSET = 17;
    /** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
    static final long IR_VERSION = 8;
    static final double BN_EPS = 1e-5;
    static final String PRODUCER = "segbench";

    private final StateDict weights;
    private final TensorProto.DataType computeType;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, String> derived = new HashMap<>(); // shape slices and constants made once
    private int counter;

    private OnnxGraphBuilder(StateDict weights, Precision precision) {
        this.weights = weights;
        this.computeType = precision == Precision.FP16 ? TensorProto.DataType.FLOAT16 : TensorProto.DataType.FLOAT;
    }

    /** A weight does not fit FP16; {@link NasSegmModelSource} reports it as a ModelException naming the weights. */
    static final class Fp16RangeException extends RuntimeException {
        Fp16RangeException(String message) {
            super(message);
        }
    }

    /** What goes into the model's metadata_props besides the producer. */
    record Description(String modelId, Genotype genotype, String weights) {
    }

    static ModelProto build(Description what, int numClasses, StateDict weights, Precision precision, boolean labelsOut) {
        OnnxGraphBuilder b = new OnnxGraphBuilder(weights, precision);
        GraphProto.Builder g = b.graph;
        g.setName("nas-segm-" + what.modelId());
        g.setDocString("NAS-segm " + what.modelId() + " " + what.genotype().text());
        g.addInput(valueInfo(ModelArtifact.INPUT_NAME, TensorProto.DataType.FLOAT, "batch", 3, "height", "width"));

        String input = ModelArtifact.INPUT_NAME;
        if (precision == Precision.FP16) {
            input = b.cast(input, TensorProto.DataType.FLOAT16, "input_fp16");
        }
        Feature logits = NasSegmNetwork.emit(what.genotype(), numClasses, b, new Feature(input, 3, 1, false));
        String out = logits.name();
        if (precision == Precision.FP16) {
            out = b.cast(out, TensorProto.DataType.FLOAT, labelsOut ? "logits_fp32" : ModelArtifact.LOGITS_NAME);
        } else if (!labelsOut) {
            b.renameLastOutput(out, ModelArtifact.LOGITS_NAME);
        }
        if (labelsOut) {
            // Prediction as the reference computes it: bilinear upsampling to the input size, argmax.
            String sizes = b.node("Concat", "labels_sizes",
                    List.of(b.shapeSlice(out, 0, 2), b.shapeSlice(ModelArtifact.INPUT_NAME, 2, 4)), intAttr("axis", 0));
            String upsampled = b.node("Resize", "logits_upsampled", List.of(out, "", "", sizes),
                    stringAttr("mode", "linear"), stringAttr("coordinate_transformation_mode", "half_pixel"));
            String argmax = b.node("ArgMax", "labels_int64", List.of(upsampled), intAttr("axis", 1),
                    intAttr("keepdims", 0));
            b.cast(argmax, TensorProto.DataType.UINT8, ModelArtifact.LABELS_NAME);
            g.addOutput(valueInfo(ModelArtifact.LABELS_NAME, TensorProto.DataType.UINT8, "batch", "height", "width"));
        } else {
            g.addOutput(valueInfo(ModelArtifact.LOGITS_NAME, TensorProto.DataType.FLOAT, "batch", numClasses,
                    "logits_height", "logits_width"));
        }

        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("producer", PRODUCER);
        metadata.put("model_id", what.modelId());
        metadata.put("genotype", what.genotype().text());
        metadata.put("weights", what.weights());
        metadata.put("precision", precision.id());
        metadata.put("output", labelsOut ? ModelArtifact.LABELS_NAME : ModelArtifact.LOGITS_NAME);
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER)
                .setGraph(g);
        metadata.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    @Override
    public String conv(Feature x, Conv conv) {
        float[] w = weights.get(conv.weightKey() + ".weight");
        int out = conv.outChannels();
        int perOutput = w.length / out;
        float[] folded = w;
        float[] bias = conv.bias() ? weights.get(conv.weightKey() + ".bias") : null;
        if (conv.batchNormKey() != null) {
            // w' = w * g / sqrt(v + eps), b' = beta - m * g / sqrt(v + eps)
            float[] gamma = weights.get(conv.batchNormKey() + ".weight");
            float[] beta = weights.get(conv.batchNormKey() + ".bias");
            float[] mean = weights.get(conv.batchNormKey() + ".running_mean");
            float[] var = weights.get(conv.batchNormKey() + ".running_var");
            folded = new float[w.length];
            float[] b = new float[out];
            for (int o = 0; o < out; o++) {
                double scale = gamma[o] / Math.sqrt(var[o] + BN_EPS);
                for (int i = o * perOutput; i < (o + 1) * perOutput; i++) {
                    folded[i] = (float) (w[i] * scale);
                }
                b[o] = (float) ((bias == null ? 0.0 : bias[o] * scale) + beta[o] - mean[o] * scale);
            }
            bias = b;
        }
        String weightName = initializer(conv.weightKey() + ".weight", conv.weightShape(), folded);
        List<String> inputs = bias == null ? List.of(x.name(), weightName)
                : List.of(x.name(), weightName, initializer(conv.weightKey() + ".bias", new long[] {out}, bias));
        int p = conv.padding();
        return node("Conv", conv.weightKey(), inputs,
                intsAttr("kernel_shape", conv.kernel(), conv.kernel()),
                intsAttr("strides", conv.stride(), conv.stride()),
                intsAttr("pads", p, p, p, p),
                intsAttr("dilations", conv.dilation(), conv.dilation()),
                intAttr("group", conv.groups()));
    }

    @Override
    public String activation(Feature x, Activation activation) {
        return switch (activation) {
            case RELU -> node("Relu", x.name() + "/relu", List.of(x.name()));
            case RELU6 -> node("Clip", x.name() + "/relu6", List.of(x.name(), scalar(0f), scalar(6f)));
        };
    }

    @Override
    public String add(Feature a, Feature b) {
        return node("Add", "add_" + (counter++), List.of(a.name(), b.name()));
    }

    @Override
    public String upsample(Feature x, Feature like) {
        String sizes = node("Concat", "sizes_" + (counter++), List.of(shapeSlice(x.name(), 0, 2),
                shapeSlice(like.name(), 2, 4)), intAttr("axis", 0));
        return node("Resize", "resize_" + (counter++), List.of(x.name(), "", "", sizes),
                stringAttr("mode", "linear"), stringAttr("coordinate_transformation_mode", "half_pixel"));
    }

    @Override
    public String concat(Feature a, Feature b) {
        return node("Concat", "concat_" + (counter++), List.of(a.name(), b.name()), intAttr("axis", 1));
    }

    @Override
    public String globalAveragePool(Feature x) {
        return node("GlobalAveragePool", x.name() + "/gap_" + (counter++), List.of(x.name()));
    }

    @Override
    public void unused(Conv conv) {
        // not part of the graph
    }

    /**
     * A bilinear Resize of the 1x1 map to {@code like}'s shape, which equals repeating it. Not Expand: ONNX Runtime
     * has no NCHWc Expand and wraps each in layout reorders (19 instead of 1 in arch0 at a fixed input size), while
     * Resize runs as an NCHWc Upsample.
     */
    @Override
    public String broadcast(Feature pooled, Feature like) {
        return node("Resize", pooled.name() + "/broadcast", List.of(pooled.name(), "", "", shape(like.name())),
                stringAttr("mode", "linear"), stringAttr("coordinate_transformation_mode", "half_pixel"));
    }

    @Override
    public String zeros(Feature x) {
        return node("Mul", "zeros_" + (counter++), List.of(x.name(), scalar(0f)));
    }

    /** The value made for {@code key}, created on first use (no computeIfAbsent: creation nests). */
    private String once(String key, java.util.function.Function<String, String> create) {
        String v = derived.get(key);
        if (v == null) {
            v = create.apply(key);
            derived.put(key, v);
        }
        return v;
    }

    private String cast(String input, TensorProto.DataType to, String output) {
        return node("Cast", output, List.of(input), intAttr("to", to.getNumber()));
    }

    /** The last node's output gets a public name (the graph output). */
    private void renameLastOutput(String from, String to) {
        NodeProto.Builder last = graph.getNodeBuilder(graph.getNodeCount() - 1);
        if (!last.getOutput(0).equals(from)) {
            throw new IllegalStateException("the last node does not produce " + from);
        }
        last.setOutput(0, to).setName(to);
    }

    private String shape(String value) {
        return once("shape:" + value, k -> node("Shape", value + "/shape", List.of(value)));
    }

    /** Dimensions [from, to) of a value's runtime shape, as an INT64 vector. */
    private String shapeSlice(String value, int from, int to) {
        return once("slice:" + value + ":" + from + ":" + to,
                k -> node("Slice", value + "/shape" + from + "_" + to,
                        List.of(shape(value), int64Vector(from), int64Vector(to))));
    }

    private String int64Vector(long v) {
        return once("i64:" + v, k -> {
            String name = "const_i64_" + v;
            ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
            graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                    .addDims(1).setRawData(ByteString.copyFrom(raw.array())));
            return name;
        });
    }

    /** A scalar in the compute type (FP16 graphs need FP16 Clip bounds and factors). */
    private String scalar(float v) {
        return once("scalar:" + v, k -> initializer("const_" + v, new long[0], new float[] {v}));
    }

    private String initializer(String name, long[] dims, float[] values) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(computeType.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        boolean half = computeType == TensorProto.DataType.FLOAT16;
        ByteBuffer raw = ByteBuffer.allocate(values.length * (half ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (half) {
                short h = Float.floatToFloat16(v);
                if (Float.isInfinite(Float.float16ToFloat(h)) && Float.isFinite(v)) {
                    // folding BN can scale a weight past FP16's range; an Inf weight would poison every output
                    throw new Fp16RangeException("tensor " + name + " holds " + v + " after BatchNorm folding,"
                            + " beyond the FP16 range (+-65504)");
                }
                raw.putShort(h);
            } else {
                raw.putFloat(v);
            }
        }
        // the buffer is never touched again, so protobuf may keep it without the copy copyFrom makes
        graph.addInitializer(t.setRawData(UnsafeByteOperations.unsafeWrap(raw.array())));
        return name;
    }

    private String node(String op, String output, List<String> inputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return output;
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto stringAttr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    /** A tensor value description; each dim is a name (dynamic) or an Integer (fixed). */
    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof Integer n) {
                shape.addDimBuilder().setDimValue(n);
            } else {
                shape.addDimBuilder().setDimParam((String) d);
            }
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }
}
