package dev.segbench.backend.cuda.plan;

import dev.segbench.onnx.graph.Constant;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.ShapedGraph;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An execution plan for one concrete input shape: ordered steps, and every runtime tensor's place in a single
 * activation arena. Constants (weights) are not in the arena.
 */
public record ExecutionPlan(ShapedGraph graph, List<Step> steps, Map<String, TensorSlot> tensors, long arenaBytes,
                   boolean fused) {

    public ExecutionPlan {
        steps = List.copyOf(steps);
        tensors = Map.copyOf(tensors);
    }

    /** A runtime tensor: its type and shape, lifetime in step indices (-1 = graph input), and arena offset. */
    public record TensorSlot(String name, ElemType type, long[] shape, long bytes, int firstStep, int lastStep, long offset) {
        public TensorSlot {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long elementCount() {
            return Constant.elementCount(shape);
        }

        @Override
        public String toString() {
            return name + ":" + type + Arrays.toString(shape) + "@" + offset + " steps " + firstStep + ".." + lastStep;
        }
    }

    public String inputName() {
        return graph.inputName();
    }

    public List<String> outputNames() {
        return graph.outputNames();
    }

    public TensorSlot slot(String name) {
        TensorSlot s = tensors.get(name);
        if (s == null) {
            throw new IllegalArgumentException("'" + name + "' is not a runtime tensor of this plan");
        }
        return s;
    }

    public boolean isConstant(String name) {
        return graph.isConstant(name);
    }

    public Constant constant(String name) {
        return graph.constant(name);
    }

    /** Device memory if every runtime tensor had its own buffer (what liveness-based reuse is compared against). */
    public long naiveBytes() {
        return tensors.values().stream().mapToLong(t -> BufferAllocator.align(t.bytes())).sum();
    }

    /** Kernel launches per inference with the default lowering (copies H2D/D2H not counted). */
    public int launches() {
        return steps.stream().mapToInt(Step::launches).sum();
    }

    public long convSteps() {
        return steps.stream().filter(s -> s instanceof Step.Conv).count();
    }

    public String summary() {
        return "plan for " + Arrays.toString(graph.inputShape()) + ": " + steps.size() + " steps (" + convSteps()
                + " conv), " + launches() + " kernel launches, arena " + arenaBytes + " B (naive " + naiveBytes() + " B)";
    }
}
