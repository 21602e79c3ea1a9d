package dev.segbench.backend.cuda;

import dev.segbench.api.Availability;
import dev.segbench.api.BackendException;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsInfo;
import dev.segbench.backend.cuda.graph.OnnxImporter;
import dev.segbench.backend.cuda.graph.ShapeInference;
import dev.segbench.backend.cuda.gpu.GpuSettings;
import dev.segbench.backend.cuda.plan.Plan;
import dev.segbench.backend.cuda.plan.Planner;
import dev.segbench.backend.cuda.ref.ReferenceExecutor;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * GPU acceptance check for the cuda backend (run by {@code backend-cuda/gpu-check.sh} on a GPU machine; it needs no
 * models jar, only exported ONNX files named {@code MODEL-fp32.onnx} / {@code MODEL-fp16.onnx}):
 * <ol>
 *   <li>FP32 logits of the GPU session vs this module's CPU reference executor on the same plan (small input);</li>
 *   <li>FP16 session vs FP32 session: relative error and per-pixel argmax agreement;</li>
 *   <li>a latency/throughput table for each batch size (host wall time and CUDA-event device times).</li>
 * </ol>
 * Usage: {@code GpuCheck [--check-size 64x64] [--size 512x512] [--batches 1,32] [--iters 30] FILE.onnx...}.
 * Exit status 0 when every check passes, 1 when one fails, 2 when the backend is unavailable.
 */
public final class GpuCheck {

    private GpuCheck() {
    }

