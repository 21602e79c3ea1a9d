package dev.segbench.backend.cuda;

import dev.segbench.api.DeviceTimings;
import dev.segbench.api.Availability;
import dev.segbench.api.BackendException;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelCatalog;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.ServiceLoader;

/**
 * A latency table of the cuda backend, for a GPU machine (test code: the correctness checks are the gpu-tagged JUnit
 * tests). For each model (seeded weights: speed does not depend on the weights), precision and batch: host wall p50,
 * the CUDA-event compute, H2D and D2H medians, images/s, launches per inference and whether the CUDA graph replays.
 * Usage: {@code CudaTimingTable [--size 512x512] [--batches 1,32] [--iters 30] [--models arch0,arch1,arch2]}.
 */
public final class CudaTimingTable {

    private CudaTimingTable() {
    }

    public static void main(String[] args) throws Exception {
        int[] size = {512, 512};
        List<Integer> batches = List.of(1, 32);
        int iters = 30;
        List<String> models = List.of("arch0", "arch1", "arch2");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = Arrays.stream(args[++i].toLowerCase(Locale.ROOT).split("x")).mapToInt(Integer::parseInt).toArray();
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--models" -> models = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        CudaBackend backend = new CudaBackend();
        Availability a = backend.availability();
        System.out.println("cuda backend: " + (a.available() ? a.version() + ", " + a.devices() : "UNAVAILABLE: " + a.reason()));
        if (!a.available()) {
            System.exit(2);
        }
        ModelCatalog catalog = ServiceLoader.load(ModelCatalog.class).findFirst().orElseThrow();
        List<String> table = new ArrayList<>();
        table.add(String.format(Locale.ROOT, "%-6s %-5s %5s %9s %9s %7s %7s %9s %8s %s", "model", "prec", "batch", "wall p50",
                "compute", "h2d", "d2h", "img/s", "launches", "graph"));
        for (String id : models) {
            ModelSource model = catalog.load(id, WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
            for (Precision p : List.of(Precision.FP32, Precision.FP16)) {
                for (int batch : batches) {
                    table.add(row(backend, model, p, batch, size, iters));
                }
            }
        }
        System.out.println("cuda backend latency at " + size[0] + "x" + size[1] + ", " + iters + " timed runs after 5 warm-up (ms):");
        table.forEach(System.out::println);
    }

    private static String row(CudaBackend backend, ModelSource model, Precision p, int batch, int[] size, int iters) throws Exception {
        try (InferenceSession s = backend.open(model, SessionOptions.of(p)); Arena arena = Arena.ofConfined()) {
            HostTensor in = s.newInput(arena, batch, size[0], size[1]);
            Random r = new Random(2);
            for (long i = 0; i < in.elementCount(); i++) {
                in.setFloat(i, (float) r.nextGaussian());
            }
            double[] wall = new double[iters];
            double[] compute = new double[iters];
            double[] h2d = new double[iters];
            double[] d2h = new double[iters];
            for (int i = -5; i < iters; i++) {
                long t0 = System.nanoTime();
                try (InferenceResult res = s.run(in)) {
                    long t1 = System.nanoTime();
                    if (i >= 0) {
                        DeviceTimings t = res.deviceTimings().orElseThrow();
                        wall[i] = (t1 - t0) / 1e6;
                        compute[i] = t.computeMs();
                        h2d[i] = t.h2dMs();
                        d2h[i] = t.d2hMs();
                    }
                }
            }
            CudaSession cuda = (CudaSession) s;
            double p50 = median(wall);
            return String.format(Locale.ROOT, "%-6s %-5s %5d %9.3f %9.3f %7.3f %7.3f %9.1f %8d %s", model.info().id(), p.id(),
                    batch, p50, median(compute), median(h2d), median(d2h), batch * 1000.0 / p50, cuda.launchesPerInference(),
                    cuda.replaysGraph() ? "replayed" : "eager");
        } catch (BackendException e) {
            return model.info().id() + " " + p.id() + " batch " + batch + ": " + e.code() + " " + e.getMessage();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
