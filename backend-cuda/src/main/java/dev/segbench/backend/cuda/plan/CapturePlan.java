package dev.segbench.backend.cuda.plan;

import dev.segbench.api.BackendException;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.Graph;
import dev.segbench.onnx.graph.Node;
import dev.segbench.onnx.graph.ShapeInference;
import dev.segbench.onnx.graph.ShapedGraph;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which tensors a capture run can hand back, and the graph that keeps them: each captured tensor becomes a graph
 * output, so the planner neither fuses it into its consumer nor lets another tensor reuse its buffer, and its device
 * buffer holds its value when the run ends (then copied back).
 */
public final class CapturePlan {

    private CapturePlan() {
    }

    /**
     * The names in {@code capture} that a runtime node of {@code shaped} computes as a float tensor, in graph order;
     * folded constants (shape arithmetic) and other types are not observable.
     */
    public static List<String> observable(ShapedGraph shaped, Set<String> capture) {
        Set<String> found = new LinkedHashSet<>();
        for (Node n : shaped.runtimeNodes()) {
            for (String out : n.outputs()) {
                if (capture.contains(out) && !shaped.isConstant(out)
                        && (shaped.type(out) == ElemType.FLOAT32 || shaped.type(out) == ElemType.FLOAT16)) {
                    found.add(out);
                }
            }
        }
        return List.copyOf(found);
    }

    /** {@code graph} with each of {@code names} (observable in {@code shaped}) added as an output. */
    public static Graph withOutputs(Graph graph, ShapedGraph shaped, List<String> names) {
        List<Graph.ValueInfo> outputs = new ArrayList<>(graph.outputs());
        Set<String> present = new LinkedHashSet<>();
        graph.outputs().forEach(o -> present.add(o.name()));
        for (String name : names) {
            if (present.add(name)) {
                outputs.add(new Graph.ValueInfo(name, shaped.type(name), shaped.shape(name)));
            }
        }
        return new Graph(graph.opset(), graph.nodes(), graph.initializers(), graph.inputs(), outputs);
    }

    /** The plan of {@code graph} at {@code inputShape} with {@code capture}'s observable tensors kept. */
    public static ExecutionPlan plan(Graph graph, long[] inputShape, Set<String> capture, boolean fuse) throws BackendException {
        ShapedGraph shaped = ShapeInference.infer(graph, inputShape);
        Graph kept = withOutputs(graph, shaped, observable(shaped, capture));
        return ExecutionPlanner.plan(ShapeInference.infer(kept, inputShape), fuse);
    }
}