    public static void main(String[] args) throws Exception {
        int[] checkSize = {64, 64};
        int[] size = {512, 512};
        List<Integer> batches = List.of(1, 32);
        int iters = 30;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--check-size" -> checkSize = hw(args[++i]);
                case "--size" -> size = hw(args[++i]);
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                default -> files.add(Path.of(args[i]));
            }
        }
        CudaBackend backend = new CudaBackend();
        Availability a = backend.availability();
        System.out.println("cuda backend: " + (a.available() ? "available, " + a.version() + ", " + a.devices() : "UNAVAILABLE: " + a.reason()));
        if (!a.available()) {
            System.exit(2);
        }
        Map<String, Map<Precision, ModelArtifact>> models = new TreeMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString().replace(".onnx", "");
            int dash = name.lastIndexOf("-fp");
            Precision p = Precision.parse(name.substring(dash + 1));
            String id = name.substring(0, dash);
            models.computeIfAbsent(id, k -> new HashMap<>()).put(p, new ModelArtifact(id, p, false, Files.readAllBytes(f),
                    "n/a", WeightsInfo.seeded(0)));
        }
        boolean ok = true;
        List<String> table = new ArrayList<>();
        table.add(String.format(Locale.ROOT, "%-8s %-5s %5s %10s %10s %8s %8s %10s %9s %s", "model", "prec", "batch", "wall p50",
                "compute", "h2d", "d2h", "img/s", "launches", "cuda graph"));
        for (var e : models.entrySet()) {
            ModelArtifact fp32 = e.getValue().get(Precision.FP32);
            ModelArtifact fp16 = e.getValue().get(Precision.FP16);
            if (fp32 == null) {
                System.out.println(e.getKey() + ": no FP32 graph given, skipped");
                continue;
            }
            ok &= check(e.getKey(), fp32, fp16, checkSize);
            for (ModelArtifact art : fp16 == null ? List.of(fp32) : List.of(fp32, fp16)) {
                for (int batch : batches) {
                    table.add(time(art, batch, size, iters));
                }
            }
        }
        System.out.println("\nlatency at " + size[0] + "x" + size[1] + " (" + iters + " timed runs after 5 warm-up; ms):");
        table.forEach(System.out::println);
        System.out.println(ok ? "\nGPU CHECK PASSED" : "\nGPU CHECK FAILED");
        System.exit(ok ? 0 : 1);
    }

    private static int[] hw(String text) {
        String[] p = text.toLowerCase(Locale.ROOT).split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
    }

    private static CudaSession open(ModelArtifact art) throws BackendException {
        return open(art, Map.of());
    }

    private static CudaSession open(ModelArtifact art, Map<String, String> properties) throws BackendException {
        return CudaSession.open(art, GpuSettings.from(new SessionOptions(art.precision(), 0, SessionOptions.ShapeProfile.DEFAULT,
                null, properties)));
    }

    private static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] runOnce(CudaSession s, float[] input, long[] shape, StringBuilder note) throws BackendException {
        try (Arena arena = Arena.ofConfined()) {
            HostTensor in = s.newInput(arena, (int) shape[0], (int) shape[2], (int) shape[3]);
            for (int i = 0; i < input.length; i++) {
                in.setFloat(i, input[i]);
            }
            try (InferenceResult r = s.run(in)) {
                float[] out = new float[(int) r.output().elementCount()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = r.output().getFloat(i);
                }
                note.append(s.describeLastPlan());
                return out;
            }
        }
    }

    private static boolean check(String id, ModelArtifact fp32, ModelArtifact fp16, int[] size) throws Exception {
        long[] shape = {2, 3, size[0], size[1]};
        float[] input = random(1, (int) HostTensor.elementCount(shape));
        Plan plan = Planner.plan(ShapeInference.infer(OnnxImporter.parse(fp32.onnx()), shape), true);
        float[] cpu = ReferenceExecutor.run(plan, input).get(ModelArtifact.LOGITS_NAME);
        StringBuilder note = new StringBuilder();
        float[] gpu32;
        try (CudaSession s = open(fp32)) {
            gpu32 = runOnce(s, input, shape, note);
            float[] again = runOnce(s, input, shape, new StringBuilder());
            if (!Arrays.equals(gpu32, again)) {
                System.out.println(id + " FP32: second run (CUDA graph replay) differs from the first");
                return false;
            }
        }
        double err32 = relativeError(gpu32, cpu);
        boolean ok = err32 <= 1e-4; // the reference README's FP32 tolerance: max |diff| <= 1e-4 of max |logit|
        System.out.printf(Locale.ROOT, "%s FP32 GPU vs CPU reference %s: max relative error %.3g %s%n  %s%n", id,
                Arrays.toString(shape), err32, ok ? "ok" : "FAIL (> 1e-4)", note);
        // Informational: does cuDNN accept CLIPPED_RELU (ReLU6) in the fused call, and is it exact?
        try (CudaSession s = open(fp32, Map.of("cuda.clipped-relu", "true"))) {
            float[] clipped = runOnce(s, input, shape, new StringBuilder());
            System.out.printf(Locale.ROOT, "%s cuda.clipped-relu=true: accepted, max relative error vs CPU %.3g, %d launches/inference"
                    + " (default lowering above)%n", id, relativeError(clipped, cpu), s.launchesPerInference());
        } catch (BackendException e) {
            System.out.println(id + " cuda.clipped-relu=true: rejected (" + e.code() + ": " + e.getMessage().lines().findFirst().orElse("")
                    + "); the default RELU + clamp lowering stays");
        }
        if (fp16 != null) {
            float[] gpu16;
            try (CudaSession s = open(fp16)) {
                gpu16 = runOnce(s, input, shape, new StringBuilder());
            }
            double err16 = relativeError(gpu16, gpu32);
            double agree = argmaxAgreement(gpu16, gpu32, shape[0], plan.slot(ModelArtifact.LOGITS_NAME).shape());
            // the reference README's FP16 criterion: labels agree with FP32 on >= 99 % of pixels (error is informational)
            boolean ok16 = agree >= 0.99;
            System.out.printf(Locale.ROOT, "%s FP16 vs FP32 GPU: max relative error %.3g, argmax agreement %.4f %s%n", id, err16,
                    agree, ok16 ? "ok" : "FAIL (need >= 0.99)");
            ok &= ok16;
        }
        return ok;
    }

    private static String time(ModelArtifact art, int batch, int[] size, int iters) throws Exception {
        long[] shape = {batch, 3, size[0], size[1]};
        try (CudaSession s = open(art); Arena arena = Arena.ofConfined()) {
            HostTensor in = s.newInput(arena, batch, size[0], size[1]);
            float[] values = random(2, (int) in.elementCount());
            for (int i = 0; i < values.length; i++) {
                in.setFloat(i, values[i]);
            }
            double[] wall = new double[iters];
            double[] compute = new double[iters];
            double[] h2d = new double[iters];
            double[] d2h = new double[iters];
            for (int i = -5; i < iters; i++) {
                long t0 = System.nanoTime();
                try (InferenceResult r = s.run(in)) {
                    long t1 = System.nanoTime();
                    if (i >= 0) {
                        InferenceResult.DeviceTimings t = r.deviceTimings().orElseThrow();
                        wall[i] = (t1 - t0) / 1e6;
                        compute[i] = t.computeMs();
                        h2d[i] = t.h2dMs();
                        d2h[i] = t.d2hMs();
                    }
                }
            }
            double p50 = median(wall);
            return String.format(Locale.ROOT, "%-8s %-5s %5d %10.3f %10.3f %8.3f %8.3f %10.1f %9d %s", art.modelId(),
                    art.precision().id(), batch, p50, median(compute), median(h2d), median(d2h), batch * 1000.0 / p50,
                    s.launchesPerInference(), s.describeLastPlan().contains("CUDA graph captured") ? "yes" : "no");
        } catch (BackendException e) {
            return art.modelId() + " " + art.precision().id() + " batch " + batch + ": " + e.code() + " " + e.getMessage();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Largest absolute difference divided by the largest reference magnitude (NaN counts as infinite). */
    static double relativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("length " + actual.length + " != " + expected.length);
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, d);
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / Math.max(maxRef, 1e-12);
    }

    private static double argmaxAgreement(float[] a, float[] b, long batch, long[] logitShape) {
        int classes = (int) logitShape[1];
        int pixels = (int) (logitShape[2] * logitShape[3]);
        long same = 0;
        for (int n = 0; n < batch; n++) {
            for (int p = 0; p < pixels; p++) {
                int ba = 0;
                int bb = 0;
                for (int c = 1; c < classes; c++) {
                    int idx = (n * classes + c) * pixels + p;
                    if (a[idx] > a[(n * classes + ba) * pixels + p]) {
                        ba = c;
                    }
                    if (b[idx] > b[(n * classes + bb) * pixels + p]) {
                        bb = c;
                    }
                }
                same += ba == bb ? 1 : 0;
            }
        }
        return (double) same / (batch * pixels);
    }
}
