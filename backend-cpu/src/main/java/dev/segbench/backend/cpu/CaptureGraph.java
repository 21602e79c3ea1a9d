package dev.segbench.backend.cpu;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The graph with requested intermediate tensors added as extra graph outputs, so ONNX Runtime hands them back (what
 * Polygraphy's "mark all" does). Outputs are added without a type: ORT infers it from the node that makes them.
 */
final class CaptureGraph {

    private CaptureGraph() {
    }

    /** The bytes of the graph with each name in {@code capture} that a node makes added as an output. */
    static byte[] withOutputs(byte[] onnx, Set<String> capture) throws InvalidProtocolBufferException {
        ModelProto.Builder model = ModelProto.parseFrom(onnx).toBuilder();
        GraphProto.Builder g = model.getGraphBuilder();
        Set<String> present = new LinkedHashSet<>();
        g.getOutputList().forEach(o -> present.add(o.getName()));
        for (String name : produced(g.build(), capture)) {
            if (present.add(name)) {
                g.addOutput(ValueInfoProto.newBuilder().setName(name));
            }
        }
        return model.build().toByteArray();
    }

    /** The names in {@code capture} that some node of {@code g} outputs, in graph order. */
    static Set<String> produced(GraphProto g, Set<String> capture) {
        Set<String> found = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            for (String out : n.getOutputList()) {
                if (capture.contains(out)) {
                    found.add(out);
                }
            }
        }
        return found;
    }
}
