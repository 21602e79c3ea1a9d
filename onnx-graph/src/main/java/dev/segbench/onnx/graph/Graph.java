package dev.segbench.onnx.graph;

import java.util.List;
import java.util.Map;

/**
 * An imported ONNX graph: nodes in topological order, initializers by name, and the graph's runtime inputs
 * (initializers excluded) and outputs.
 */
public record Graph(int opset, List<Node> nodes, Map<String, Constant> initializers, List<ValueInfo> inputs,
                    List<ValueInfo> outputs) {

    public Graph {
        nodes = List.copyOf(nodes);
        initializers = Map.copyOf(initializers);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** A declared graph input or output; {@code dims} holds -1 for symbolic dimensions. */
    public record ValueInfo(String name, ElemType type, long[] dims) {
        public ValueInfo {
            dims = dims.clone();
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }
    }
}
