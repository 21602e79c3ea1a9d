package dev.segbench.backend.cpu;

import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.InferenceSession;
import dev.segbench.api.ModelSource;
import dev.segbench.api.Precision;
import dev.segbench.api.SessionOptions;
import dev.segbench.api.WeightsSpec;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the lazily opened fixed-shape session costs: the seconds its first run at the profile's optimal shape spends
 * opening it, and the resident memory it adds (VmRSS before and after). Run with the backend-cpu test class path:
 * {@code java ... dev.segbench.backend.cpu.FixedShapeCost [models=arch0,arch1,arch2] [size=512]}.
 */
public final class FixedShapeCost {

    public static void main(String[] args) throws Exception {
        List<String> models = List.of("arch0", "arch1", "arch2");
        int size = 512;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "models" -> models = List.of(kv[1].split(","));
                case "size" -> size = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException(a);
            }
        }
        OrtCpuBackend backend = new OrtCpuBackend();
        SessionOptions.ShapeProfile profile = new SessionOptions.ShapeProfile(1, 1, 1, 64, size, 1024, 64, size, 1024);
        System.out.printf(Locale.ROOT, "%-6s %14s %16s %16s%n", "model", "open s (fixed)", "RSS before MiB", "RSS after MiB");
        for (String id : models) {
            ModelSource model = NasSegmOnCpuTest.catalogWith(id).load(id, WeightsSpec.seeded(WeightsSpec.DEFAULT_SEED));
            try (Arena arena = Arena.ofConfined(); InferenceSession session = backend.open(model,
                    new SessionOptions(Precision.FP32, 2, profile, null, Map.of()))) {
                HostTensor other = session.newInput(arena, 1, size - 12, size + 12);
                session.run(other).close(); // the generic session has run, its buffers are allocated
                session.run(other).close();
                long before = rssKiB();
                HostTensor fixed = session.newInput(arena, 1, size, size);
                try (InferenceResult r = session.run(fixed)) {
                    r.output();
                }
                session.run(fixed).close();
                long after = rssKiB();
                System.out.printf(Locale.ROOT, "%-6s %14.2f %16.0f %16.0f%n", id,
                        ((OrtCpuSession) session).fixedSessionOpenSeconds(), before / 1024.0, after / 1024.0);
            }
        }
    }

    private static long rssKiB() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private FixedShapeCost() {
    }
}
