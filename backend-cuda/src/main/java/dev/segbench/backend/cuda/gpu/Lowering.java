package dev.segbench.backend.cuda.gpu;

import dev.segbench.onnx.graph.ConvGeometry;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.PoolGeometry;
import dev.segbench.onnx.graph.ResizeGeometry;
import dev.segbench.backend.cuda.plan.Activation;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.plan.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Lowers a {@link ExecutionPlan} to the exact device calls of one inference, with every address and argument resolved:
 * NVRTC kernel launches, cuDNN fused convolutions and device copies. Pure Java: the GPU executor replays the list
 * (eagerly or under CUDA graph capture) and tests replay it on an emulated device memory.
 */
public final class Lowering {

    /** One device call. */
    public sealed interface Launch {
    }

    /** An NVRTC kernel with its arguments ({@link KernelModule.Dev}, Long, Integer, Float). */
    public record Kernel(String name, int grid, int block, List<Object> args) implements Launch {
        public Kernel {
            args = List.copyOf(args);
        }
    }

    /** The activation cuDNN applies inside cudnnConvolutionBiasActivationForward. */
    public enum CudnnActivation { IDENTITY, RELU, CLIPPED_RELU }

    /**
     * {@code y = act(conv(x, w) + z + bias)}; {@code bias == 0} means no bias (the executor passes zeros),
     * {@code z == 0} means no residual (alpha2 = 0).
     */
    public record Conv(int step, List<String> nodes, ConvGeometry geometry, ElemType type, long x, long w, long bias, long z, long y,
                       CudnnActivation activation, double coef) implements Launch {
        public Conv {
            nodes = List.copyOf(nodes);
        }
    }

    /** cudaMemcpyAsync device to device. */
    public record Copy(long dst, long src, long bytes) implements Launch {
    }

    private final ExecutionPlan plan;
    private final ToLongFunction<String> address;
    private final boolean clippedRelu;
    private final List<Launch> out = new ArrayList<>();

    private Lowering(ExecutionPlan plan, ToLongFunction<String> address, boolean clippedRelu) {
        this.plan = plan;
        this.address = address;
        this.clippedRelu = clippedRelu;
    }

    /**
     * @param address     device address of a runtime tensor or constant, by name
     * @param clippedRelu pass ReLU6 to cuDNN as CLIPPED_RELU instead of RELU + clamp kernel (experimental)
     */
    public static List<Launch> lower(ExecutionPlan plan, ToLongFunction<String> address, boolean clippedRelu) {
        Lowering l = new Lowering(plan, address, clippedRelu);
        for (int i = 0; i < plan.steps().size(); i++) {
            l.step(i, plan.steps().get(i));
        }
        return List.copyOf(l.out);
    }

