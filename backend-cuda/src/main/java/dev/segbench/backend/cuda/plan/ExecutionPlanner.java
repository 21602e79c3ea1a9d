package dev.segbench.backend.cuda.plan;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import dev.segbench.onnx.graph.Constant;
import dev.segbench.onnx.graph.ConvGeometry;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.HostOps;
import dev.segbench.onnx.graph.Node;
import dev.segbench.onnx.graph.PoolGeometry;
import dev.segbench.onnx.graph.ResizeGeometry;
import dev.segbench.onnx.graph.ShapeInference;
import dev.segbench.onnx.graph.ShapedGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link ShapedGraph} into a {@link ExecutionPlan}: fuses Conv [+ Add residual] [+ Relu/Clip] chains into one step,
 * lowers the remaining nodes one to one, then assigns arena offsets from tensor lifetimes.
 */
public final class ExecutionPlanner {

    /** Ops this backend runs on device tensors; every other op must fold on the host (checked at session open). */
    public static final Set<String> OPS = Set.of("Conv", "Relu", "Clip", "Add", "Mul", "HardSigmoid", "Sigmoid",
            "GlobalAveragePool", "ReduceMean", "MaxPool", "Expand", "Resize", "Concat", "Cast", "ArgMax", "Identity");

    private final ShapedGraph graph;
    private final boolean fuse;
    private final Map<String, List<Node>> consumers = new HashMap<>();
    private final Set<String> graphOutputs;

