package dev.segbench.harness.diagnose;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The float graph's tensors in graph order (ONNX lists nodes topologically), with the op that made each and the
 * tensors that op read: what diagnose needs to order tensors by depth and to tell the error a layer received from the
 * error it created.
 */
public final class GraphView {

    private record Producer(String op, List<String> inputs) {
    }

    private final List<String> order = new ArrayList<>();
    private final Map<String, Producer> producers = new HashMap<>();

    private GraphView() {
    }

    public static GraphView parse(byte[] onnx) throws InvalidProtocolBufferException {
        GraphView view = new GraphView();
        for (NodeProto n : ModelProto.parseFrom(onnx).getGraph().getNodeList()) {
            List<String> inputs = n.getInputList().stream().filter(i -> !i.isEmpty()).toList();
            for (String out : n.getOutputList()) {
                if (out.isEmpty()) { // an optional output the node does not produce
                    continue;
                }
                view.order.add(out);
                view.producers.put(out, new Producer(n.getOpType(), inputs));
            }
        }
        return view;
    }

    /** Every tensor a node makes, in graph order (what a run is asked to capture). */
    public List<String> tensors() {
        return List.copyOf(order);
    }

    /** The op type that made {@code tensor}, or null for a graph input or weight. */
    public String op(String tensor) {
        Producer p = producers.get(tensor);
        return p == null ? null : p.op();
    }

    /**
     * The compared tensors that {@code tensor}'s op read: its inputs that are in {@code compared}, and for an input
     * that is not (a Cast or shape tensor not captured), the compared tensors behind it. Graph inputs and weights are
     * exact and count as no input.
     */
    public Set<String> comparedInputs(String tensor, Set<String> compared) {
        Set<String> found = new LinkedHashSet<>();
        Set<String> seen = new java.util.HashSet<>();
        List<String> stack = new ArrayList<>(inputsOf(tensor));
        while (!stack.isEmpty()) {
            String t = stack.removeLast();
            if (!seen.add(t)) {
                continue;
            }
            if (compared.contains(t)) {
                found.add(t);
            } else {
                stack.addAll(inputsOf(t));
            }
        }
        return found;
    }

    private List<String> inputsOf(String tensor) {
        Producer p = producers.get(tensor);
        return p == null ? List.of() : p.inputs();
    }
}
