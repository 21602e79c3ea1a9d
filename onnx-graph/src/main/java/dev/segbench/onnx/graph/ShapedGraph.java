package dev.segbench.onnx.graph;

import java.util.List;
import java.util.Map;

/**
 * A graph specialised to one concrete input shape: every value has a shape and type, the shape sub-graph is
 * folded into {@code constants}, and {@code runtimeNodes} are the nodes left to execute on the device.
 */
public record ShapedGraph(Graph graph, String inputName, long[] inputShape, Map<String, long[]> shapes,
                          Map<String, ElemType> types, Map<String, Constant> constants, List<Node> runtimeNodes) {

    public ShapedGraph {
        inputShape = inputShape.clone();
        shapes = Map.copyOf(shapes);
        types = Map.copyOf(types);
        constants = Map.copyOf(constants);
        runtimeNodes = List.copyOf(runtimeNodes);
    }

    @Override
    public long[] inputShape() {
        return inputShape.clone();
    }

    public long[] shape(String value) {
        long[] s = shapes.get(value);
        if (s == null) {
            throw new IllegalStateException("no shape for '" + value + "'");
        }
        return s.clone();
    }

    public ElemType type(String value) {
        return types.get(value);
    }

    public boolean isConstant(String value) {
        return constants.containsKey(value);
    }

    public Constant constant(String value) {
        return constants.get(value);
    }

    public List<String> outputNames() {
        return graph.outputs().stream().map(Graph.ValueInfo::name).toList();
    }
}
