package dev.segbench.models;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fp16 variant of any float graph (weights and compute in fp16): float initialisers and Constant nodes become
 * FLOAT16, Casts to FLOAT cast to FLOAT16, the "input" is cast to FLOAT16 on entry and "logits" back to FLOAT on exit.
 * What the ONNX spec keeps in float stays so: Resize's roi and scales and Upsample's scales (each float tensor read
 * there keeps an FP32 copy). Hand-written: no Java library converts ONNX graphs (Python's onnxconverter-common does).
 */
final class Fp16Graphs {

    /** Inputs that must stay float whatever the data type: op -> input positions. */
    private static final Map<String, Set<Integer>> FLOAT_ONLY_INPUTS = Map.of("Resize", Set.of(1, 2), "Upsample", Set.of(1));
    private static final float FP16_MAX = 65504f;

    private Fp16Graphs() {
    }

    static ModelProto convert(ModelProto fp32, String where) throws ModelException {
        GraphProto g = fp32.getGraph();
        Set<String> keptFloat = new HashSet<>();
        Set<String> readAsData = new HashSet<>();
        for (NodeProto n : g.getNodeList()) {
            Set<Integer> floatOnly = FLOAT_ONLY_INPUTS.getOrDefault(n.getOpType(), Set.of());
            for (int i = 0; i < n.getInputCount(); i++) {
                (floatOnly.contains(i) ? keptFloat : readAsData).add(n.getInput(i));
            }
        }
        String inputFp16 = ModelArtifact.INPUT_NAME + "_fp16";
        String logitsFp16 = ModelArtifact.LOGITS_NAME + "_fp16";
        GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer().clearValueInfo().clearOutput();
        out.addNode(cast(ModelArtifact.INPUT_NAME, inputFp16, TensorProto.DataType.FLOAT16));
        for (TensorProto t : g.getInitializerList()) {
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                out.addInitializer(t);
                continue;
            }
            if (keptFloat.contains(t.getName())) {
                out.addInitializer(t);
            }
            if (readAsData.contains(t.getName()) || !keptFloat.contains(t.getName())) {
                out.addInitializer(toFp16(t, dataName(t.getName(), keptFloat), where));
            }
        }
        for (NodeProto n : g.getNodeList()) {
            NodeProto.Builder b = n.toBuilder();
            Set<Integer> floatOnly = FLOAT_ONLY_INPUTS.getOrDefault(n.getOpType(), Set.of());
            for (int i = 0; i < b.getInputCount(); i++) {
                String in = b.getInput(i);
                if (in.equals(ModelArtifact.INPUT_NAME)) {
                    b.setInput(i, n.getOpType().equals("Shape") ? in : inputFp16);
                } else if (!floatOnly.contains(i)) {
                    b.setInput(i, dataName(in, keptFloat));
                }
            }
            for (int o = 0; o < b.getOutputCount(); o++) {
                if (b.getOutput(o).equals(ModelArtifact.LOGITS_NAME)) {
                    b.setOutput(o, logitsFp16);
                }
            }
            boolean producesKept = n.getOutputList().stream().anyMatch(keptFloat::contains);
            if (n.getOpType().equals("Constant") && !producesKept) {
                for (int a = 0; a < b.getAttributeCount(); a++) {
                    AttributeProto attr = b.getAttribute(a);
                    if (attr.getName().equals("value") && attr.getT().getDataType() == TensorProto.DataType.FLOAT_VALUE) {
                        b.setAttribute(a, attr.toBuilder().setT(toFp16(attr.getT(), attr.getT().getName(), where)));
                    } else if (attr.getName().equals("value_float") || attr.getName().equals("value_floats")) {
                        throw new ModelException(where + ": Constant " + n.getName() + " has a " + attr.getName()
                                + " attribute, which the fp16 conversion does not rewrite");
                    }
                }
            } else if (n.getOpType().equals("Cast") && !producesKept) {
                for (int a = 0; a < b.getAttributeCount(); a++) {
                    AttributeProto attr = b.getAttribute(a);
                    if (attr.getName().equals("to") && attr.getI() == TensorProto.DataType.FLOAT_VALUE) {
                        b.setAttribute(a, attr.toBuilder().setI(TensorProto.DataType.FLOAT16_VALUE));
                    }
                }
            } else if (n.getOpType().equals("ConstantOfShape") || n.getOpType().equals("RandomNormal")
                    || n.getOpType().equals("EyeLike")) {
                throw new ModelException(where + ": the fp16 conversion does not know " + n.getOpType() + " ("
                        + n.getName() + ")");
            }
            out.addNode(b);
        }
        out.addNode(cast(logitsFp16, ModelArtifact.LOGITS_NAME, TensorProto.DataType.FLOAT));
        for (ValueInfoProto v : g.getOutputList()) {
            out.addOutput(v);
        }
        ModelProto.Builder m = fp32.toBuilder().setGraph(out);
        m.addMetadataProps(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey("precision").setValue("fp16"));
        return m.build();
    }

    /** The name data inputs read: the tensor itself, or its FP16 copy when the float original is kept too. */
    private static String dataName(String tensor, Set<String> keptFloat) {
        return keptFloat.contains(tensor) ? tensor + "_fp16" : tensor;
    }

    private static NodeProto cast(String from, String to, TensorProto.DataType type) {
        return NodeProto.newBuilder().setOpType("Cast").setName(to + "/Cast").addInput(from).addOutput(to)
                .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                        .setI(type.getNumber())).build();
    }

    private static TensorProto toFp16(TensorProto t, String name, String where) throws ModelException {
        float[] v = floats(t);
        ByteBuffer raw = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            if (Math.abs(x) > FP16_MAX) {
                throw new ModelException(where + ": initialiser " + t.getName() + " holds " + x
                        + ", beyond fp16's range (65504): no fp16 variant");
            }
            raw.putShort(Float.floatToFloat16(x));
        }
        return t.toBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT16_VALUE).clearFloatData()
                .setRawData(ByteString.copyFrom(raw.array())).build();
    }

    /** The values of a FLOAT tensor, stored as raw_data or as float_data (exporters use either). */
    static float[] floats(TensorProto t) {
        if (t.getRawData().isEmpty()) {
            List<Float> data = t.getFloatDataList();
            float[] v = new float[data.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = data.get(i);
            }
            return v;
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[raw.remaining() / 4];
        raw.asFloatBuffer().get(v);
        return v;
    }
}
