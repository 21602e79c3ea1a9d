package dev.segbench.backend.pytorch;

import dev.segbench.api.Availability;
import dev.segbench.api.DType;
import dev.segbench.api.HostTensor;
import dev.segbench.api.InferenceResult;
import dev.segbench.api.ModelArtifact;
import dev.segbench.api.Precision;
import dev.segbench.onnx.graph.TestGraphs;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child JVM of {@link ForeignLibtorchTest}: probes the backend, runs a small graph, and prints the torch version
 * and every mapped libtorch/libc10 file, one per line ("mapped PATH").
 */
public final class ForeignLibtorchChild {

    private ForeignLibtorchChild() {
    }

    public static void main(String[] args) throws Exception {
        Availability a = new PyTorchBackend().availability();
        if (!a.available()) {
            System.out.println("unavailable: " + a.reason());
            System.exit(3);
        }
        ModelArtifact graph = new ModelArtifact("mobile", Precision.FP32, false, TestGraphs.mobileBlock(1), "", null);
        try (TorchSession s = TorchSession.open(graph, 1, null); Arena arena = Arena.ofConfined()) {
            HostTensor x = HostTensor.allocate(arena, DType.FLOAT32, 1, 3, 16, 16);
            try (InferenceResult r = s.run(x)) {
                System.out.println("ran: output " + r.output());
            }
        }
        System.out.println("torch " + a.version());
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int slash = line.indexOf('/');
            String file = slash < 0 ? "" : line.substring(slash).strip();
            String name = Path.of(file.isEmpty() ? "x" : file).getFileName().toString();
            if (TorchRuntime.OWN_LIBRARIES.stream().anyMatch(lib -> name.equals(lib) || name.startsWith(lib + "."))) {
                System.out.println("mapped " + file);
            }
        }
    }
}
