package dev.segbench.backend.cuda.ref;

import dev.segbench.onnx.graph.ConvGeometry;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.HostOps;
import dev.segbench.onnx.graph.PoolGeometry;
import dev.segbench.onnx.graph.ResizeGeometry;
import dev.segbench.backend.cuda.plan.Activation;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.plan.Step;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link ExecutionPlan} on the CPU with plain Java kernels, reading and writing every runtime tensor at its planned
 * offset in ONE shared arena. It exists to test the planner: a wrong fusion, a wrong shape or two live tensors
 * sharing memory changes the result. Dead tensors are overwritten with NaN as soon as their lifetime ends, so a
 * read past the planned lifetime shows up too. Correct, not fast.
 */
public final class ReferenceExecutor {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ExecutionPlan plan;
    private final MemorySegment arena;

    private ReferenceExecutor(ExecutionPlan plan, MemorySegment arena) {
        this.plan = plan;
        this.arena = arena;
    }

    /** Runs the plan on {@code input} (FP32 values of the graph input, any declared type) and returns every output. */
    public static Map<String, float[]> run(ExecutionPlan plan, float[] input) {
        try (Arena mem = Arena.ofConfined()) {
            MemorySegment seg = mem.allocate(Math.max(1, plan.arenaBytes()), 256);
            seg.fill((byte) 0xFF); // all-ones bytes read as NaN (FP32/FP16) or -1 (int): poison before first write
            ReferenceExecutor ex = new ReferenceExecutor(plan, seg);
            ex.write(plan.inputName(), input);
            List<Step> steps = plan.steps();
            for (int i = 0; i < steps.size(); i++) {
                ex.execute(steps.get(i));
                for (ExecutionPlan.TensorSlot t : plan.tensors().values()) {
                    if (t.lastStep() == i) {
                        ex.poison(t);
                    }
                }
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            for (String name : plan.outputNames()) {
                out.put(name, ex.read(name));
            }
            return out;
        }
    }

    private void poison(ExecutionPlan.TensorSlot t) {
        arena.asSlice(t.offset(), t.bytes()).fill((byte) 0xFF);
    }

    float[] read(String name) {
        if (plan.isConstant(name)) {
            return plan.constant(name).asFloats();
        }
        ExecutionPlan.TensorSlot t = plan.slot(name);
        int n = Math.toIntExact(t.elementCount());
        float[] v = new float[n];
        long base = t.offset();
        for (int i = 0; i < n; i++) {
            v[i] = switch (t.type()) {
                case FLOAT32 -> arena.get(F32, base + 4L * i);
                case FLOAT16 -> Float.float16ToFloat(arena.get(F16, base + 2L * i));
                case INT64 -> arena.get(I64, base + 8L * i);
                case UINT8 -> Byte.toUnsignedInt(arena.get(ValueLayout.JAVA_BYTE, base + i));
                default -> throw new IllegalStateException("no device storage for " + t.type());
            };
        }
        return v;
    }

    void write(String name, float[] v) {
        ExecutionPlan.TensorSlot t = plan.slot(name);
        if (v.length != t.elementCount()) {
            throw new IllegalStateException("writing " + v.length + " values into " + t);
        }
        long base = t.offset();
        for (int i = 0; i < v.length; i++) {
            switch (t.type()) {
                case FLOAT32 -> arena.set(F32, base + 4L * i, v[i]);
                case FLOAT16 -> arena.set(F16, base + 2L * i, Float.floatToFloat16(v[i]));
                case INT64 -> arena.set(I64, base + 8L * i, (long) v[i]);
                case UINT8 -> arena.set(ValueLayout.JAVA_BYTE, base + i, (byte) (int) v[i]);
                default -> throw new IllegalStateException("no device storage for " + t.type());
            }
        }
    }

    private long[] shape(String name) {
        return plan.isConstant(name) ? plan.constant(name).shape() : plan.slot(name).shape();
    }

    private void execute(Step step) {
        float[] out = switch (step) {
            case Step.Conv c -> conv(read(c.input()), c.geometry(), read(c.weights()),
                    c.bias() == null ? null : read(c.bias()), c.residual() == null ? null : read(c.residual()), c.activation());
            case Step.Act a -> activate(read(a.input()), a.activation());
            case Step.Add a -> add(read(a.a()), shape(a.a()), read(a.b()), shape(a.b()), shape(a.output()));
            case Step.Mul m -> mul(read(m.a()), shape(m.a()), read(m.b()), shape(m.b()), shape(m.output()));
            case Step.HardSigmoid h -> hardSigmoid(read(h.input()), h.alpha(), h.beta());
            case Step.Sigmoid g -> sigmoid(read(g.input()));
            case Step.MaxPool m -> maxPool(read(m.input()), m.geometry());
            case Step.Resize r -> resize(read(r.input()), r.geometry());
            case Step.GlobalAvgPool p -> globalAveragePool(read(p.input()), shape(p.input()));
            case Step.Expand e -> expand(read(e.input()), shape(e.input()), shape(e.output()));
            case Step.Concat c -> concat(c, shape(c.output()));
            case Step.Cast c -> cast(read(c.input()), plan.slot(c.input()).type(), c.to());
            case Step.ArgMax a -> argMax(read(a.input()), shape(a.input()), a.axis());
            case Step.Copy c -> read(c.input());
        };
        write(step.output(), out);
    }

    /** Direct convolution (groups, stride, dilation, pads) with bias, residual and activation; public for the GPU lowering emulator test. */
    public static float[] conv(float[] x, ConvGeometry g, float[] w, float[] bias, float[] z, Activation act) {
        int cinPerGroup = g.c() / g.group();
        int koutPerGroup = g.k() / g.group();
        float[] y = new float[g.n() * g.k() * g.outH() * g.outW()];
        for (int n = 0; n < g.n(); n++) {
            for (int k = 0; k < g.k(); k++) {
                int group = k / koutPerGroup;
                for (int oy = 0; oy < g.outH(); oy++) {
                    for (int ox = 0; ox < g.outW(); ox++) {
                        double acc = 0;
                        for (int ci = 0; ci < cinPerGroup; ci++) {
                            int c = group * cinPerGroup + ci;
                            int xBase = (n * g.c() + c) * g.h() * g.w();
                            int wBase = (k * cinPerGroup + ci) * g.kh() * g.kw();
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                                if (iy < 0 || iy >= g.h()) {
                                    continue;
                                }
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                                    if (ix >= 0 && ix < g.w()) {
                                        acc += (double) x[xBase + iy * g.w() + ix] * w[wBase + ky * g.kw() + kx];
                                    }
                                }
                            }
                        }
                        int o = ((n * g.k() + k) * g.outH() + oy) * g.outW() + ox;
                        if (bias != null) {
                            acc += bias[k];
                        }
                        if (z != null) {
                            acc += z[o];
                        }
                        y[o] = act.apply((float) acc);
                    }
                }
            }
        }
        return y;
    }

    static float[] activate(float[] x, Activation act) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = act.apply(x[i]);
        }
        return y;
    }

    static float[] add(float[] a, long[] as, float[] b, long[] bs, long[] outShape) {
        float[] y = new float[a.length == b.length && Arrays.equals(as, bs) ? a.length : (int) HostOps.broadcastElementCount(outShape)];
        for (int i = 0; i < y.length; i++) {
            y[i] = a[(int) HostOps.broadcastIndex(i, outShape, as)] + b[(int) HostOps.broadcastIndex(i, outShape, bs)];
        }
        return y;
    }

    static float[] mul(float[] a, long[] as, float[] b, long[] bs, long[] outShape) {
        float[] y = new float[(int) HostOps.broadcastElementCount(outShape)];
        for (int i = 0; i < y.length; i++) {
            y[i] = a[(int) HostOps.broadcastIndex(i, outShape, as)] * b[(int) HostOps.broadcastIndex(i, outShape, bs)];
        }
        return y;
    }

    static float[] hardSigmoid(float[] x, float alpha, float beta) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.clamp(alpha * x[i] + beta, 0f, 1f);
        }
        return y;
    }

    static float[] sigmoid(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) (1 / (1 + Math.exp(-x[i])));
        }
        return y;
    }

    static float[] maxPool(float[] x, PoolGeometry g) {
        float[] y = new float[g.n() * g.c() * g.outH() * g.outW()];
        for (int p = 0; p < g.n() * g.c(); p++) {
            for (int oy = 0; oy < g.outH(); oy++) {
                for (int ox = 0; ox < g.outW(); ox++) {
                    y[(p * g.outH() + oy) * g.outW() + ox] = g.windowMax(x, p * g.h() * g.w(), oy, ox);
                }
            }
        }
        return y;
    }

    static float[] expand(float[] x, long[] xs, long[] outShape) {
        float[] y = new float[(int) HostOps.broadcastElementCount(outShape)];
        for (int i = 0; i < y.length; i++) {
            y[i] = x[(int) HostOps.broadcastIndex(i, outShape, xs)];
        }
        return y;
    }

    /** ONNX Resize, mode linear: clamp the source coordinate to the input, interpolate between neighbours. */
    static float[] resize(float[] x, ResizeGeometry g) {
        long[] in = g.inputShape();
        long[] out = g.outputShape();
        int planes = (int) (in[0] * in[1]);
        int ih = (int) in[2];
        int iw = (int) in[3];
        int oh = (int) out[2];
        int ow = (int) out[3];
        float[] y = new float[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                double sy = Math.clamp(ResizeGeometry.sourceCoordinate(oy, g.scaleH(), oh, g.pytorchHalfPixel()), 0, ih - 1);
                int y0 = (int) sy;
                int y1 = Math.min(y0 + 1, ih - 1);
                double fy = sy - y0;
                for (int ox = 0; ox < ow; ox++) {
                    double sx = Math.clamp(ResizeGeometry.sourceCoordinate(ox, g.scaleW(), ow, g.pytorchHalfPixel()), 0, iw - 1);
                    int x0 = (int) sx;
                    int x1 = Math.min(x0 + 1, iw - 1);
                    double fx = sx - x0;
                    int base = p * ih * iw;
                    double top = x[base + y0 * iw + x0] * (1 - fx) + x[base + y0 * iw + x1] * fx;
                    double bottom = x[base + y1 * iw + x0] * (1 - fx) + x[base + y1 * iw + x1] * fx;
                    y[(p * oh + oy) * ow + ox] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
        return y;
    }

    static float[] globalAveragePool(float[] x, long[] s) {
        int planes = (int) (s[0] * s[1]);
        int hw = (int) (s[2] * s[3]);
        float[] y = new float[planes];
        for (int p = 0; p < planes; p++) {
            double acc = 0;
            for (int i = 0; i < hw; i++) {
                acc += x[p * hw + i];
            }
            y[p] = (float) (acc / hw);
        }
        return y;
    }

    private float[] concat(Step.Concat c, long[] outShape) {
        int axis = c.axis();
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= outShape[i];
        }
        long outChunk = 1;
        for (int i = axis; i < outShape.length; i++) {
            outChunk *= outShape[i];
        }
        float[] y = new float[(int) (outer * outChunk)];
        long offset = 0;
        for (String in : c.inputs()) {
            float[] x = read(in);
            long[] s = shape(in);
            long chunk = 1;
            for (int i = axis; i < s.length; i++) {
                chunk *= s[i];
            }
            for (long o = 0; o < outer; o++) {
                System.arraycopy(x, (int) (o * chunk), y, (int) (o * outChunk + offset), (int) chunk);
            }
            offset += chunk;
        }
        return y;
    }

    static float[] cast(float[] x, ElemType from, ElemType to) {
        float[] y = x.clone();
        if (from.isFloat() && !to.isFloat()) {
            for (int i = 0; i < y.length; i++) {
                y[i] = (long) y[i]; // truncation toward zero, as ONNX Cast float -> int
            }
        }
        return y;
    }

    static float[] argMax(float[] x, long[] s, int axis) {
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= s[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < s.length; i++) {
            inner *= s[i];
        }
        int len = (int) s[axis];
        float[] y = new float[(int) (outer * inner)];
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                int best = 0;
                float bestValue = x[(int) (o * len * inner + in)];
                for (int j = 1; j < len; j++) {
                    float v = x[(int) ((o * len + j) * inner + in)];
                    if (v > bestValue) {
                        bestValue = v;
                        best = j;
                    }
                }
                y[(int) (o * inner + in)] = best;
            }
        }
        return y;
    }
}
