package dev.segbench.onnx.graph;

import java.util.Arrays;

/**
 * Host evaluation of the small shape sub-graph (Shape/Slice/Gather/Concat/Unsqueeze/...), so that every runtime
 * tensor has a concrete shape before planning. Hand-written: these few ONNX index rules on tiny int64 vectors
 * are simpler to state here than to pull in an interpreter.
 */
public final class HostOps {

    private HostOps() {
    }

    public static int normAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return (int) a;
    }

    public static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /** numpy broadcasting of two shapes; null when they do not broadcast. */
    public static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            long db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    public static long broadcastElementCount(long[] shape) {
        return Constant.elementCount(shape);
    }

    /** Flat index into a tensor of {@code shape} for the output position {@code outIndex} of a broadcast. */
    public static long broadcastIndex(long outIndex, long[] outShape, long[] shape) {
        int off = outShape.length - shape.length;
        long idx = 0;
        long rem = outIndex;
        long[] outStrides = strides(outShape);
        long[] inStrides = strides(shape);
        for (int i = 0; i < outShape.length; i++) {
            long coord = rem / outStrides[i];
            rem %= outStrides[i];
            int j = i - off;
            if (j >= 0 && shape[j] != 1) {
                idx += coord * inStrides[j];
            }
        }
        return idx;
    }

    public static Constant elementwise(String op, Constant a, Constant b) {
        long[] shape = broadcast(a.shape(), b.shape());
        if (shape == null) {
            throw new IllegalArgumentException(op + " of " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape())
                    + " does not broadcast");
        }
        int n = (int) Constant.elementCount(shape);
        if (a.type().isFloat() || b.type().isFloat()) {
            float[] x = a.asFloats();
            float[] y = b.asFloats();
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                float p = x[(int) broadcastIndex(i, shape, a.shape())];
                float q = y[(int) broadcastIndex(i, shape, b.shape())];
                out[i] = switch (op) {
                    case "Add" -> p + q;
                    case "Sub" -> p - q;
                    case "Mul" -> p * q;
                    case "Div" -> p / q;
                    default -> throw new IllegalArgumentException(op);
                };
            }
            return Constant.ofFloats(a.type().isFloat() ? a.type() : b.type(), shape, out);
        }
        long[] x = a.asLongs();
        long[] y = b.asLongs();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long p = x[(int) broadcastIndex(i, shape, a.shape())];
            long q = y[(int) broadcastIndex(i, shape, b.shape())];
            out[i] = switch (op) {
                case "Add" -> p + q;
                case "Sub" -> p - q;
                case "Mul" -> p * q;
                case "Div" -> p / q; // truncates, as ONNX Runtime does
                default -> throw new IllegalArgumentException(op);
            };
        }
        return new Constant(a.type(), shape, null, out);
    }

    public static Constant gather(Constant data, Constant indices, long axisAttr) {
        long[] ds = data.shape();
        int axis = normAxis(axisAttr, ds.length);
        long[] idx = indices.asLongs();
        long[] is = indices.shape();
        long[] out = new long[ds.length - 1 + is.length];
        int k = 0;
        for (int i = 0; i < axis; i++) {
            out[k++] = ds[i];
        }
        for (long d : is) {
            out[k++] = d;
        }
        for (int i = axis + 1; i < ds.length; i++) {
            out[k++] = ds[i];
        }
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= ds[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < ds.length; i++) {
            inner *= ds[i];
        }
        int n = (int) Constant.elementCount(out);
        long[] lv = data.type().isFloat() ? null : data.asLongs();
        float[] fv = data.type().isFloat() ? data.asFloats() : null;
        long[] lo = lv == null ? null : new long[n];
        float[] fo = fv == null ? null : new float[n];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (long j : idx) {
                long jj = j < 0 ? j + ds[axis] : j;
                if (jj < 0 || jj >= ds[axis]) {
                    throw new IllegalArgumentException("Gather index " + j + " out of range " + ds[axis]);
                }
                for (long in = 0; in < inner; in++) {
                    int src = (int) ((o * ds[axis] + jj) * inner + in);
                    if (lo != null) {
                        lo[pos++] = lv[src];
                    } else {
                        fo[pos++] = fv[src];
                    }
                }
            }
        }
        return new Constant(data.type(), out, fo, lo);
    }

    /** Normalised ONNX Slice parameters per axis of the data tensor: start, step, count. */
    public record SliceSpec(long[] starts, long[] steps, long[] counts) {
    }

    public static SliceSpec sliceSpec(long[] shape, long[] starts, long[] ends, long[] axes, long[] steps) {
        int rank = shape.length;
        long[] st = new long[rank];
        long[] sp = new long[rank];
        long[] cnt = shape.clone();
        Arrays.fill(sp, 1);
        for (int i = 0; i < starts.length; i++) {
            int axis = normAxis(axes == null ? i : axes[i], rank);
            long step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw new IllegalArgumentException("Slice step 0");
            }
            long dim = shape[axis];
            long s = starts[i] < 0 ? starts[i] + dim : starts[i];
            long e = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (step > 0) {
                s = Math.clamp(s, 0, dim);
                e = Math.clamp(e, 0, dim);
                cnt[axis] = Math.max(0, (e - s + step - 1) / step);
            } else {
                s = Math.clamp(s, 0, dim - 1);
                e = Math.clamp(e, -1, dim - 1);
                cnt[axis] = Math.max(0, (s - e + (-step) - 1) / (-step));
            }
            st[axis] = s;
            sp[axis] = step;
        }
        return new SliceSpec(st, sp, cnt);
    }

    public static Constant slice(Constant data, SliceSpec spec) {
        long[] ds = data.shape();
        long[] inStrides = strides(ds);
        long[] outShape = spec.counts().clone();
        long[] outStrides = strides(outShape);
        int n = (int) Constant.elementCount(outShape);
        long[] lv = data.type().isFloat() ? null : data.asLongs();
        float[] fv = data.type().isFloat() ? data.asFloats() : null;
        long[] lo = lv == null ? null : new long[n];
        float[] fo = fv == null ? null : new float[n];
        for (int i = 0; i < n; i++) {
            long rem = i;
            long src = 0;
            for (int a = 0; a < ds.length; a++) {
                long c = rem / outStrides[a];
                rem %= outStrides[a];
                src += (spec.starts()[a] + c * spec.steps()[a]) * inStrides[a];
            }
            if (lo != null) {
                lo[i] = lv[(int) src];
            } else {
                fo[i] = fv[(int) src];
            }
        }
        return new Constant(data.type(), outShape, fo, lo);
    }

    public static Constant concat(Constant[] parts, long axisAttr) {
        long[] shape = parts[0].shape();
        int axis = normAxis(axisAttr, shape.length);
        long total = 0;
        for (Constant p : parts) {
            long[] ps = p.shape();
            if (ps.length != shape.length || p.type().isFloat() != parts[0].type().isFloat()) {
                throw new IllegalArgumentException("Concat inputs have different ranks or types: " + Arrays.toString(shape)
                        + " and " + Arrays.toString(ps));
            }
            for (int d = 0; d < ps.length; d++) {
                if (d != axis && ps[d] != shape[d]) {
                    throw new IllegalArgumentException("Concat inputs differ off axis " + axis + ": " + Arrays.toString(shape)
                            + " and " + Arrays.toString(ps));
                }
            }
            total += ps[axis];
        }
        long[] out = shape.clone();
        out[axis] = total;
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        boolean isFloat = parts[0].type().isFloat();
        int n = (int) Constant.elementCount(out);
        long[] lo = isFloat ? null : new long[n];
        float[] fo = isFloat ? new float[n] : null;
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (Constant p : parts) {
                long[] ps = p.shape();
                long chunk = 1;
                for (int i = axis; i < ps.length; i++) {
                    chunk *= ps[i];
                }
                long[] pl = isFloat ? null : p.asLongs();
                float[] pf = isFloat ? p.asFloats() : null;
                for (long k = 0; k < chunk; k++) {
                    int src = (int) (o * chunk + k);
                    if (isFloat) {
                        fo[pos++] = pf[src];
                    } else {
                        lo[pos++] = pl[src];
                    }
                }
            }
        }
        return new Constant(parts[0].type(), out, fo, lo);
    }

    public static long[] unsqueezeShape(long[] shape, long[] axes) {
        int rank = shape.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            inserted[normAxis(a, rank)] = true;
        }
        long[] out = new long[rank];
        int k = 0;
        for (int i = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : shape[k++];
        }
        return out;
    }

    public static long[] squeezeShape(long[] shape, long[] axes) {
        boolean[] drop = new boolean[shape.length];
        if (axes == null) {
            for (int i = 0; i < shape.length; i++) {
                drop[i] = shape[i] == 1;
            }
        } else {
            for (long a : axes) {
                drop[normAxis(a, shape.length)] = true;
            }
        }
        return java.util.stream.IntStream.range(0, shape.length).filter(i -> !drop[i]).mapToLong(i -> shape[i]).toArray();
    }

    /** ONNX Reshape target: 0 copies the input dim (allowzero = 0), -1 is inferred. */
    public static long[] reshapeShape(long[] in, long[] target) {
        long[] out = target.clone();
        long known = 1;
        int infer = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                out[i] = in[i];
            }
            if (out[i] == -1) {
                infer = i;
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            out[infer] = Constant.elementCount(in) / known;
        }
        return out;
    }

    /** Rounds to the nearest FP16 value (round-to-nearest-even), as a device cast would. */
    public static float toHalf(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }
}
