package dev.segbench.backend.cpu;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Batch-1 latency of several ONNX graphs (or one graph under several session options) on bare ONNX Runtime, runs
 * interleaved in one process: after a warm-up of each, every round runs each variant once, in an order that rotates
 * from round to round, so load from other processes on a shared machine hits all variants alike. Reports each
 * variant's median, p90 and minimum, and its median ratio to the first variant, taken both from the medians and
 * from the per-round paired ratios (the latter is the robust figure on a noisy machine).
 *
 * <p>Arguments: {@code [threads=2] [size=512] [seconds=20] [warmup=3] NAME=FILE.onnx[;option]...}, options:
 * {@code fixed} (symbolic batch/height/width set to 1/size/size with {@code setSymbolicDimensionValue}),
 * {@code opt=basic|extended|all}, {@code spin=0} (no intra-op spinning), {@code profile=PREFIX} (ORT's
 * profiler, one JSON trace), {@code optimized=FILE} (ORT's optimized graph written there), {@code cfg:KEY=VALUE}
 * (any session config entry). Run from the checkout after
 * {@code mvn -o -q test-compile dependency:build-classpath -pl backend-cpu -am -Dmdep.includeScope=test
 * -Dmdep.outputFile=target/cp.txt}: {@code java --enable-native-access=ALL-UNNAMED
 * -cp backend-cpu/target/test-classes:backend-cpu/target/classes:$(cat backend-cpu/target/cp.txt)
 * dev.segbench.backend.cpu.OrtGraphsBenchmark ...}.
 */
public final class OrtGraphsBenchmark {

    private record Variant(String name, Path file, Map<String, String> options) {
    }

    public static void main(String[] args) throws Throwable {
        int threads = 2;
        int size = 512;
        double seconds = 20;
        double warmup = 3;
        List<Variant> variants = new ArrayList<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("arguments are key=value, got '" + a + "'");
            }
            String key = a.substring(0, eq);
            String value = a.substring(eq + 1);
            switch (key) {
                case "threads" -> threads = Integer.parseInt(value);
                case "size" -> size = Integer.parseInt(value);
                case "seconds" -> seconds = Double.parseDouble(value);
                case "warmup" -> warmup = Double.parseDouble(value);
                default -> {
                    String[] parts = value.split(";");
                    Map<String, String> options = new LinkedHashMap<>();
                    for (int i = 1; i < parts.length; i++) {
                        int oe = parts[i].indexOf('=');
                        options.put(oe < 0 ? parts[i] : parts[i].substring(0, oe), oe < 0 ? "" : parts[i].substring(oe + 1));
                    }
                    variants.add(new Variant(key, Path.of(parts[0]), options));
                }
            }
        }
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("give at least one NAME=FILE.onnx");
        }
        run(variants, threads, size, seconds, warmup);
    }

    private static void run(List<Variant> variants, int threads, int size, double seconds, double warmup)
            throws Throwable {
        OrtEnvironment env = OrtCpuBackend.environment();
        System.out.printf(Locale.ROOT, "ORT %s, %s, %d cores; batch 1, %dx%d, intra-op threads %d; warm-up %.0f s each,"
                        + " then %.0f s of rotating rounds%n", env.getVersion(), OrtCpuBackend.cpuModelName(),
                Runtime.getRuntime().availableProcessors(), size, size, threads, warmup, seconds);
        int n = variants.size();
        List<OrtSession> sessions = new ArrayList<>();
        List<OnnxTensor> inputs = new ArrayList<>();
        try {
            FloatBuffer data = ByteBuffer.allocateDirect(3 * size * size * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            Random random = new Random(5);
            for (int i = 0; i < 3 * size * size; i++) {
                data.put(i, (float) random.nextGaussian());
            }
            for (Variant v : variants) {
                try (OrtSession.SessionOptions o = options(v, threads, size)) {
                    OrtSession s = env.createSession(Files.readAllBytes(v.file()), o);
                    sessions.add(s);
                    String inputName = s.getInputNames().iterator().next();
                    NodeInfo info = s.getInputInfo().get(inputName);
                    long[] shape = ((TensorInfo) info.getInfo()).getShape();
                    if (shape[2] > 0 && shape[2] != size) {
                        throw new IllegalArgumentException(v.name() + " has a fixed input height " + shape[2]);
                    }
                    inputs.add(OnnxTensor.createTensor(env, data, new long[] {1, 3, size, size}));
                }
            }
            List<long[]> samples = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long end = System.nanoTime() + (long) (warmup * 1e9);
                do {
                    step(sessions.get(i), inputs.get(i));
                } while (System.nanoTime() < end);
            }
            long end = System.nanoTime() + (long) (seconds * 1e9);
            int round = 0;
            while (System.nanoTime() < end || round < 10) {
                long[] times = new long[n];
                for (int k = 0; k < n; k++) {
                    int i = (k + round) % n;
                    long t0 = System.nanoTime();
                    step(sessions.get(i), inputs.get(i));
                    times[i] = System.nanoTime() - t0;
                }
                samples.add(times);
                round++;
            }
            report(variants, samples);
        } finally {
            for (OnnxTensor t : inputs) {
                t.close();
            }
            for (OrtSession s : sessions) {
                s.close(); // ends a profile, if one was asked for
            }
        }
    }

    private static void step(OrtSession session, OnnxTensor input) throws Exception {
        String name = session.getInputNames().iterator().next();
        try (OrtSession.Result r = session.run(Map.of(name, input))) {
            if (r.size() < 1) {
                throw new IllegalStateException("no output");
            }
        }
    }

    private static OrtSession.SessionOptions options(Variant v, int threads, int size) throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(switch (v.options().getOrDefault("opt", "all")) {
            case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            case "none" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
            default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
        });
        for (Map.Entry<String, String> e : v.options().entrySet()) {
            switch (e.getKey()) {
                case "fixed" -> {
                    o.setSymbolicDimensionValue("batch", 1);
                    o.setSymbolicDimensionValue("height", size);
                    o.setSymbolicDimensionValue("width", size);
                }
                case "spin" -> o.addConfigEntry("session.intra_op.allow_spinning", e.getValue());
                case "profile" -> o.enableProfiling(e.getValue());
                case "optimized" -> o.setOptimizedModelFilePath(e.getValue());
                case "opt" -> { }
                default -> {
                    if (!e.getKey().startsWith("cfg:")) {
                        throw new IllegalArgumentException("unknown option " + e.getKey());
                    }
                    o.addConfigEntry(e.getKey().substring(4), e.getValue());
                }
            }
        }
        return o;
    }

    private static void report(List<Variant> variants, List<long[]> samples) {
        int n = variants.size();
        double[] medians = new double[n];
        System.out.printf(Locale.ROOT, "%-28s %6s %9s %9s %9s %9s %9s%n", "variant", "rounds", "p50 ms", "p90 ms",
                "min ms", "p50/ref", "paired");
        for (int i = 0; i < n; i++) {
            final int col = i;
            double[] ms = samples.stream().mapToDouble(t -> t[col] / 1e6).sorted().toArray();
            medians[i] = nearestRank(ms, 0.5);
            double[] ratios = samples.stream().mapToDouble(t -> (double) t[col] / t[0]).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-28s %6d %9.2f %9.2f %9.2f %9.3f %9.3f%n", variants.get(i).name(),
                    ms.length, medians[i], nearestRank(ms, 0.9), ms[0], medians[i] / medians[0], nearestRank(ratios, 0.5));
        }
    }

    private static double nearestRank(double[] sorted, double p) {
        return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private OrtGraphsBenchmark() {
    }
}
