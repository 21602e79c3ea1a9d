package dev.segbench.onnx.graph;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses a serialised ONNX model into the internal {@link Graph}, checking what later stages rely on. */
public final class OnnxImporter {

    /** The opsets whose semantics the planner implements (the models module emits 17). */
    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 17;

    private OnnxImporter() {
    }

    public static Graph parse(byte[] onnx) throws BackendException {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            throw new BackendException(Code.MODEL_INVALID, "not an ONNX model: " + e.getMessage(), e);
        }
        int opset = -1;
        for (OnnxMl.OperatorSetIdProto id : model.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                opset = (int) id.getVersion();
            }
        }
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new BackendException(Code.UNSUPPORTED_OP, "ONNX opset " + opset + " is not supported by the ONNX reader"
                    + " (supported: " + MIN_OPSET + ".." + MAX_OPSET + ")");
        }
        OnnxMl.GraphProto g = model.getGraph();
        Map<String, Constant> initializers = new LinkedHashMap<>();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), tensor(t, "initializer '" + t.getName() + "'"));
        }
        List<Graph.ValueInfo> inputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                inputs.add(valueInfo(v));
            }
        }
        List<Graph.ValueInfo> outputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto v : g.getOutputList()) {
            outputs.add(valueInfo(v));
        }
        Set<String> defined = new HashSet<>(initializers.keySet());
        inputs.forEach(v -> defined.add(v.name()));
        List<Node> nodes = new ArrayList<>();
        int index = 0;
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            String name = n.getName().isEmpty() ? n.getOpType() + "_" + index : n.getName();
            index++;
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                throw new BackendException(Code.UNSUPPORTED_OP, "node '" + name + "' uses operator domain '"
                        + n.getDomain() + "' (" + n.getOpType() + "), which the ONNX reader does not implement");
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    throw new BackendException(Code.MODEL_INVALID, "node '" + name + "' (" + n.getOpType()
                            + ") reads '" + in + "' before it is defined (graph not topologically sorted?)");
                }
            }
            Map<String, Attribute> attrs = new HashMap<>();
            for (OnnxMl.AttributeProto a : n.getAttributeList()) {
                attrs.put(a.getName(), attribute(a, name));
            }
            nodes.add(new Node(name, n.getOpType(), n.getInputList(), n.getOutputList(), attrs));
            defined.addAll(n.getOutputList());
        }
        for (Graph.ValueInfo out : outputs) {
            if (!defined.contains(out.name())) {
                throw new BackendException(Code.MODEL_INVALID, "graph output '" + out.name() + "' is never computed");
            }
        }
        return new Graph(opset, nodes, initializers, inputs, outputs);
    }

    private static Graph.ValueInfo valueInfo(OnnxMl.ValueInfoProto v) throws BackendException {
        OnnxMl.TypeProto.Tensor tt = v.getType().getTensorType();
        ElemType type = ElemType.fromOnnx(tt.getElemType());
        if (type == null) {
            throw new BackendException(Code.UNSUPPORTED_OP, "graph value '" + v.getName() + "' has ONNX element type "
                    + tt.getElemType() + ", which the ONNX reader does not support");
        }
        long[] dims = new long[tt.getShape().getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            OnnxMl.TensorShapeProto.Dimension d = tt.getShape().getDim(i);
            dims[i] = d.hasDimValue() ? d.getDimValue() : -1;
        }
        return new Graph.ValueInfo(v.getName(), type, dims);
    }

    private static Attribute attribute(OnnxMl.AttributeProto a, String nodeName) throws BackendException {
        return switch (a.getType()) {
            case INT -> Attribute.ofInt(a.getName(), a.getI());
            case FLOAT -> Attribute.ofFloat(a.getName(), a.getF());
            case STRING -> Attribute.ofString(a.getName(), a.getS().toStringUtf8());
            case INTS -> Attribute.ofInts(a.getName(), a.getIntsList().stream().mapToLong(Long::longValue).toArray());
            case FLOATS -> {
                float[] f = new float[a.getFloatsCount()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = a.getFloats(i);
                }
                yield new Attribute(a.getName(), Attribute.Kind.FLOATS, 0, 0, null, null, f, null);
            }
            case TENSOR -> new Attribute(a.getName(), Attribute.Kind.TENSOR, 0, 0, null, null, null,
                    tensor(a.getT(), "attribute '" + a.getName() + "' of node '" + nodeName + "'"));
            default -> new Attribute(a.getName(), Attribute.Kind.OTHER, 0, 0, null, null, null, null);
        };
    }

    /** Decodes a TensorProto (raw_data or the typed repeated fields); external data is refused. */
    public static Constant tensor(OnnxMl.TensorProto t, String what) throws BackendException {
        if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
            throw new BackendException(Code.MODEL_INVALID, what + " uses external data, which the ONNX reader does not load");
        }
        ElemType type = ElemType.fromOnnx(t.getDataType());
        if (type == null) {
            throw new BackendException(Code.UNSUPPORTED_OP, what + " has ONNX element type " + t.getDataType()
                    + ", which the ONNX reader does not support");
        }
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        int n = Math.toIntExact(Constant.elementCount(shape));
        ByteString raw = t.getRawData();
        boolean hasRaw = !raw.isEmpty();
        if (hasRaw && raw.size() != (long) n * type.byteSize()) {
            throw new BackendException(Code.MODEL_INVALID, what + ": raw_data has " + raw.size() + " bytes, expected "
                    + (long) n * type.byteSize());
        }
        ByteBuffer buf = hasRaw ? raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
        try {
            switch (type) {
                case FLOAT32 -> {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = hasRaw ? buf.getFloat() : t.getFloatData(i);
                    }
                    return Constant.ofFloats(type, shape, v);
                }
                case DOUBLE -> {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = (float) (hasRaw ? buf.getDouble() : t.getDoubleData(i));
                    }
                    return Constant.ofFloats(type, shape, v);
                }
                case FLOAT16 -> {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        short bits = hasRaw ? buf.getShort() : (short) t.getInt32Data(i);
                        v[i] = Float.float16ToFloat(bits);
                    }
                    return Constant.ofFloats(type, shape, v);
                }
                case INT64 -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = hasRaw ? buf.getLong() : t.getInt64Data(i);
                    }
                    return Constant.ofLongs(shape, v).withType(type);
                }
                default -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = switch (type) {
                            case INT32 -> hasRaw ? buf.getInt() : t.getInt32Data(i);
                            case UINT8 -> hasRaw ? Byte.toUnsignedInt(buf.get()) : t.getInt32Data(i);
                            default -> hasRaw ? buf.get() : t.getInt32Data(i);
                        };
                    }
                    return new Constant(type, shape, null, v);
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw new BackendException(Code.MODEL_INVALID, what + " holds fewer values than its shape needs", e);
        }
    }
}
