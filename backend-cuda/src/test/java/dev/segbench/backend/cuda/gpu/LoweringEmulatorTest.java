package dev.segbench.backend.cuda.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_NOT_SUPPORTED;

import dev.segbench.onnx.graph.TestGraphs;

import dev.segbench.api.ModelArtifact;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.Precision;
import dev.segbench.api.WeightsSpec;
import dev.segbench.onnx.graph.ElemType;
import dev.segbench.onnx.graph.OnnxImporter;
import dev.segbench.onnx.graph.ShapeInference;
import dev.segbench.backend.cuda.plan.ExecutionPlan;
import dev.segbench.backend.cuda.plan.ExecutionPlanner;
import dev.segbench.backend.cuda.ref.ReferenceExecutor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replays the GPU lowering (every kernel launch with its resolved arguments, every cuDNN call, every copy) on an
 * emulated device memory with Java versions of the kernels in kernels.cu, and compares with ONNX Runtime. This checks
 * the argument and address computation of the GPU path without a GPU; it does not check the CUDA code or cuDNN.
 */
class LoweringEmulatorTest {

    private static ElemType typeOf(String suffix) {
        return switch (suffix) {
            case "f32" -> ElemType.FLOAT32;
            case "f16" -> ElemType.FLOAT16;
            case "i64" -> ElemType.INT64;
            case "u8" -> ElemType.UINT8;
            default -> throw new IllegalArgumentException(suffix);
        };
    }

    private static long bidx(long i, int d1, int d2, int d3, long s0, long s1, long s2, long s3) {
        long c3 = i % d3;
        i /= d3;
        long c2 = i % d2;
        i /= d2;
        long c1 = i % d1;
        long c0 = i / d1;
        return c0 * s0 + c1 * s1 + c2 * s2 + c3 * s3;
    }

    private static float srcCoord(int o, float scale, int outLen, int inLen, int pytorch) {
        float s = (pytorch != 0 && outLen == 1) ? 0f : ((o + 0.5f) / scale - 0.5f);
        return Math.min(Math.max(s, 0f), (float) (inLen - 1));
    }

