package dev.segbench.models;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shapes of every tensor of a graph at one input size, and the multiply-adds they imply (Conv, MatMul, Gemm). The
 * shape arithmetic that exporters emit (Shape, Gather, Concat, Slice, ...) is evaluated, so a Resize to a computed
 * size gets its size. Hand-written because no Java ONNX library infers shapes; it covers the ops of common
 * segmentation exports, and an op it does not know ends the inference, naming the op ({@link Result#unknownOp}).
 */
final class GraphShapes {

    /** A tensor's shape and, for small constant or shape-derived tensors, its values. */
    record Info(long[] shape, double[] values) {
        long dim(int i) {
            return shape[i < 0 ? shape.length + i : i];
        }
    }

    /** Every tensor's info that was inferred, the multiply-adds counted, and the op that stopped it (or null). */
    record Result(Map<String, Info> tensors, long multiplyAdds, String unknownOp) {
        long[] shape(String tensor) {
            Info i = tensors.get(tensor);
            return i == null ? null : i.shape();
        }
    }

    private static final java.util.Set<String> SAME_SHAPE = java.util.Set.of("Relu", "Sigmoid", "HardSigmoid",
            "HardSwish", "Clip", "Tanh", "LeakyRelu", "Elu", "Selu", "Softmax", "LogSoftmax", "Identity", "Dropout",
            "BatchNormalization", "Sqrt", "Erf", "Neg", "Exp", "Log", "Abs", "PRelu", "Gelu", "InstanceNormalization",
            "LayerNormalization", "Softplus", "Mish", "QuantizeLinear", "DequantizeLinear", "Floor", "Ceil", "Round",
            "Reciprocal", "Not");
    private static final java.util.Set<String> BROADCAST = java.util.Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max",
            "Min", "Equal", "Less", "Greater", "And", "Or", "Where", "Mod");

    private final Map<String, Info> tensors = new HashMap<>();
    private long macs;

    private GraphShapes() {
    }

    /** Infers shapes with {@code input} (the graph's data input) of shape {@code inputShape}. */
    static Result infer(GraphProto g, String input, long[] inputShape) {
        GraphShapes s = new GraphShapes();
        for (TensorProto t : g.getInitializerList()) {
            s.tensors.put(t.getName(), constant(t));
        }
        s.tensors.put(input, new Info(inputShape, null));
        for (NodeProto n : g.getNodeList()) {
            try {
                if (!s.node(n)) {
                    return new Result(Map.copyOf(s.tensors), s.macs, n.getOpType());
                }
            } catch (RuntimeException e) { // a shape the rules below cannot take (missing input, odd attribute)
                return new Result(Map.copyOf(s.tensors), s.macs, n.getOpType() + " (" + n.getName() + ")");
            }
        }
        return new Result(Map.copyOf(s.tensors), s.macs, null);
    }

    /** Number of elements of a float initializer tensor: what counts as parameters. */
    static long floatElements(GraphProto g) {
        long count = 0;
        for (TensorProto t : g.getInitializerList()) {
            if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE || t.getDataType() == TensorProto.DataType.FLOAT16_VALUE
                    || t.getDataType() == TensorProto.DataType.DOUBLE_VALUE) {
                count += t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
            }
        }
        return count;
    }

    private Info in(NodeProto n, int i) {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
            return null;
        }
        Info info = tensors.get(n.getInput(i));
        if (info == null) {
            throw new IllegalStateException("no shape for " + n.getInput(i));
        }
        return info;
    }

    private void out(NodeProto n, long[] shape, double[] values) {
        tensors.put(n.getOutput(0), new Info(shape, values));
    }

    private boolean node(NodeProto n) {
        String op = n.getOpType();
        if (SAME_SHAPE.contains(op)) {
            Info x = in(n, 0);
            out(n, x.shape(), op.equals("Identity") || op.equals("Floor") || op.equals("Ceil") ? x.values() : null);
            for (int o = 1; o < n.getOutputCount(); o++) { // Dropout's mask, BatchNormalization's training outputs
                tensors.put(n.getOutput(o), new Info(x.shape(), null));
            }
            return true;
        }
        if (BROADCAST.contains(op)) {
            long[] shape = in(n, 0).shape();
            for (int i = 1; i < n.getInputCount(); i++) {
                shape = broadcast(shape, in(n, i).shape());
            }
            out(n, shape, n.getInputCount() == 2 ? elementwise(op, in(n, 0), in(n, 1)) : null);
            return true;
        }
        switch (op) {
            case "Constant" -> {
                AttributeProto value = attribute(n, "value");
                if (value != null) {
                    tensors.put(n.getOutput(0), constant(value.getT()));
                } else if (attribute(n, "value_ints") != null) {
                    List<Long> v = attribute(n, "value_ints").getIntsList();
                    out(n, new long[] {v.size()}, v.stream().mapToDouble(Long::doubleValue).toArray());
                } else if (attribute(n, "value_int") != null) {
                    out(n, new long[0], new double[] {attribute(n, "value_int").getI()});
                } else if (attribute(n, "value_float") != null) {
                    out(n, new long[0], new double[] {attribute(n, "value_float").getF()});
                } else {
                    return false;
                }
            }
            case "Shape" -> {
                long[] shape = in(n, 0).shape();
                int rank = shape.length;
                int start = (int) clampAxis(intAttr(n, "start", 0), rank);
                int end = (int) clampAxis(intAttr(n, "end", rank), rank);
                double[] v = new double[Math.max(0, end - start)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = shape[start + i];
                }
                out(n, new long[] {v.length}, v);
            }
            case "Cast" -> out(n, in(n, 0).shape(), in(n, 0).values());
            case "Gather" -> {
                Info data = in(n, 0);
                Info idx = in(n, 1);
                int axis = (int) normAxis(intAttr(n, "axis", 0), data.shape().length);
                long[] shape = concat(Arrays.copyOfRange(data.shape(), 0, axis), idx.shape(),
                        Arrays.copyOfRange(data.shape(), axis + 1, data.shape().length));
                double[] values = null;
                if (data.values() != null && idx.values() != null && data.shape().length == 1) {
                    values = new double[idx.values().length];
                    for (int i = 0; i < values.length; i++) {
                        long k = (long) idx.values()[i];
                        values[i] = data.values()[(int) (k < 0 ? k + data.shape()[0] : k)];
                    }
                }
                out(n, shape, values);
            }
            case "Unsqueeze", "Squeeze" -> {
                Info x = in(n, 0);
                long[] axes = n.getInputCount() > 1 ? longs(in(n, 1)) : ints(n, "axes");
                long[] shape;
                if (op.equals("Unsqueeze")) {
                    int rank = x.shape().length + axes.length;
                    java.util.Set<Long> at = new java.util.HashSet<>();
                    for (long a : axes) {
                        at.add(normAxis(a, rank));
                    }
                    shape = new long[rank];
                    for (int i = 0, j = 0; i < rank; i++) {
                        shape[i] = at.contains((long) i) ? 1 : x.shape()[j++];
                    }
                } else {
                    java.util.Set<Long> at = new java.util.HashSet<>();
                    for (long a : axes == null ? new long[0] : axes) {
                        at.add(normAxis(a, x.shape().length));
                    }
                    shape = java.util.stream.IntStream.range(0, x.shape().length)
                            .filter(i -> at.isEmpty() ? x.shape()[i] != 1 : !at.contains((long) i))
                            .mapToLong(i -> x.shape()[i]).toArray();
                }
                out(n, shape, x.values());
            }
            case "Concat" -> {
                int rank = in(n, 0).shape().length;
                int axis = (int) normAxis(intAttr(n, "axis", 0), rank);
                long[] shape = in(n, 0).shape().clone();
                shape[axis] = 0;
                boolean known = rank == 1;
                List<Double> values = new java.util.ArrayList<>();
                for (int i = 0; i < n.getInputCount(); i++) {
                    Info x = in(n, i);
                    shape[axis] += x.shape()[axis];
                    if (x.values() == null) {
                        known = false;
                    } else {
                        Arrays.stream(x.values()).forEach(values::add);
                    }
                }
                out(n, shape, known ? values.stream().mapToDouble(Double::doubleValue).toArray() : null);
            }
            case "Slice" -> {
                Info x = in(n, 0);
                long[] starts = longs(in(n, 1));
                long[] ends = longs(in(n, 2));
                long[] axes = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? longs(in(n, 3)) : null;
                long[] steps = n.getInputCount() > 4 && !n.getInput(4).isEmpty() ? longs(in(n, 4)) : null;
                long[] shape = x.shape().clone();
                int first = -1;
                long step0 = 1;
                long start0 = 0;
                for (int i = 0; i < starts.length; i++) {
                    int axis = (int) normAxis(axes == null ? i : axes[i], shape.length);
                    long dim = x.shape()[axis];
                    long step = steps == null ? 1 : steps[i];
                    long s = clampIndex(starts[i], dim, step > 0 ? 0 : -1, step > 0 ? dim : dim - 1);
                    long e = clampIndex(ends[i], dim, step > 0 ? 0 : -1, step > 0 ? dim : dim - 1);
                    shape[axis] = Math.max(0, step > 0 ? (e - s + step - 1) / step : (s - e - step - 1) / -step);
                    if (axis == 0) {
                        first = 0;
                        step0 = step;
                        start0 = s;
                    }
                }
                double[] values = null;
                if (x.values() != null && x.shape().length == 1) {
                    values = new double[(int) shape[0]];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = x.values()[(int) (first < 0 ? i : start0 + i * step0)];
                    }
                }
                out(n, shape, values);
            }
            case "Reshape" -> {
                Info x = in(n, 0);
                long[] target = longs(in(n, 1)).clone();
                long total = product(x.shape());
                long known = 1;
                int infer = -1;
                for (int i = 0; i < target.length; i++) {
                    if (target[i] == 0) {
                        target[i] = x.shape()[i];
                    }
                    if (target[i] == -1) {
                        infer = i;
                    } else {
                        known *= target[i];
                    }
                }
                if (infer >= 0) {
                    target[infer] = total / known;
                }
                out(n, target, x.values());
            }
            case "Flatten" -> {
                long[] s = in(n, 0).shape();
                int axis = (int) normAxis(intAttr(n, "axis", 1), s.length);
                out(n, new long[] {product(Arrays.copyOfRange(s, 0, axis)), product(Arrays.copyOfRange(s, axis, s.length))}, null);
            }
            case "Transpose" -> {
                long[] s = in(n, 0).shape();
                long[] perm = ints(n, "perm");
                long[] shape = new long[s.length];
                for (int i = 0; i < s.length; i++) {
                    shape[i] = s[perm == null ? s.length - 1 - i : (int) perm[i]];
                }
                out(n, shape, null);
            }
            case "Conv", "MaxPool", "AveragePool" -> {
                long[] x = in(n, 0).shape();
                int spatial = x.length - 2;
                long[] kernel;
                long channels;
                if (op.equals("Conv")) {
                    long[] w = in(n, 1).shape();
                    kernel = Arrays.copyOfRange(w, 2, w.length);
                    channels = w[0];
                } else {
                    kernel = ints(n, "kernel_shape");
                    channels = x[1];
                }
                long[] strides = orOnes(ints(n, "strides"), spatial);
                long[] dilations = orOnes(ints(n, "dilations"), spatial);
                long[] pads = ints(n, "pads");
                String autoPad = stringAttr(n, "auto_pad", "NOTSET");
                boolean ceil = intAttr(n, "ceil_mode", 0) == 1;
                long[] shape = new long[x.length];
                shape[0] = x[0];
                shape[1] = channels;
                for (int i = 0; i < spatial; i++) {
                    long size = x[2 + i];
                    long k = dilations[i] * (kernel[i] - 1) + 1;
                    if (autoPad.startsWith("SAME")) {
                        shape[2 + i] = (size + strides[i] - 1) / strides[i];
                    } else {
                        long padded = size + (pads == null ? 0 : pads[i] + pads[i + spatial]) - k;
                        shape[2 + i] = (ceil ? Math.floorDiv(padded + strides[i] - 1, strides[i]) : Math.floorDiv(padded, strides[i])) + 1;
                    }
                }
                if (op.equals("Conv")) { // each output element: (Cin / group) x kernel multiply-adds
                    long[] w = in(n, 1).shape();
                    macs += product(Arrays.copyOfRange(w, 1, w.length)) * product(shape);
                }
                out(n, shape, null);
            }
            case "GlobalAveragePool", "GlobalMaxPool" -> {
                long[] shape = in(n, 0).shape().clone();
                for (int i = 2; i < shape.length; i++) {
                    shape[i] = 1;
                }
                out(n, shape, null);
            }
            case "ReduceMean", "ReduceMax", "ReduceSum", "ArgMax", "ArgMin" -> {
                long[] s = in(n, 0).shape();
                long[] axes = op.startsWith("Arg") ? new long[] {intAttr(n, "axis", 0)}
                        : n.getInputCount() > 1 ? longs(in(n, 1)) : ints(n, "axes");
                boolean keep = intAttr(n, "keepdims", 1) == 1;
                java.util.Set<Long> at = new java.util.HashSet<>();
                for (long a : axes == null ? java.util.stream.LongStream.range(0, s.length).toArray() : axes) {
                    at.add(normAxis(a, s.length));
                }
                out(n, java.util.stream.IntStream.range(0, s.length).filter(i -> keep || !at.contains((long) i))
                        .mapToLong(i -> at.contains((long) i) ? 1 : s[i]).toArray(), null);
            }
            case "Resize", "Upsample" -> {
                long[] x = in(n, 0).shape();
                Info sizes = op.equals("Resize") ? in(n, 3) : null;
                Info scales = op.equals("Resize") ? in(n, 2) : in(n, 1);
                long[] shape = new long[x.length];
                if (sizes != null && product(sizes.shape()) > 0) {
                    shape = longs(sizes);
                } else {
                    double[] f = scales.values();
                    for (int i = 0; i < x.length; i++) {
                        shape[i] = (long) Math.floor(x[i] * f[i]);
                    }
                }
                out(n, shape, null);
            }
            case "MatMul" -> {
                long[] a = in(n, 0).shape();
                long[] b = in(n, 1).shape();
                long[] batch = broadcast(Arrays.copyOfRange(a, 0, Math.max(0, a.length - 2)),
                        Arrays.copyOfRange(b, 0, Math.max(0, b.length - 2)));
                long[] shape = concat(batch, new long[] {a[a.length - 2], b[b.length - 1]});
                macs += product(shape) * a[a.length - 1];
                out(n, shape, null);
            }
            case "Gemm" -> {
                long[] a = in(n, 0).shape();
                long[] b = in(n, 1).shape();
                long m = intAttr(n, "transA", 0) == 1 ? a[1] : a[0];
                long k = intAttr(n, "transA", 0) == 1 ? a[0] : a[1];
                long cols = intAttr(n, "transB", 0) == 1 ? b[0] : b[1];
                macs += m * k * cols;
                out(n, new long[] {m, cols}, null);
            }
            case "OneHot" -> {
                long[] indices = in(n, 0).shape();
                int axis = (int) normAxis(intAttr(n, "axis", -1), indices.length + 1);
                out(n, concat(Arrays.copyOfRange(indices, 0, axis), new long[] {(long) in(n, 1).values()[0]},
                        Arrays.copyOfRange(indices, axis, indices.length)), null);
            }
            case "Expand" -> out(n, broadcast(in(n, 0).shape(), longs(in(n, 1))), null);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static double[] elementwise(String op, Info a, Info b) {
        if (a.values() == null || b.values() == null || a.values().length != b.values().length && b.values().length != 1
                && a.values().length != 1) {
            return null;
        }
        int len = Math.max(a.values().length, b.values().length);
        double[] v = new double[len];
        for (int i = 0; i < len; i++) {
            double x = a.values()[a.values().length == 1 ? 0 : i];
            double y = b.values()[b.values().length == 1 ? 0 : i];
            v[i] = switch (op) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                case "Div" -> x / y;
                default -> Double.NaN;
            };
        }
        return op.equals("Add") || op.equals("Sub") || op.equals("Mul") || op.equals("Div") ? v : null;
    }

    private static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] s = new long[rank];
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            s[i] = x == 1 ? y : x;
        }
        return s;
    }

    private static long[] longs(Info info) {
        if (info.values() == null) {
            throw new IllegalStateException("values not known");
        }
        return Arrays.stream(info.values()).mapToLong(d -> (long) d).toArray();
    }

    private static long product(long[] s) {
        long p = 1;
        for (long d : s) {
            p *= d;
        }
        return p;
    }

    private static long[] concat(long[]... parts) {
        return Arrays.stream(parts).flatMapToLong(Arrays::stream).toArray();
    }

    private static long[] orOnes(long[] v, int n) {
        if (v != null) {
            return v;
        }
        long[] ones = new long[n];
        Arrays.fill(ones, 1);
        return ones;
    }

    private static long normAxis(long axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    private static long clampAxis(long axis, int rank) {
        return Math.max(0, Math.min(rank, normAxis(axis, rank)));
    }

    private static long clampIndex(long index, long dim, long lo, long hi) {
        long i = index < 0 ? index + dim : index;
        return Math.max(lo, Math.min(hi, i));
    }

    static AttributeProto attribute(NodeProto n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst().orElse(null);
    }

    private static long intAttr(NodeProto n, String name, long fallback) {
        AttributeProto a = attribute(n, name);
        return a == null ? fallback : a.getI();
    }

    private static String stringAttr(NodeProto n, String name, String fallback) {
        AttributeProto a = attribute(n, name);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    private static long[] ints(NodeProto n, String name) {
        AttributeProto a = attribute(n, name);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A constant tensor's shape, and its values when it is small (shape arithmetic, Resize scales). */
    static Info constant(TensorProto t) {
        long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = product(shape);
        return new Info(shape, count <= 64 ? values(t, (int) count) : null);
    }

    private static double[] values(TensorProto t, int count) {
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = raw.remaining() > 0;
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = switch (t.getDataType()) {
                case TensorProto.DataType.FLOAT_VALUE -> hasRaw ? raw.getFloat(4 * i) : t.getFloatData(i);
                case TensorProto.DataType.DOUBLE_VALUE -> hasRaw ? raw.getDouble(8 * i) : t.getDoubleData(i);
                case TensorProto.DataType.INT64_VALUE -> hasRaw ? raw.getLong(8 * i) : t.getInt64Data(i);
                case TensorProto.DataType.INT32_VALUE -> hasRaw ? raw.getInt(4 * i) : t.getInt32Data(i);
                default -> Double.NaN;
            };
        }
        return v;
    }
}
