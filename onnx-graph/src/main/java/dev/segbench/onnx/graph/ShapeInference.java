package dev.segbench.onnx.graph;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives every value of a {@link Graph} a concrete shape for one input shape, folding the int64 shape arithmetic
 * (Shape, Slice, Gather, Concat, Unsqueeze, Cast, ...) on the host. Nodes that would compute on device tensors are
 * checked against what the executors implement; anything else is a {@link Code#UNSUPPORTED_OP} naming the node.
 */
public final class ShapeInference {

    /** Ops that run on the device (after folding); everything else must fold to a constant. */
    public static final Set<String> RUNTIME_OPS = Set.of("Conv", "Relu", "Clip", "Add", "Mul", "HardSigmoid", "Sigmoid",
            "GlobalAveragePool", "ReduceMean", "MaxPool", "Expand", "Resize", "Concat", "Cast", "ArgMax", "Identity");

    /** Ops evaluated on the host when all their inputs are constants. */
    public static final Set<String> FOLDABLE_OPS = Set.of("Constant", "Shape", "Gather", "Slice", "Concat",
            "Unsqueeze", "Squeeze", "Cast", "Identity", "Add", "Sub", "Mul", "Div", "Reshape", "ConstantOfShape");

    private final Graph graph;
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, ElemType> types = new HashMap<>();
    private final Map<String, Constant> constants = new HashMap<>();

    private ShapeInference(Graph graph) {
        this.graph = graph;
    }

    /**
     * Refuses, at session open, a graph with a node whose op the executing backend neither runs ({@code engineOps})
     * nor folds here: one line naming the node, the op and the backend.
     *
     * @throws BackendException UNSUPPORTED_OP for the first such node
     */
    public static void requireKnownOps(Graph graph, Set<String> engineOps, String engine) throws BackendException {
        for (Node n : graph.nodes()) {
            if (!engineOps.contains(n.op()) && !FOLDABLE_OPS.contains(n.op())) {
                throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": op " + n.op()
                        + " is not implemented by the " + engine + " backend");
            }
        }
    }

    public static ShapedGraph infer(Graph graph, long[] inputShape) throws BackendException {
        if (graph.inputs().size() != 1) {
            throw new BackendException(Code.MODEL_INVALID, "only graphs with exactly one input are supported; this one has "
                    + graph.inputs().size());
        }
        Graph.ValueInfo in = graph.inputs().get(0);
        long[] declared = in.dims();
        if (declared.length != inputShape.length) {
            throw new IllegalArgumentException("input '" + in.name() + "' has rank " + declared.length + ", got shape "
                    + Arrays.toString(inputShape));
        }
        for (int i = 0; i < declared.length; i++) {
            if (inputShape[i] < 1 || (declared[i] >= 0 && declared[i] != inputShape[i])) {
                throw new IllegalArgumentException("input shape " + Arrays.toString(inputShape) + " does not fit '"
                        + in.name() + "' declared as " + Arrays.toString(declared));
            }
        }
        ShapeInference s = new ShapeInference(graph);
        graph.initializers().forEach((name, c) -> s.define(name, c));
        s.shapes.put(in.name(), inputShape.clone());
        s.types.put(in.name(), in.type());
        List<Node> runtime = new ArrayList<>();
        for (Node n : graph.nodes()) {
            try {
                if (!s.tryFold(n)) {
                    s.inferRuntime(n);
                    runtime.add(n);
                }
            } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException e) {
                throw new BackendException(Code.MODEL_INVALID, n.describe() + ": " + e.getMessage(), e);
            }
        }
        for (Graph.ValueInfo out : graph.outputs()) {
            if (s.constants.containsKey(out.name())) {
                throw new BackendException(Code.UNSUPPORTED_OP, "graph output '" + out.name()
                        + "' is a constant; only computed tensors can be returned");
            }
        }
        return new ShapedGraph(graph, in.name(), inputShape, s.shapes, s.types, s.constants, runtime);
    }

    private void define(String name, Constant c) {
        constants.put(name, c);
        shapes.put(name, c.shape());
        types.put(name, c.type());
    }

    private void defineRuntime(String name, long[] shape, ElemType type) {
        shapes.put(name, shape.clone());
        types.put(name, type);
    }

    private Constant constantInput(Node n, int index) {
        return n.hasInput(index) ? constants.get(n.input(index)) : null;
    }

    private boolean allInputsConstant(Node n) {
        for (String in : n.inputs()) {
            if (!in.isEmpty() && !constants.containsKey(in)) {
                return false;
            }
        }
        return true;
    }

    private long[] shapeOf(Node n, int index) {
        long[] s = shapes.get(n.input(index));
        if (s == null) {
            throw new IllegalArgumentException("input " + index + " '" + n.input(index) + "' has no known shape");
        }
        return s.clone();
    }

    private boolean tryFold(Node n) throws BackendException {
        if (!FOLDABLE_OPS.contains(n.op())) {
            return false;
        }
        String out = n.outputs().get(0);
        switch (n.op()) {
            case "Constant" -> {
                define(out, constantAttribute(n));
                return true;
            }
            case "Shape" -> {
                long[] s = shapeOf(n, 0);
                int rank = s.length;
                long start = n.attrInt("start", 0);
                long end = n.attrInt("end", rank);
                int a = (int) Math.clamp(start < 0 ? start + rank : start, 0, rank);
                int b = (int) Math.clamp(end < 0 ? end + rank : end, 0, rank);
                define(out, Constant.vector(Arrays.copyOfRange(s, a, Math.max(a, b))));
                return true;
            }
            default -> {
            }
        }
        if (!allInputsConstant(n)) {
            return false;
        }
        Constant x = constantInput(n, 0);
        Constant folded = switch (n.op()) {
            case "Identity" -> x;
            case "Gather" -> HostOps.gather(x, constantInput(n, 1), n.attrInt("axis", 0));
            case "Slice" -> {
                Constant axes = constantInput(n, 3);
                Constant steps = constantInput(n, 4);
                yield HostOps.slice(x, HostOps.sliceSpec(x.shape(), constantInput(n, 1).asLongs(),
                        constantInput(n, 2).asLongs(), axes == null ? null : axes.asLongs(),
                        steps == null ? null : steps.asLongs()));
            }
            case "Concat" -> {
                Constant[] parts = n.inputs().stream().map(constants::get).toArray(Constant[]::new);
                yield HostOps.concat(parts, n.attrInt("axis", 0));
            }
            case "Unsqueeze" -> reshaped(x, HostOps.unsqueezeShape(x.shape(), constantInput(n, 1).asLongs()));
            case "Squeeze" -> {
                Constant axes = constantInput(n, 1);
                yield reshaped(x, HostOps.squeezeShape(x.shape(), axes == null ? null : axes.asLongs()));
            }
            case "Reshape" -> reshaped(x, HostOps.reshapeShape(x.shape(), constantInput(n, 1).asLongs()));
            case "Cast" -> cast(n, x);
            case "Add", "Sub", "Mul", "Div" -> HostOps.elementwise(n.op(), x, constantInput(n, 1));
            case "ConstantOfShape" -> {
                long[] shape = x.asLongs();
                Attribute v = n.attributes().get("value");
                Constant fill = v == null ? Constant.ofFloats(ElemType.FLOAT32, new long[] {1}, 0f) : v.tensor();
                int count = (int) Constant.elementCount(shape);
                if (fill.type().isFloat()) {
                    float[] f = new float[count];
                    Arrays.fill(f, (float) fill.scalar());
                    yield new Constant(fill.type(), shape, f, null);
                }
                long[] l = new long[count];
                Arrays.fill(l, (long) fill.scalar());
                yield new Constant(fill.type(), shape, null, l);
            }
            default -> throw new IllegalStateException(n.op());
        };
        define(out, folded);
        return true;
    }

    private static Constant reshaped(Constant c, long[] shape) {
        return new Constant(c.type(), shape, c.type().isFloat() ? c.asFloats() : null, c.type().isFloat() ? null : c.asLongs());
    }

    private static Constant cast(Node n, Constant x) throws BackendException {
        ElemType to = castTarget(n);
        if (to.isFloat()) {
            float[] f = x.asFloats();
            if (to == ElemType.FLOAT16) {
                for (int i = 0; i < f.length; i++) {
                    f[i] = HostOps.toHalf(f[i]);
                }
            }
            return new Constant(to, x.shape(), f, null);
        }
        return new Constant(to, x.shape(), null, x.asLongs());
    }

    public static ElemType castTarget(Node n) throws BackendException {
        ElemType to = ElemType.fromOnnx((int) n.attrInt("to", -1));
        if (to == null) {
            throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": Cast to ONNX type " + n.attrInt("to", -1)
                    + " is not supported");
        }
        return to;
    }

    private static Constant constantAttribute(Node n) throws BackendException {
        for (Attribute a : n.attributes().values()) {
            switch (a.name()) {
                case "value" -> {
                    return a.tensor();
                }
                case "value_int" -> {
                    return Constant.ofLongs(new long[0], a.i());
                }
                case "value_ints" -> {
                    return Constant.vector(a.ints());
                }
                case "value_float" -> {
                    return Constant.ofFloats(ElemType.FLOAT32, new long[0], a.f());
                }
                case "value_floats" -> {
                    return Constant.ofFloats(ElemType.FLOAT32, new long[] {a.floats().length}, a.floats());
                }
                default -> {
                }
            }
        }
        throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": Constant without a supported value attribute "
                + n.attributes().keySet());
    }

    private void inferRuntime(Node n) throws BackendException {
        if (!RUNTIME_OPS.contains(n.op())) {
            throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": op " + n.op()
                    + " on runtime tensors is not implemented (supported: " + RUNTIME_OPS.stream().sorted().toList() + ")");
        }
        String out = n.outputs().get(0);
        if (n.outputs().size() > 1 && n.outputs().subList(1, n.outputs().size()).stream().anyMatch(o -> !o.isEmpty())) {
            throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": optional extra outputs are not supported");
        }
        long[] x = shapeOf(n, 0);
        ElemType xt = types.get(n.input(0));
        switch (n.op()) {
            case "Conv" -> defineRuntime(out, ConvGeometry.of(n, x, shapeOf(n, 1)).outputShape(), xt);
            case "Relu", "Identity" -> defineRuntime(out, x, xt);
            case "Clip" -> defineRuntime(out, x, xt);
            case "HardSigmoid", "Sigmoid" -> defineRuntime(out, x, xt);
            case "MaxPool" -> defineRuntime(out, PoolGeometry.of(n, x).outputShape(), xt);
            case "Add", "Mul" -> {
                long[] s = HostOps.broadcast(x, shapeOf(n, 1));
                if (s == null) {
                    throw new BackendException(Code.MODEL_INVALID, n.describe() + ": shapes " + Arrays.toString(x) + " and "
                            + Arrays.toString(shapeOf(n, 1)) + " do not broadcast");
                }
                defineRuntime(out, s, xt);
            }
            case "GlobalAveragePool" -> defineRuntime(out, pooledShape(x), xt);
            case "ReduceMean" -> {
                long[] axes = n.hasInput(1) ? constants.get(n.input(1)).asLongs() : n.attrInts("axes", null);
                if (axes == null || x.length != 4 || n.attrInt("keepdims", 1) != 1
                        || !Arrays.equals(Arrays.stream(axes).map(a -> HostOps.normAxis(a, 4)).sorted().toArray(), new long[] {2, 3})) {
                    throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": only ReduceMean over axes [2, 3] of a"
                            + " 4-D tensor with keepdims=1 (a global average pool) is supported; got axes "
                            + Arrays.toString(axes) + " keepdims=" + n.attrInt("keepdims", 1));
                }
                defineRuntime(out, pooledShape(x), xt);
            }
            case "Expand" -> {
                Constant target = requireConstant(n, 1, "shape");
                long[] s = HostOps.broadcast(x, target.asLongs());
                if (s == null) {
                    throw new BackendException(Code.MODEL_INVALID, n.describe() + ": cannot expand " + Arrays.toString(x)
                            + " to " + Arrays.toString(target.asLongs()));
                }
                defineRuntime(out, s, xt);
            }
            case "Resize" -> defineRuntime(out, ResizeGeometry.of(n, x, constants).outputShape(), xt);
            case "Concat" -> {
                int axis = HostOps.normAxis(n.attrInt("axis", 0), x.length);
                long[] s = x.clone();
                s[axis] = 0;
                for (int i = 0; i < n.inputs().size(); i++) {
                    long[] p = shapeOf(n, i);
                    for (int d = 0; d < p.length; d++) {
                        if (d != axis && p[d] != x[d]) {
                            throw new BackendException(Code.MODEL_INVALID, n.describe() + ": input " + i + " has shape "
                                    + Arrays.toString(p) + ", which does not match " + Arrays.toString(x) + " off axis " + axis);
                        }
                    }
                    s[axis] += p[axis];
                }
                defineRuntime(out, s, xt);
            }
            case "Cast" -> defineRuntime(out, x, castTarget(n));
            case "ArgMax" -> {
                int axis = HostOps.normAxis(n.attrInt("axis", 0), x.length);
                if (n.attrInt("select_last_index", 0) != 0) {
                    throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": select_last_index=1 is not supported");
                }
                long[] s = x.clone();
                if (n.attrInt("keepdims", 1) == 1) {
                    s[axis] = 1;
                } else {
                    s = HostOps.squeezeShape(x, new long[] {axis});
                }
                defineRuntime(out, s, ElemType.INT64);
            }
            default -> throw new IllegalStateException(n.op());
        }
    }

    private Constant requireConstant(Node n, int index, String what) throws BackendException {
        Constant c = constantInput(n, index);
        if (c == null) {
            throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": input '" + what
                    + "' must be computable from the input shape alone, but depends on tensor data");
        }
        return c;
    }

    private static long[] pooledShape(long[] x) {
        if (x.length != 4) {
            throw new IllegalArgumentException("expected a 4-D NCHW tensor, got " + Arrays.toString(x));
        }
        return new long[] {x[0], x[1], 1, 1};
    }
}