    private ExecutionPlanner(ShapedGraph graph, boolean fuse) {
        this.graph = graph;
        this.fuse = fuse;
        this.graphOutputs = new HashSet<>(graph.outputNames());
        for (Node n : graph.runtimeNodes()) {
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                }
            }
        }
    }

    public static ExecutionPlan plan(ShapedGraph graph, boolean fuse) throws BackendException {
        return new ExecutionPlanner(graph, fuse).build();
    }

    public static ExecutionPlan plan(ShapedGraph graph) throws BackendException {
        return plan(graph, true);
    }

    private ExecutionPlan build() throws BackendException {
        Map<Node, List<Node>> chainEndingAt = new HashMap<>();
        Set<Node> absorbed = new HashSet<>();
        if (fuse) {
            for (Node n : graph.runtimeNodes()) {
                if (n.op().equals("Conv")) {
                    List<Node> chain = convChain(n, absorbed, chainEndingAt.keySet());
                    chainEndingAt.put(chain.get(chain.size() - 1), chain);
                    absorbed.addAll(chain.subList(0, chain.size() - 1));
                }
            }
        }
        List<Step> steps = new ArrayList<>();
        for (Node n : graph.runtimeNodes()) {
            if (absorbed.contains(n)) {
                continue;
            }
            List<Node> chain = chainEndingAt.get(n);
            steps.add(chain != null ? fusedConv(chain) : lower(n));
        }
        return allocate(steps);
    }

    /**
     * The Conv, then (each only if it is the sole consumer) a same-shape residual Add, then a Relu or constant Clip.
     * A node another chain already took is not taken again: in Add(Conv(a), Conv(b)), as in LR-ASPP's head, the Add is
     * the sole consumer of both convolutions, and only the first may fuse it.
     */
    private List<Node> convChain(Node conv, Set<Node> absorbed, Set<Node> chainEnds) {
        List<Node> chain = new ArrayList<>(List.of(conv));
        String current = conv.outputs().get(0);
        Node next = soleConsumer(current);
        if (next != null && (absorbed.contains(next) || chainEnds.contains(next))) {
            return chain;
        }
        if (next != null && next.op().equals("Add")) {
            String other = next.input(0).equals(current) ? next.input(1) : next.input(0);
            if (!other.equals(current) && !graph.isConstant(other)
                    && Arrays.equals(graph.shape(other), graph.shape(current)) && graph.type(other) == graph.type(current)) {
                chain.add(next);
                current = next.outputs().get(0);
                next = soleConsumer(current);
            }
        }
        if (next != null && (next.op().equals("Relu") || (next.op().equals("Clip") && clipBoundsConstant(next)))) {
            chain.add(next);
        }
        return chain;
    }

    private Node soleConsumer(String value) {
        List<Node> users = consumers.getOrDefault(value, List.of());
        if (users.size() != 1 || graphOutputs.contains(value)) {
            return null;
        }
        Node user = users.get(0);
        // The value must enter the consumer exactly once (Add(x, x) cannot take x as the fused residual).
        return user.inputs().stream().filter(value::equals).count() == 1 ? user : null;
    }

    private boolean clipBoundsConstant(Node clip) {
        return (!clip.hasInput(1) || graph.isConstant(clip.input(1))) && (!clip.hasInput(2) || graph.isConstant(clip.input(2)));
    }

    private Step fusedConv(List<Node> chain) throws BackendException {
        Node conv = chain.get(0);
        String residual = null;
        Activation act = Activation.NONE;
        for (Node n : chain.subList(1, chain.size())) {
            if (n.op().equals("Add")) {
                String produced = chain.get(chain.indexOf(n) - 1).outputs().get(0);
                residual = n.input(0).equals(produced) ? n.input(1) : n.input(0);
            } else {
                act = activationOf(n);
            }
        }
        Node last = chain.get(chain.size() - 1);
        return convStep(conv, chain.stream().map(Node::name).toList(), residual, act, last.outputs().get(0));
    }

    private Step convStep(Node conv, List<String> names, String residual, Activation act, String output) throws BackendException {
        if (graph.isConstant(conv.input(0))) {
            throw new BackendException(Code.UNSUPPORTED_OP, conv.describe() + ": a convolution of a constant input is not supported");
        }
        if (!graph.isConstant(conv.input(1)) || (conv.hasInput(2) && !graph.isConstant(conv.input(2)))) {
            throw new BackendException(Code.UNSUPPORTED_OP, conv.describe() + ": weights and bias must be initializers");
        }
        ConvGeometry g = ConvGeometry.of(conv, graph.shape(conv.input(0)), graph.shape(conv.input(1)));
        if (!g.symmetricPadding()) {
            throw new BackendException(Code.UNSUPPORTED_OP, conv.describe() + ": asymmetric pads " + g
                    + " are not supported (cuDNN takes one pad per side pair)");
        }
        ElemType xt = graph.type(conv.input(0));
        if (xt != ElemType.FLOAT32 && xt != ElemType.FLOAT16) {
            throw new BackendException(Code.UNSUPPORTED_OP, conv.describe() + ": Conv on " + xt + " is not supported");
        }
        if (graph.type(conv.input(1)) != xt || (conv.hasInput(2) && graph.type(conv.input(2)) != xt)) {
            throw new BackendException(Code.UNSUPPORTED_OP, conv.describe() + ": mixed-precision Conv (input " + xt
                    + ", weights " + graph.type(conv.input(1)) + ") is not supported");
        }
        return new Step.Conv(names, conv.input(0), conv.input(1), conv.hasInput(2) ? conv.input(2) : null, residual, act, g, output);
    }

    private Activation activationOf(Node n) throws BackendException {
        if (n.op().equals("Relu")) {
            return Activation.RELU;
        }
        if (!clipBoundsConstant(n)) {
            throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": Clip bounds must be constants");
        }
        float min = n.hasInput(1) ? (float) graph.constant(n.input(1)).scalar() : Float.NEGATIVE_INFINITY;
        float max = n.hasInput(2) ? (float) graph.constant(n.input(2)).scalar() : Float.POSITIVE_INFINITY;
        return Activation.clip(min, max);
    }

    private Step lower(Node n) throws BackendException {
        List<String> names = List.of(n.name());
        String out = n.outputs().get(0);
        return switch (n.op()) {
            case "Conv" -> convStep(n, names, null, Activation.NONE, out);
            case "Relu", "Clip" -> new Step.Act(names, n.input(0), activationOf(n), out);
            case "Add" -> {
                requireFloat(n);
                yield new Step.Add(names, n.input(0), n.input(1), out);
            }
            case "Mul" -> {
                requireFloat(n);
                requireSameType(n);
                yield new Step.Mul(names, n.input(0), n.input(1), out);
            }
            case "HardSigmoid" -> {
                requireFloat(n);
                yield new Step.HardSigmoid(names, n.input(0), n.attrFloat("alpha", 0.2f), n.attrFloat("beta", 0.5f), out);
            }
            case "Sigmoid" -> {
                requireFloat(n);
                yield new Step.Sigmoid(names, n.input(0), out);
            }
            case "MaxPool" -> {
                requireFloat(n);
                yield new Step.MaxPool(names, n.input(0), PoolGeometry.of(n, graph.shape(n.input(0))), out);
            }
            case "GlobalAveragePool", "ReduceMean" -> {
                requireFloat(n);
                yield new Step.GlobalAvgPool(names, n.input(0), out);
            }
            case "Expand" -> new Step.Expand(names, n.input(0), out);
            case "Resize" -> {
                requireFloat(n);
                yield new Step.Resize(names, n.input(0), ResizeGeometry.of(n, graph.shape(n.input(0)), graph.constants()), out);
            }
            case "Concat" -> new Step.Concat(names, n.inputs(), HostOps.normAxis(n.attrInt("axis", 0),
                    graph.shape(n.input(0)).length), out);
            case "Cast" -> {
                ElemType from = graph.type(n.input(0));
                ElemType to = ShapeInference.castTarget(n);
                Set<ElemType> device = Set.of(ElemType.FLOAT32, ElemType.FLOAT16, ElemType.INT64, ElemType.UINT8);
                if (!device.contains(from) || !device.contains(to)) {
                    throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": Cast " + from + " -> " + to
                            + " on device tensors is not supported");
                }
                yield new Step.Cast(names, n.input(0), to, out);
            }
            case "ArgMax" -> {
                requireFloat(n);
                yield new Step.ArgMax(names, n.input(0), HostOps.normAxis(n.attrInt("axis", 0),
                        graph.shape(n.input(0)).length), out);
            }
            case "Identity" -> new Step.Copy(names, n.input(0), out);
            default -> throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": op " + n.op() + " is not supported");
        };
    }

    /** The kernels read both operands with the output's element type. */
    private void requireSameType(Node n) throws BackendException {
        if (graph.type(n.input(0)) != graph.type(n.input(1))) {
            throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": " + n.op() + " of " + graph.type(n.input(0))
                    + " and " + graph.type(n.input(1)) + " is not supported");
        }
    }

    private void requireFloat(Node n) throws BackendException {
        for (String in : n.inputs()) {
            if (!in.isEmpty() && graph.types().containsKey(in) && !graph.type(in).isFloat()
                    && !(n.op().equals("Resize") || n.op().equals("ReduceMean"))) {
                throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": " + n.op() + " on " + graph.type(in)
                        + " tensors is not supported");
            }
        }
        ElemType t = graph.type(n.input(0));
        if (t != ElemType.FLOAT32 && t != ElemType.FLOAT16) {
            throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": " + n.op() + " on " + t + " tensors is not supported");
        }
    }

    private ExecutionPlan allocate(List<Step> steps) {
        Map<String, int[]> life = new LinkedHashMap<>();
        life.put(graph.inputName(), new int[] {-1, -1});
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            for (String in : s.inputs()) {
                if (!graph.isConstant(in)) {
                    life.get(in)[1] = i;
                }
            }
            life.put(s.output(), new int[] {i, i});
        }
        for (String out : graph.outputNames()) {
            life.get(out)[1] = steps.size();
        }
        List<BufferAllocator.Interval> intervals = new ArrayList<>();
        life.forEach((name, fl) -> intervals.add(new BufferAllocator.Interval(name, bytes(name), fl[0], fl[1])));
        Map<String, ExecutionPlan.TensorSlot> slots = new HashMap<>();
        List<BufferAllocator.Placement> placements = BufferAllocator.assign(intervals);
        for (BufferAllocator.Placement p : placements) {
            BufferAllocator.Interval t = p.interval();
            slots.put(t.name(), new ExecutionPlan.TensorSlot(t.name(), graph.type(t.name()), graph.shape(t.name()), t.bytes(),
                    t.first(), t.last(), p.offset()));
        }
        return new ExecutionPlan(graph, steps, slots, BufferAllocator.peak(placements), fuse);
    }

    private long bytes(String name) {
        return Constant.elementCount(graph.shape(name)) * graph.type(name).byteSize();
    }
}
