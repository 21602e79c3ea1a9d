package dev.segbench.models;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import dev.segbench.api.ModelArtifact;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The labels-out head of a logits graph: bilinear Resize of "logits" to the input's height and width (a no-op
 * when they are already equal), ArgMax over the classes, Cast to UINT8 "labels".
 */
final class LabelsHead {

    private LabelsHead() {
    }

    static ModelProto append(ModelProto logitsGraph) {
        if (OnnxFileModel.opset(logitsGraph) < 11) {
            throw new IllegalArgumentException("the labels-out head needs opset 11 or newer (Resize with sizes), the graph has "
                    + OnnxFileModel.opset(logitsGraph));
        }
        GraphProto.Builder g = logitsGraph.getGraph().toBuilder().clearOutput();
        String logits = ModelArtifact.LOGITS_NAME;
        g.addInitializer(longs("labels_head/slice_0", 0));
        g.addInitializer(longs("labels_head/slice_2", 2));
        g.addInitializer(longs("labels_head/slice_4", 4));
        g.addNode(node("Shape", "labels_head/logits_shape", logits));
        g.addNode(node("Slice", "labels_head/batch_classes", "labels_head/logits_shape", "labels_head/slice_0",
                "labels_head/slice_2"));
        g.addNode(node("Shape", "labels_head/input_shape", ModelArtifact.INPUT_NAME));
        g.addNode(node("Slice", "labels_head/height_width", "labels_head/input_shape", "labels_head/slice_2",
                "labels_head/slice_4"));
        g.addNode(node("Concat", "labels_head/sizes", "labels_head/batch_classes", "labels_head/height_width")
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(0)));
        // roi and scales became optional in opset 13; before it they are required inputs, given empty here
        String unused = "";
        if (OnnxFileModel.opset(logitsGraph) < 13) {
            unused = "labels_head/unused";
            g.addInitializer(TensorProto.newBuilder().setName(unused).setDataType(TensorProto.DataType.FLOAT_VALUE)
                    .addDims(0));
        }
        g.addNode(node("Resize", "labels_head/upsampled", logits, unused, unused, "labels_head/sizes")
                .addAttribute(string("mode", "linear"))
                .addAttribute(string("coordinate_transformation_mode", "half_pixel")));
        g.addNode(node("ArgMax", "labels_head/labels_int64", "labels_head/upsampled")
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1))
                .addAttribute(AttributeProto.newBuilder().setName("keepdims").setType(AttributeProto.AttributeType.INT).setI(0)));
        g.addNode(node("Cast", ModelArtifact.LABELS_NAME, "labels_head/labels_int64")
                .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                        .setI(TensorProto.DataType.UINT8_VALUE)));
        g.addOutput(OnnxFileModel.tensorInfo(ModelArtifact.LABELS_NAME, TensorProto.DataType.UINT8, "batch", "height", "width"));
        return logitsGraph.toBuilder().setGraph(g).build();
    }

    private static NodeProto.Builder node(String op, String output, String... inputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        return n;
    }

    private static AttributeProto string(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    private static TensorProto longs(String name, long value) {
        byte[] raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addDims(1)
                .setRawData(ByteString.copyFrom(raw)).build();
    }
}
