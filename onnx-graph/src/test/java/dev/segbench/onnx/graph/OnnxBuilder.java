package dev.segbench.onnx.graph;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builds small ONNX models in tests (opset 17), with NCHW input "input" of symbolic N, H, W. */
public final class OnnxBuilder {

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("test");
    private final Random random;
    private int counter;
    private int opset = 17;

    public OnnxBuilder(long seed) {
        this.random = new Random(seed);
    }

    public OnnxBuilder opset(int version) {
        this.opset = version;
        return this;
    }

    public OnnxBuilder input(String name, int elemType, int channels) {
        graph.addInput(valueInfo(name, elemType, new Object[] {"N", (long) channels, "H", "W"}));
        return this;
    }

    public OnnxBuilder output(String name, int elemType, int rank) {
        Object[] dims = new Object[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = "d" + i;
        }
        graph.addOutput(valueInfo(name, elemType, dims));
        return this;
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, int elemType, Object[] dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof Long l) {
                shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(l));
            } else {
                shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam((String) d));
            }
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    public String fresh(String prefix) {
        return prefix + "_" + (counter++);
    }

    public String floatInit(long[] shape, float scale) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * scale;
        }
        return floatInit(shape, v);
    }

    public String floatInit(long[] shape, float[] values) {
        String name = fresh("w");
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : values) {
            b.putFloat(f);
        }
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1)
                .addAllDims(toList(shape)).setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    public String halfInit(long[] shape, float scale) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        String name = fresh("h");
        ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putShort(Float.floatToFloat16((float) random.nextGaussian() * scale));
        }
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).setDataType(10)
                .addAllDims(toList(shape)).setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    public String longInit(long... values) {
        String name = fresh("i");
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).setDataType(7)
                .addDims(values.length).addAllInt64Data(toList(values)));
        return name;
    }

    public String longScalar(long value) {
        String name = fresh("i");
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).setDataType(7).addInt64Data(value));
        return name;
    }

    private static List<Long> toList(long[] v) {
        List<Long> l = new ArrayList<>();
        for (long x : v) {
            l.add(x);
        }
        return l;
    }

    /** Adds a node; attributes as name/value pairs (Long, Float, String, long[]). Returns its first output. */
    public String node(String op, List<String> inputs, Object... attrs) {
        return nodeNamed(fresh(op.toLowerCase()), op, inputs, attrs);
    }

    public String nodeNamed(String outName, String op, List<String> inputs, Object... attrs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(fresh("n_" + op))
                .addAllInput(inputs).addOutput(outName);
        for (int i = 0; i < attrs.length; i += 2) {
            OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName((String) attrs[i]);
            Object v = attrs[i + 1];
            switch (v) {
                case Long l -> a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(l);
                case Integer l -> a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(l);
                case Float f -> a.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(f);
                case String s -> a.setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
                case long[] ls -> a.setType(OnnxMl.AttributeProto.AttributeType.INTS).addAllInts(toList(ls));
                default -> throw new IllegalArgumentException(String.valueOf(v));
            }
            n.addAttribute(a);
        }
        graph.addNode(n);
        return outName;
    }

    /** Conv with random weights and bias (as after BN folding). */
    public String conv(String x, int cin, int cout, int k, int stride, int pad, int dilation, int group, boolean bias) {
        String w = floatInit(new long[] {cout, cin / group, k, k}, (float) (1.0 / Math.sqrt((double) cin / group * k * k)));
        List<String> in = new ArrayList<>(List.of(x, w));
        if (bias) {
            in.add(floatInit(new long[] {cout}, 0.1f));
        }
        return node("Conv", in, "kernel_shape", new long[] {k, k}, "strides", new long[] {stride, stride},
                "pads", new long[] {pad, pad, pad, pad}, "dilations", new long[] {dilation, dilation}, "group", (long) group);
    }

    public String relu6(String x) {
        String lo = floatScalar(0f);
        String hi = floatScalar(6f);
        return node("Clip", List.of(x, lo, hi));
    }

    public String floatScalar(float v) {
        String name = fresh("s");
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v);
        graph.addInitializer(OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    /** Bilinear half_pixel Resize of {@code x} to the spatial size of {@code like}, sizes computed from Shape ops. */
    public String resizeLike(String x, String like) {
        String shapeX = node("Shape", List.of(x));
        String nc = node("Slice", List.of(shapeX, longInit(0), longInit(2)));
        String shapeLike = node("Shape", List.of(like));
        String hw = node("Slice", List.of(shapeLike, longInit(2), longInit(4)));
        String sizes = node("Concat", List.of(nc, hw), "axis", 0L);
        return node("Resize", List.of(x, "", "", sizes), "mode", "linear", "coordinate_transformation_mode", "half_pixel");
    }

    /**
     * Resize sizes for {@code x} to the spatial size of {@code like}, computed as torchvision's exports do:
     * Concat(Slice(Shape(x), 0, 2), Cast(Concat(Unsqueeze(Gather(Shape(like), 2)), Unsqueeze(Gather(Shape(like), 3))))).
     */
    public String torchvisionSizes(String x, String like) {
        String shapeLike = node("Shape", List.of(like));
        String h = node("Unsqueeze", List.of(node("Gather", List.of(shapeLike, longScalar(2)), "axis", 0L), longInit(0)));
        String w = node("Unsqueeze", List.of(node("Gather", List.of(shapeLike, longScalar(3)), "axis", 0L), longInit(0)));
        String hw = node("Cast", List.of(node("Concat", List.of(h, w), "axis", 0L)), "to", 7L);
        String nc = node("Slice", List.of(node("Shape", List.of(x)), longInit(0), longInit(2), longInit(0)));
        return node("Concat", List.of(nc, hw), "axis", 0L);
    }

    /** Renames the last node's output to {@code name} (for graph outputs). */
    public OnnxBuilder identityTo(String x, String name) {
        nodeNamed(name, "Identity", List.of(x));
        return this;
    }

    public byte[] build() {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("segbench-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build().toByteArray();
    }
}
