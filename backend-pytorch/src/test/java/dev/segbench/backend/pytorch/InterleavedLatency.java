package dev.segbench.backend.pytorch;

import dev.segbench.api.Backend;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import dev.segbench.backend.cpu.OrtCpuBackend;
import dev.segbench.models.NasSegmCatalog;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Not a test: batch-1 latency of the pytorch and cpu backends on one model, measured interleaved (one run of each in
 * turn) so that load from other processes hits both alike. Prints the p50 of each and their ratio.
 * Arguments: checkpoint (.pth) or ONNX file (.onnx, e.g. a torchvision export), model id, threads, height, width,
 * iterations.
 */
public final class InterleavedLatency {

    private InterleavedLatency() {
    }

    public static void main(String[] args) throws Exception {
        Path checkpoint = Path.of(args[0]);
        String model = args[1];
        int threads = Integer.parseInt(args[2]);
        int h = Integer.parseInt(args[3]);
        int w = Integer.parseInt(args[4]);
        int iterations = Integer.parseInt(args[5]);
        ModelSource source = checkpoint.toString().endsWith(".onnx")
                ? TorchvisionModelsTest.source(model, java.nio.file.Files.readAllBytes(checkpoint))
                : new NasSegmCatalog().load(model, WeightsSpec.checkpoint(checkpoint));
        List<Backend> backends = List.of(new PyTorchBackend(), new OrtCpuBackend());
        SessionOptions options = new SessionOptions(Precision.FP32, threads,
                new SessionOptions.ShapeProfile(1, 1, 1, h, h, h, w, w, w), null, Map.of());
        try (Arena arena = Arena.ofConfined();
             InferenceSession a = backends.get(0).open(source, options);
             InferenceSession b = backends.get(1).open(source, options)) {
            HostTensor x = HostTensor.allocate(arena, DType.FLOAT32, 1, 3, h, w);
            Random random = new Random(1);
            for (long i = 0; i < x.elementCount(); i++) {
                x.setFloat(i, (float) random.nextGaussian());
            }
            List<InferenceSession> sessions = List.of(a, b);
            double[][] ms = new double[2][iterations];
            for (int i = -3; i < iterations; i++) { // three warm-up rounds
                for (int s = 0; s < 2; s++) {
                    long t0 = System.nanoTime();
                    try (InferenceResult r = sessions.get(s).run(x)) {
                        r.output();
                    }
                    if (i >= 0) {
                        ms[s][i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
            double p50a = median(ms[0]);
            double p50b = median(ms[1]);
            System.out.printf("%s %dx%d threads %d, %d interleaved runs: pytorch p50 %.1f ms, cpu p50 %.1f ms, pytorch/cpu %.2f%n",
                    model, h, w, threads, iterations, p50a, p50b, p50a / p50b);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
