package dev.segbench.backend.pytorch;

import dev.segbench.api.BackendException;
import dev.segbench.api.BackendException.Code;
import dev.segbench.onnx.graph.Constant;
import dev.segbench.onnx.graph.ConvGeometry;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.Graph;
import dev.segbench.onnx.graph.HostOps;
import dev.segbench.onnx.graph.Node;
import dev.segbench.onnx.graph.PoolGeometry;
import dev.segbench.onnx.graph.ResizeGeometry;
import dev.segbench.onnx.graph.ShapeInference;
import dev.segbench.onnx.graph.ShapedGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Executes an ONNX graph node by node with libtorch's functions. The weights become libtorch tensors once, when the
 * interpreter is built; everything else lives only during one {@link #run} (the caller's PointerScope frees it). The
 * interpreter keeps no per-run state, so runs on separate inputs may overlap.
 */
final class TorchInterpreter implements AutoCloseable {

    /** Ops executed with libtorch; the rest of the graph must be shape arithmetic that onnx-graph folds on the host. */
    static final Set<String> OPS = Set.of("Conv", "Relu", "Clip", "Add", "Mul", "HardSigmoid", "Sigmoid",
            "GlobalAveragePool", "ReduceMean", "MaxPool", "Expand", "Resize", "Concat", "Cast", "ArgMax", "Identity");

    private final Map<String, Tensor> weights;

    private TorchInterpreter(Map<String, Tensor> weights) {
        this.weights = weights;
    }

    /**
     * Checks every node against what this interpreter runs and makes the weights tensors.
     *
     * @throws BackendException UNSUPPORTED_OP naming the first node whose op it does not run
     */
    static TorchInterpreter of(Graph graph) throws BackendException {
        ShapeInference.requireKnownOps(graph, OPS, "pytorch");
        Map<String, Tensor> weights = new HashMap<>();
        try {
            for (Map.Entry<String, Constant> e : graph.initializers().entrySet()) {
                weights.put(e.getKey(), tensor(e.getValue()));
            }
        } catch (RuntimeException e) {
            weights.values().forEach(Tensor::close);
            throw e;
        }
        return new TorchInterpreter(weights);
    }

    /** An owned libtorch tensor with the constant's values and type. */
    static Tensor tensor(Constant c) throws BackendException {
        long[] shape = c.shape();
        ElemType type = c.type();
        if (type.isFloat()) {
            try (Tensor f = AbstractTensor.create(c.asFloats(), shape)) {
                return f.to(scalarType(type));
            }
        }
        try (Tensor l = AbstractTensor.create(c.asLongs(), shape)) {
            return l.to(scalarType(type));
        }
    }

    static ScalarType scalarType(ElemType type) throws BackendException {
        return switch (type) {
            case FLOAT32 -> ScalarType.Float;
            case FLOAT16 -> ScalarType.Half;
            case DOUBLE -> ScalarType.Double;
            case UINT8 -> ScalarType.Byte;
            case INT8 -> ScalarType.Char;
            case INT32 -> ScalarType.Int;
            case INT64 -> ScalarType.Long;
            case BOOL -> ScalarType.Bool;
        };
    }

    /**
     * Runs the graph's runtime nodes on {@code input} and returns the tensors of its outputs. Call inside a
     * PointerScope and InferenceMode: every intermediate tensor is created here and freed with the scope.
     */
    Map<String, Tensor> run(ShapedGraph g, Tensor input) throws BackendException {
        return run(g, input, null);
    }

    /**
     * As above, and hands each node's result to {@code observer} (null: none) by its output name right after the node
     * ran, before a later in-place op may overwrite it (intermediate outputs).
     */
    Map<String, Tensor> run(ShapedGraph g, Tensor input, java.util.function.BiConsumer<String, Tensor> observer)
            throws BackendException {
        Map<String, Tensor> values = new HashMap<>();
        values.put(g.inputName(), input);
        Map<String, Integer> uses = uses(g);
        Map<String, Integer> unread = readers(g);
        for (Node n : g.runtimeNodes()) {
            try {
                Tensor y = execute(n, g, values, uses);
                for (String in : n.inputs()) {
                    Tensor owner = values.get(in);
                    if (owner != null && y.address() == owner.address()) {
                        y = owner; // an in-place op answers with its input's handle: keep the one that frees it
                        break;
                    }
                }
                values.put(n.outputs().get(0), y);
                if (observer != null) {
                    observer.accept(n.outputs().get(0), y);
                }
                release(n, g, values, unread);
            } catch (RuntimeException e) { // c10::Error arrives as a RuntimeException with libtorch's message
                String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                throw new BackendException(Code.RUNTIME_ERROR, n.describe() + ": libtorch failed: " + msg, e);
            }
        }
        Map<String, Tensor> outputs = new HashMap<>();
        for (String name : g.outputNames()) {
            outputs.put(name, values.get(name));
        }
        return outputs;
    }

    /** Ops whose output is a tensor of its own (never a view of another value), so it may be overwritten. */
    private static final Set<String> FRESH_OUTPUT = Set.of("Conv", "Relu", "Clip", "Add", "Mul", "HardSigmoid", "Sigmoid",
            "Concat", "GlobalAveragePool", "ReduceMean", "MaxPool");

    /**
     * How many nodes (and graph outputs) read each value; values that no op may overwrite (views such as Expand's or
     * Identity's, the graph input, weights) count as read twice.
     */
    private static Map<String, Integer> uses(ShapedGraph g) {
        Map<String, Integer> uses = new HashMap<>();
        for (Node n : g.runtimeNodes()) {
            for (String in : n.inputs()) {
                uses.merge(in, 1, Integer::sum);
            }
            if (!FRESH_OUTPUT.contains(n.op())) {
                uses.merge(n.outputs().get(0), 1, Integer::sum);
            }
        }
        for (String out : g.outputNames()) {
            uses.merge(out, 1, Integer::sum);
        }
        return uses;
    }

    /** How many runtime nodes read each value (a node reading one value twice counts once). */
    private static Map<String, Integer> readers(ShapedGraph g) {
        Map<String, Integer> readers = new HashMap<>();
        for (Node n : g.runtimeNodes()) {
            for (String in : new TreeSet<>(n.inputs())) {
                readers.merge(in, 1, Integer::sum);
            }
        }
        return readers;
    }

    /**
     * Frees the intermediates whose last reader was {@code n} (unless they are graph outputs, the input, or still held
     * under another name): the PointerScope would hold every intermediate until the run ends, which took batch-8
     * runs of arch0 to several GB; libtorch's reference counts keep any view's storage alive.
     */
    private static void release(Node n, ShapedGraph g, Map<String, Tensor> values, Map<String, Integer> unread) {
        for (String in : new TreeSet<>(n.inputs())) {
            if (unread.merge(in, -1, Integer::sum) > 0 || in.equals(g.inputName()) || g.outputNames().contains(in)) {
                continue;
            }
            Tensor t = values.remove(in);
            if (t != null && !values.containsValue(t)) { // Identity and in-place ops store one handle under two names
                t.deallocate();
            }
        }
    }

    Tensor execute(Node n, ShapedGraph g, Map<String, Tensor> values, Map<String, Integer> uses) throws BackendException {
        Tensor x = operand(n.input(0), g, values);
        long[] xShape = g.shape(n.input(0));
        // Activations and residual sums overwrite an intermediate that nothing else reads, as PyTorch's inplace=True
        // modules do: a fresh output per op cost a page-faulting allocation each (glibc maps large blocks anew).
        boolean ownsInput = owns(n.input(0), g, values, uses);
        return switch (n.op()) {
            case "Conv" -> conv(n, x, xShape, g, values);
            case "Relu" -> ownsInput ? torch.relu_(x) : torch.relu(x);
            case "Clip" -> clip(n, x, g, ownsInput);
            case "Add" -> {
                Tensor y = operand(n.input(1), g, values);
                boolean sameShape = java.util.Arrays.equals(xShape, g.shape(n.outputs().get(0)));
                yield ownsInput && sameShape ? x.add_(y) : torch.add(x, y);
            }
            case "Mul" -> {
                Tensor y = operand(n.input(1), g, values);
                long[] out = g.shape(n.outputs().get(0));
                if (ownsInput && java.util.Arrays.equals(xShape, out)) {
                    yield x.mul_(y);
                }
                // hardswish is Mul(x, HardSigmoid(x)) and the gate Mul(sigmoid, x): the operand to overwrite is often the second
                yield owns(n.input(1), g, values, uses) && java.util.Arrays.equals(g.shape(n.input(1)), out) ? y.mul_(x) : torch.mul(x, y);
            }
            case "HardSigmoid" -> hardSigmoid(n, x, ownsInput);
            case "Sigmoid" -> ownsInput ? torch.sigmoid_(x) : torch.sigmoid(x);
            case "GlobalAveragePool", "ReduceMean" -> torch.adaptive_avg_pool2d(x, 1, 1); // shape inference checked the axes
            case "MaxPool" -> maxPool(n, x, xShape);
            case "Expand" -> x.expand(g.shape(n.outputs().get(0)));
            case "Resize" -> resize(ResizeGeometry.of(n, xShape, g.constants()), x);
            case "Concat" -> {
                List<Tensor> parts = new ArrayList<>();
                for (String in : n.inputs()) {
                    parts.add(operand(in, g, values));
                }
                yield torch.cat(new TensorVector(parts.toArray(Tensor[]::new)), HostOps.normAxis(n.attrInt("axis", 0), xShape.length));
            }
            case "Cast" -> x.to(scalarType(ShapeInference.castTarget(n)));
            case "ArgMax" -> torch.argmax(x, new LongOptional(HostOps.normAxis(n.attrInt("axis", 0), xShape.length)),
                    n.attrInt("keepdims", 1) == 1);
            case "Identity" -> x;
            default -> throw new IllegalStateException("op " + n.op() + " passed the check at open but has no kernel");
        };
    }

    /** Whether {@code name} is an intermediate that nothing but this node reads, so the node may overwrite it. */
    private boolean owns(String name, ShapedGraph g, Map<String, Tensor> values, Map<String, Integer> uses) {
        return values.containsKey(name) && !name.equals(g.inputName()) && uses.getOrDefault(name, 0) == 1
                && !weights.containsKey(name);
    }

    /** ONNX HardSigmoid, max(0, min(1, alpha * x + beta)); libtorch's hardsigmoid is the alpha = 1/6, beta = 0.5 case. */
    private static Tensor hardSigmoid(Node n, Tensor x, boolean inPlace) {
        float alpha = n.attrFloat("alpha", 0.2f);
        float beta = n.attrFloat("beta", 0.5f);
        if (alpha == 1f / 6 && beta == 0.5f) {
            return inPlace ? torch.hardsigmoid_(x) : torch.hardsigmoid(x);
        }
        Tensor y = inPlace ? x : torch.mul(x, new Scalar(alpha));
        if (inPlace) {
            y.mul_(new Scalar(alpha));
        }
        y.add_(new Scalar(beta));
        torch.clamp_(y, new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(1.0)));
        return y;
    }

    /**
     * MaxPool with libtorch's max_pool2d. libtorch pads both sides alike and at most half a window; other pads are
     * applied explicitly with -inf (which never wins a maximum), except with ceil_mode, whose last-window rule
     * depends on where the padding is.
     */
    private static Tensor maxPool(Node n, Tensor x, long[] xShape) throws BackendException {
        PoolGeometry p = PoolGeometry.of(n, xShape);
        Tensor in = x;
        long[] pad = {p.padTop(), p.padLeft()};
        if (!p.symmetricPadding() || p.padTop() > p.kh() / 2 || p.padLeft() > p.kw() / 2) {
            if (p.ceilMode()) {
                throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": MaxPool with ceil_mode=1 and pads " + p
                        + " is not supported by the pytorch backend");
            }
            in = torch.constant_pad_nd(x, new long[] {p.padLeft(), p.padRight(), p.padTop(), p.padBottom()},
                    new Scalar(Double.NEGATIVE_INFINITY));
            pad = new long[] {0, 0};
        }
        return torch.max_pool2d(in, new long[] {p.kh(), p.kw()}, new long[] {p.strideH(), p.strideW()}, pad,
                new long[] {p.dilationH(), p.dilationW()}, p.ceilMode());
    }

    /** A computed value, a weight, or a constant folded from the input shape (made a tensor for this run). */
    private Tensor operand(String name, ShapedGraph g, Map<String, Tensor> values) throws BackendException {
        Tensor t = values.get(name);
        if (t == null) {
            t = weights.get(name);
        }
        if (t == null && g.isConstant(name)) {
            t = tensor(g.constant(name));
        }
        if (t == null) {
            throw new BackendException(Code.MODEL_INVALID, "value '" + name + "' is used before it is computed");
        }
        return t;
    }

    private Tensor conv(Node n, Tensor x, long[] xShape, ShapedGraph g, Map<String, Tensor> values) throws BackendException {
        ConvGeometry c = ConvGeometry.of(n, xShape, g.shape(n.input(1)));
        Tensor w = operand(n.input(1), g, values);
        TensorOptional bias = n.hasInput(2) ? new TensorOptional(operand(n.input(2), g, values)) : new TensorOptional();
        Tensor in = x;
        long[] pad = {c.padTop(), c.padLeft()};
        if (!c.symmetricPadding()) { // libtorch pads both sides alike; pad the extra explicitly (left, right, top, bottom)
            in = torch.constant_pad_nd(x, new long[] {c.padLeft(), c.padRight(), c.padTop(), c.padBottom()}, new Scalar(0.0));
            pad = new long[] {0, 0};
        }
        return torch.conv2d(in, w, bias, new long[] {c.strideH(), c.strideW()}, pad,
                new long[] {c.dilationH(), c.dilationW()}, c.group());
    }

    private static Tensor clip(Node n, Tensor x, ShapedGraph g, boolean inPlace) throws BackendException {
        Double min = bound(n, 1, "min", g);
        Double max = bound(n, 2, "max", g);
        ScalarOptional lo = min == null ? new ScalarOptional() : new ScalarOptional(new Scalar(min.doubleValue()));
        ScalarOptional hi = max == null ? new ScalarOptional() : new ScalarOptional(new Scalar(max.doubleValue()));
        return inPlace ? torch.clamp_(x, lo, hi) : torch.clamp(x, lo, hi);
    }

    /** Clip's bound: input {@code index} (opset 11+) or the attribute (older opsets); null when absent. */
    private static Double bound(Node n, int index, String attribute, ShapedGraph g) throws BackendException {
        if (n.hasInput(index)) {
            Constant c = g.constant(n.input(index));
            if (c == null) {
                throw new BackendException(Code.UNSUPPORTED_OP, n.describe() + ": a Clip " + attribute
                        + " computed from tensor data is not supported");
            }
            return c.scalar();
        }
        return n.attributes().containsKey(attribute) ? (double) n.attrFloat(attribute, 0) : null;
    }

    /**
     * Bilinear resize with ONNX's half_pixel mapping, which is libtorch's align_corners=false given the scale
     * (out/in). pytorch_half_pixel differs only where an output length is 1: it samples source index 0.
     */
    private static Tensor resize(ResizeGeometry r, Tensor x) {
        long[] in = r.inputShape();
        long[] out = r.outputShape();
        Tensor src = x;
        double scaleH = r.scaleH();
        double scaleW = r.scaleW();
        if (r.pytorchHalfPixel() && out[2] == 1) {
            src = src.narrow(2, 0, 1);
            scaleH = 1;
        }
        if (r.pytorchHalfPixel() && out[3] == 1) {
            src = src.narrow(3, 0, 1);
            scaleW = 1;
        }
        if (out[2] == in[2] && out[3] == in[3] && scaleH == 1 && scaleW == 1) {
            return src;
        }
        Tensor result = torch.empty(out, new TensorOptions(src.scalar_type()), new MemoryFormatOptional());
        return torch.upsample_bilinear2d_out(result, src, new long[] {out[2], out[3]}, false,
                new DoubleOptional(scaleH), new DoubleOptional(scaleW));
    }

    @Override
    public void close() {
        weights.values().forEach(Tensor::close);
        weights.clear();
    }
}