    /** Java versions of the kernels in kernels.cu, one element at a time. */
    private static void kernel(EmulatedDevice d, Lowering.Kernel k) {
        assertEquals(KernelModule.SIGNATURES.get(k.name()), KernelModule.kinds(k.args().toArray()), k.name() + " arguments");
        List<Object> a = k.args();
        String name = k.name();
        if (name.startsWith("cast_")) {
            String[] p = name.split("_");
            ElemType from = typeOf(p[1]);
            ElemType to = typeOf(p[2]);
            long n = (Long) a.get(2);
            for (long i = 0; i < n; i++) {
                float v = d.ld(from, addr(a, 0), i);
                d.st(to, addr(a, 1), i, to.isFloat() ? v : (float) (long) v);
            }
            return;
        }
        ElemType t = typeOf(name.substring(name.lastIndexOf('_') + 1));
        String op = name.substring(0, name.lastIndexOf('_'));
        switch (op) {
            case "clip" -> {
                float lo = (Float) a.get(3);
                float hi = (Float) a.get(4);
                for (long i = 0; i < (Long) a.get(2); i++) {
                    float v = d.ld(t, addr(a, 0), i);
                    d.st(t, addr(a, 1), i, v < lo ? lo : (v > hi ? hi : v));
                }
            }
            case "add" -> {
                for (long i = 0; i < (Long) a.get(3); i++) {
                    d.st(t, addr(a, 2), i, d.ld(t, addr(a, 0), i) + d.ld(t, addr(a, 1), i));
                }
            }
            case "mul" -> {
                for (long i = 0; i < (Long) a.get(3); i++) {
                    d.st(t, addr(a, 2), i, d.ld(t, addr(a, 0), i) * d.ld(t, addr(a, 1), i));
                }
            }
            case "add_bcast", "mul_bcast" -> {
                int d1 = (Integer) a.get(4);
                int d2 = (Integer) a.get(5);
                int d3 = (Integer) a.get(6);
                for (long i = 0; i < (Long) a.get(3); i++) {
                    long ia = bidx(i, d1, d2, d3, (Long) a.get(7), (Long) a.get(8), (Long) a.get(9), (Long) a.get(10));
                    long ib = bidx(i, d1, d2, d3, (Long) a.get(11), (Long) a.get(12), (Long) a.get(13), (Long) a.get(14));
                    float p = d.ld(t, addr(a, 0), ia);
                    float q = d.ld(t, addr(a, 1), ib);
                    d.st(t, addr(a, 2), i, op.equals("add_bcast") ? p + q : p * q);
                }
            }
            case "hardsigmoid" -> {
                float alpha = (Float) a.get(3);
                float beta = (Float) a.get(4);
                for (long i = 0; i < (Long) a.get(2); i++) {
                    float v = alpha * d.ld(t, addr(a, 0), i) + beta;
                    d.st(t, addr(a, 1), i, v < 0f ? 0f : (v > 1f ? 1f : v));
                }
            }
            case "sigmoid" -> {
                for (long i = 0; i < (Long) a.get(2); i++) {
                    d.st(t, addr(a, 1), i, 1f / (1f + (float) Math.exp(-d.ld(t, addr(a, 0), i))));
                }
            }
            case "maxpool" -> {
                long planes = (Long) a.get(2);
                int[] v = new int[12]; // ih, iw, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw
                for (int j = 0; j < 12; j++) {
                    v[j] = (Integer) a.get(3 + j);
                }
                for (long i = 0; i < planes * v[2] * v[3]; i++) {
                    int ox = (int) (i % v[3]);
                    int oy = (int) ((i / v[3]) % v[2]);
                    long base = i / ((long) v[3] * v[2]) * v[0] * v[1];
                    float best = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < v[4]; ky++) {
                        int iy = oy * v[6] - v[8] + ky * v[10];
                        for (int kx = 0; kx < v[5] && iy >= 0 && iy < v[0]; kx++) {
                            int ix = ox * v[7] - v[9] + kx * v[11];
                            if (ix >= 0 && ix < v[1]) {
                                float x = d.ld(t, addr(a, 0), base + (long) iy * v[1] + ix);
                                best = x > best || Float.isNaN(x) ? x : best;
                            }
                        }
                    }
                    d.st(t, addr(a, 1), i, best);
                }
            }
            case "expand" -> {
                for (long i = 0; i < (Long) a.get(2); i++) {
                    long ix = bidx(i, (Integer) a.get(3), (Integer) a.get(4), (Integer) a.get(5), (Long) a.get(6), (Long) a.get(7),
                            (Long) a.get(8), (Long) a.get(9));
                    d.st(t, addr(a, 1), i, d.ld(t, addr(a, 0), ix));
                }
            }
            case "resize" -> {
                long planes = (Long) a.get(2);
                int ih = (Integer) a.get(3);
                int iw = (Integer) a.get(4);
                int oh = (Integer) a.get(5);
                int ow = (Integer) a.get(6);
                float scaleH = (Float) a.get(7);
                float scaleW = (Float) a.get(8);
                int pytorch = (Integer) a.get(9);
                for (long i = 0; i < planes * oh * ow; i++) {
                    int ox = (int) (i % ow);
                    int oy = (int) ((i / ow) % oh);
                    long p = i / ((long) ow * oh);
                    float sy = srcCoord(oy, scaleH, oh, ih, pytorch);
                    float sx = srcCoord(ox, scaleW, ow, iw, pytorch);
                    int y0 = (int) sy;
                    int x0 = (int) sx;
                    int y1 = Math.min(y0 + 1, ih - 1);
                    int x1 = Math.min(x0 + 1, iw - 1);
                    float fy = sy - y0;
                    float fx = sx - x0;
                    long base = p * ih * iw;
                    float top = d.ld(t, addr(a, 0), base + (long) y0 * iw + x0) * (1f - fx) + d.ld(t, addr(a, 0), base + (long) y0 * iw + x1) * fx;
                    float bottom = d.ld(t, addr(a, 0), base + (long) y1 * iw + x0) * (1f - fx) + d.ld(t, addr(a, 0), base + (long) y1 * iw + x1) * fx;
                    d.st(t, addr(a, 1), i, top * (1f - fy) + bottom * fy);
                }
            }
            case "gap" -> {
                long hw = (Long) a.get(2);
                for (long plane = 0; plane < k.grid(); plane++) {
                    float acc = 0f;
                    for (long i = 0; i < hw; i++) {
                        acc += d.ld(t, addr(a, 0), plane * hw + i);
                    }
                    d.st(t, addr(a, 1), plane, acc / hw);
                }
            }
            case "concat" -> {
                long outer = (Long) a.get(2);
                long chunk = (Long) a.get(3);
                long outChunk = (Long) a.get(4);
                long offset = (Long) a.get(5);
                for (long i = 0; i < outer * chunk; i++) {
                    d.st(t, addr(a, 1), (i / chunk) * outChunk + offset + i % chunk, d.ld(t, addr(a, 0), i));
                }
            }
            case "argmax" -> {
                long outer = (Long) a.get(2);
                int len = (Integer) a.get(3);
                long inner = (Long) a.get(4);
                for (long i = 0; i < outer * inner; i++) {
                    long o = i / inner;
                    long in = i % inner;
                    float best = d.ld(t, addr(a, 0), o * len * inner + in);
                    int arg = 0;
                    for (int j = 1; j < len; j++) {
                        float v = d.ld(t, addr(a, 0), (o * len + j) * inner + in);
                        if (v > best) {
                            best = v;
                            arg = j;
                        }
                    }
                    d.st(ElemType.INT64, addr(a, 1), i, arg);
                }
            }
            default -> throw new AssertionError("no emulation for " + name);
        }
    }

    private static long addr(List<Object> args, int index) {
        return ((KernelModule.Dev) args.get(index)).address();
    }

    /**
     * Replays the whole lowering on emulated memory: kernels with their Java versions, each convolution through the
     * production {@link ConvCall} (descriptors, algorithm choice, fused or unfused calls) on a {@link FakeCudnn} that
     * computes from what the descriptors say.
     *
     * @param refuseFused make cuDNN refuse every fused call, so every convolution runs the unfused sequence
     */
    static float[] emulate(ExecutionPlan plan, float[] input, boolean clippedRelu, String output, boolean refuseFused) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            EmulatedDevice d = new EmulatedDevice(arena, plan);
            FakeCudnn cudnn = new FakeCudnn(d);
            if (refuseFused) {
                cudnn.fusedStatus = algo -> CUDNN_STATUS_NOT_SUPPORTED;
            }
            List<Lowering.Launch> launches = Lowering.lower(plan, name -> d.address(plan, name), clippedRelu);
            long[] workspace = {0, 0};
            ConvCall.Workspace reserve = bytes -> {
                if (bytes > workspace[1]) {
                    workspace[0] = d.allocateZeroed(bytes);
                    workspace[1] = bytes;
                }
                return workspace[0];
            };
            Map<Integer, ConvCall> convs = new HashMap<>();
            Map<ConvCall.Key, ConvCall.Choice> choices = new HashMap<>();
            ConvCall.Options options = new ConvCall.Options(true, false, 256L << 20);
            for (int i = 0; i < launches.size(); i++) {
                if (launches.get(i) instanceof Lowering.Conv c) {
                    convs.put(i, ConvCall.prepare(cudnn, c, options, choices, reserve, d::allocateZeroed));
                }
            }
            // the input goes in after the choices were made: their trial runs write into the arena, as on the device
            ExecutionPlan.TensorSlot in = plan.slot(plan.inputName());
            for (int i = 0; i < input.length; i++) {
                d.st(in.type(), d.address(plan, in.name()), i, input[i]);
            }
            long calls = 0;
            for (int i = 0; i < launches.size(); i++) {
                switch (launches.get(i)) {
                    case Lowering.Kernel k -> kernel(d, k);
                    case Lowering.Conv c -> convs.get(i).enqueue(cudnn, workspace[0], workspace[1]);
                    case Lowering.Copy c -> MemorySegment.copy(d.memory, c.src() - EmulatedDevice.BASE, d.memory,
                            c.dst() - EmulatedDevice.BASE, c.bytes());
                }
                calls += launches.get(i) instanceof Lowering.Conv ? convs.get(i).launches() : 1;
            }
            if (!clippedRelu && !refuseFused) {
                assertEquals(plan.launches(), launches.size(), "the planner's launch count is what the GPU enqueues");
                assertEquals(launches.size(), calls);
            }
            if (refuseFused) {
                assertTrue(convs.values().stream().allMatch(c -> c.choice().mode() == ConvCall.Mode.UNFUSED));
                assertTrue(calls > launches.size(), "unfused convolutions take more calls");
            }
            convs.values().forEach(ConvCall::close);
            assertTrue(cudnn.live.isEmpty(), "every descriptor destroyed: " + cudnn.live);
            assertTrue(cudnn.problems.isEmpty(), cudnn.problems.toString());
            ExecutionPlan.TensorSlot out = plan.slot(output);
            return d.read(out.type(), d.address(plan, output), out.elementCount());
        }
    }

    private static ExecutionPlan plan(byte[] onnx, long... shape) throws Exception {
        return ExecutionPlanner.plan(ShapeInference.infer(OnnxImporter.parse(onnx), shape), true);
    }

    private static float[] random(long seed, long... shape) {
        Random r = new Random(seed);
        float[] v = new float[(int) dev.segbench.api.HostTensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @ParameterizedTest
    @CsvSource({"mobile,false,false", "mobile,true,false", "decoder,false,false", "decoder,true,false", "labels,false,false",
            "half,false,false", "half,true,false", "mobile,false,true", "decoder,false,true", "labels,false,true",
            "half,false,true", "head,false,false", "head,false,true", "pools,false,false"})
    void loweredCallsReproduceTheReferenceExecutor(String graph, boolean clippedRelu, boolean refuseFused) throws Exception {
        byte[] onnx = switch (graph) {
            case "mobile" -> TestGraphs.mobileBlock(1);
            case "decoder" -> TestGraphs.decoder(2);
            case "labels" -> TestGraphs.labels(3);
            case "head" -> TestGraphs.segmentationHead(5);
            case "pools" -> TestGraphs.maxPools();
            default -> TestGraphs.halfPrecision(4);
        };
        String output = graph.equals("labels") ? "labels" : "logits";
        long[] shape = {2, 3, 13, 18};
        ExecutionPlan p = plan(onnx, shape);
        float[] input = random(3, shape);
        float[] expected = ReferenceExecutor.run(p, input).get(output);
        float[] actual = emulate(p, input, clippedRelu, output, refuseFused);
        assertEquals(expected.length, actual.length);
        double maxDiff = 0;
        double maxRef = 1e-12;
        for (int i = 0; i < actual.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        double tolerance = graph.equals("half") ? 1e-2 : graph.equals("labels") ? 0 : 1e-5;
        assertTrue(maxDiff / maxRef <= tolerance, graph + (refuseFused ? " unfused" : "")
                + ": lowered calls differ from the reference by " + maxDiff / maxRef);
    }

    /** torchvision's LR-ASPP export: hardswish, gates, the two-convolution Add and both Resizes, lowered and emulated. */
    @org.junit.jupiter.api.Test
    void torchvisionLrasppLowersCorrectly() throws Exception {
        byte[] onnx = java.nio.file.Files.readAllBytes(dev.segbench.testfixtures.TorchvisionModels.onnx(
                dev.segbench.testfixtures.TorchvisionModels.LRASPP));
        long[] shape = {1, 3, 64, 96};
        ExecutionPlan p = plan(onnx, shape);
        float[] input = random(8, shape);
        float[] expected = ReferenceExecutor.run(p, input).get("logits");
        float[] actual = emulate(p, input, false, "logits", false);
        double maxDiff = 0;
        double maxRef = 1e-12;
        for (int i = 0; i < actual.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        assertTrue(maxDiff / maxRef <= 1e-4, "relative difference " + maxDiff / maxRef);
    }

    @ParameterizedTest
    @CsvSource({"arch0,FP32,false", "arch2,FP16,true"})
    void nasSegmGraphsLowerCorrectly(String id, Precision precision, boolean labelsOut) throws Exception {
        var catalog = ServiceLoader.load(ModelCatalog.class).stream().map(ServiceLoader.Provider::get)
                .filter(c -> c.name().equals("nas-segm")).findFirst();
        assumeTrue(catalog.isPresent(), "the models jar with the nas-segm catalogue is not installed: GPU lowering of NAS-segm not emulated");
        ModelArtifact art = catalog.get().load(id, WeightsSpec.seeded(5)).artifact(precision, labelsOut);
        long[] shape = {1, 3, 48, 40};
        ExecutionPlan p = plan(art.onnx(), shape);
        float[] input = random(6, shape);
        float[] expected = ReferenceExecutor.run(p, input).get(art.outputName());
        float[] actual = emulate(p, input, false, art.outputName(), false);
        int differing = 0;
        double maxDiff = 0;
        double maxRef = 1e-12;
        for (int i = 0; i < actual.length; i++) {
            differing += actual[i] != expected[i] ? 1 : 0;
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        if (labelsOut) {
            assertTrue(differing <= actual.length / 100, differing + " of " + actual.length + " labels differ");
        } else {
            assertTrue(maxDiff / maxRef <= 1e-4, "relative difference " + maxDiff / maxRef);
        }
    }
}