    /** Every NVRTC kernel this lowering can launch (checked against the compiled source in tests). */
    public static List<String> kernelNames() {
        List<String> names = new ArrayList<>();
        for (String t : List.of("f32", "f16")) {
            for (String k : List.of("clip", "add", "add_bcast", "mul", "mul_bcast", "hardsigmoid", "sigmoid", "maxpool",
                    "expand", "resize", "gap", "concat", "argmax")) {
                names.add(k + "_" + t);
            }
        }
        List<ElemType> types = List.of(ElemType.FLOAT32, ElemType.FLOAT16, ElemType.INT64, ElemType.UINT8);
        for (ElemType from : types) {
            for (ElemType to : types) {
                String name = castKernel(from, to);
                if (name != null && !name.equals("copy")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    static String suffix(ElemType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT16 -> "f16";
            case INT64 -> "i64";
            case UINT8 -> "u8";
            default -> null;
        };
    }

    /** The cast kernel for a type pair, "copy" for the same type, null when there is none. */
    public static String castKernel(ElemType from, ElemType to) {
        if (from == to) {
            return "copy";
        }
        String name = "cast_" + suffix(from) + "_" + suffix(to);
        return KernelModule.SIGNATURES.containsKey(name) ? name : null;
    }

    /** Left-pads a shape of rank <= 4 with 1s. */
    public static long[] pad4(long[] shape) {
        long[] out = {1, 1, 1, 1};
        System.arraycopy(shape, 0, out, 4 - shape.length, shape.length);
        return out;
    }

    /** Element strides of {@code in} (right-aligned to the 4-D {@code out4}), 0 where {@code in} is broadcast. */
    public static long[] broadcastStrides(long[] in, long[] out4) {
        long[] p = pad4(in);
        long[] strides = new long[4];
        long acc = 1;
        for (int d = 3; d >= 0; d--) {
            strides[d] = p[d] == 1 && out4[d] != 1 ? 0 : acc;
            acc *= p[d];
        }
        return strides;
    }

    private ElemType type(String name) {
        return plan.isConstant(name) ? plan.constant(name).type() : plan.slot(name).type();
    }

    private long[] shape(String name) {
        return plan.isConstant(name) ? plan.constant(name).shape() : plan.slot(name).shape();
    }

    private long count(String name) {
        return plan.isConstant(name) ? plan.constant(name).elementCount() : plan.slot(name).elementCount();
    }

    private KernelModule.Dev dev(String name) {
        return new KernelModule.Dev(address.applyAsLong(name));
    }

    private void kernel(String name, long work, Object... args) {
        out.add(new Kernel(name, KernelModule.gridFor(work), KernelModule.BLOCK, List.of(args)));
    }

    private void step(int index, Step step) {
        switch (step) {
            case Step.Conv c -> conv(index, c);
            case Step.Act a -> {
                long n = count(a.output());
                kernel("clip_" + suffix(type(a.output())), n, dev(a.input()), dev(a.output()), n, a.activation().min(),
                        a.activation().max());
            }
            case Step.Add a -> binary("add", a.a(), a.b(), a.output());
            case Step.Mul m -> binary("mul", m.a(), m.b(), m.output());
            case Step.HardSigmoid h -> {
                long n = count(h.output());
                kernel("hardsigmoid_" + suffix(type(h.output())), n, dev(h.input()), dev(h.output()), n, h.alpha(), h.beta());
            }
            case Step.Sigmoid g -> {
                long n = count(g.output());
                kernel("sigmoid_" + suffix(type(g.output())), n, dev(g.input()), dev(g.output()), n);
            }
            case Step.MaxPool m -> {
                PoolGeometry g = m.geometry();
                long planes = (long) g.n() * g.c();
                kernel("maxpool_" + suffix(type(m.output())), planes * g.outH() * g.outW(), dev(m.input()), dev(m.output()),
                        planes, g.h(), g.w(), g.outH(), g.outW(), g.kh(), g.kw(), g.strideH(), g.strideW(), g.padTop(),
                        g.padLeft(), g.dilationH(), g.dilationW());
            }
            case Step.Resize r -> {
                ResizeGeometry g = r.geometry();
                long[] in = g.inputShape();
                long[] o = g.outputShape();
                long planes = in[0] * in[1];
                kernel("resize_" + suffix(type(r.output())), planes * o[2] * o[3], dev(r.input()), dev(r.output()), planes,
                        (int) in[2], (int) in[3], (int) o[2], (int) o[3], (float) g.scaleH(), (float) g.scaleW(),
                        g.pytorchHalfPixel() ? 1 : 0);
            }
            case Step.GlobalAvgPool p -> {
                long[] s = shape(p.input());
                out.add(new Kernel("gap_" + suffix(type(p.output())), (int) (s[0] * s[1]), KernelModule.BLOCK,
                        List.of(dev(p.input()), dev(p.output()), s[2] * s[3])));
            }
            case Step.Expand e -> {
                long[] o4 = pad4(shape(e.output()));
                long[] st = broadcastStrides(shape(e.input()), o4);
                long n = count(e.output());
                kernel("expand_" + suffix(type(e.output())), n, dev(e.input()), dev(e.output()), n, (int) o4[1], (int) o4[2],
                        (int) o4[3], st[0], st[1], st[2], st[3]);
            }
            case Step.Concat c -> {
                long[] o = shape(c.output());
                long outer = 1;
                for (int d = 0; d < c.axis(); d++) {
                    outer *= o[d];
                }
                long outChunk = count(c.output()) / Math.max(1, outer);
                long offset = 0;
                for (String in : c.inputs()) {
                    long chunk = count(in) / Math.max(1, outer);
                    kernel("concat_" + suffix(type(c.output())), outer * chunk, dev(in), dev(c.output()), outer, chunk, outChunk, offset);
                    offset += chunk;
                }
            }
            case Step.Cast c -> {
                String name = castKernel(type(c.input()), c.to());
                if (name.equals("copy")) {
                    copy(c.input(), c.output());
                } else {
                    long n = count(c.output());
                    kernel(name, n, dev(c.input()), dev(c.output()), n);
                }
            }
            case Step.ArgMax a -> {
                long[] s = shape(a.input());
                long outer = 1;
                for (int d = 0; d < a.axis(); d++) {
                    outer *= s[d];
                }
                long inner = 1;
                for (int d = a.axis() + 1; d < s.length; d++) {
                    inner *= s[d];
                }
                kernel("argmax_" + suffix(type(a.input())), outer * inner, dev(a.input()), dev(a.output()), outer, (int) s[a.axis()], inner);
            }
            case Step.Copy c -> copy(c.input(), c.output());
        }
    }

    private void copy(String from, String to) {
        out.add(new Copy(address.applyAsLong(to), address.applyAsLong(from), plan.slot(to).bytes()));
    }

    /**
     * cudnnConvolutionBiasActivationForward documents RELU and IDENTITY only, so a Clip becomes RELU (min 0) or
     * IDENTITY, followed by one clamp kernel in place; with {@code clippedRelu}, ReLU6-style clips go to cuDNN.
     */
    private void conv(int index, Step.Conv c) {
        Activation a = c.activation();
        boolean clipped = clippedRelu && a.kind() == Activation.Kind.CLIP && a.min() == 0f && Float.isFinite(a.max());
        boolean relu = a.kind() == Activation.Kind.RELU || (a.kind() == Activation.Kind.CLIP && a.min() == 0f);
        CudnnActivation mode = clipped ? CudnnActivation.CLIPPED_RELU : relu ? CudnnActivation.RELU : CudnnActivation.IDENTITY;
        out.add(new Conv(index, c.nodes(), c.geometry(), type(c.input()), address.applyAsLong(c.input()),
                address.applyAsLong(c.weights()), c.bias() == null ? 0 : address.applyAsLong(c.bias()),
                c.residual() == null ? 0 : address.applyAsLong(c.residual()), address.applyAsLong(c.output()), mode,
                clipped ? a.max() : 0.0));
        if (a.kind() == Activation.Kind.CLIP && !clipped) {
            long n = count(c.output());
            kernel("clip_" + suffix(type(c.output())), n, dev(c.output()), dev(c.output()), n, a.min(), a.max());
        }
    }

    /** Add or Mul: the plain kernel where both operands have the output's shape, the broadcasting one otherwise. */
    private void binary(String op, String a, String b, String output) {
        long n = count(output);
        String t = suffix(type(output));
        long[] o = shape(output);
        if (Arrays.equals(shape(a), o) && Arrays.equals(shape(b), o)) {
            kernel(op + "_" + t, n, dev(a), dev(b), dev(output), n);
            return;
        }
        long[] o4 = pad4(o);
        long[] sa = broadcastStrides(shape(a), o4);
        long[] sb = broadcastStrides(shape(b), o4);
        kernel(op + "_bcast_" + t, n, dev(a), dev(b), dev(output), n, (int) o4[1], (int) o4[2], (int) o4[3],
                sa[0], sa[1], sa[2], sa[3], sb[0], sb[1], sb[2], sb[3]);
    }
}
