package dev.segbench.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ORT environment starts once per process, so this starts it in a fresh JVM whose TMPDIR is a folder of its own. */
class NoTelemetryLitterTest {

    /** Asks the cpu backend whether it can run, which starts ONNX Runtime's environment. */
    public static final class StartEnvironment {
        public static void main(String[] args) {
            System.out.println(new OrtCpuBackend().availability().available() ? "available" : "unavailable");
        }
    }

    @Test
    void startingOnnxRuntimeLeavesNothingInTheTempFolder(@TempDir Path tmp) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-XX:-UsePerfData",
                "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + tmp, StartEnvironment.class.getName());
        pb.environment().put("TMPDIR", tmp.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not end");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("available"), output);
        assertEquals(List.of(), telemetryFiles(tmp), "ONNX Runtime's telemetry files were left in TMPDIR: " + output);
    }

    private static List<String> telemetryFiles(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("mat-debug") || n.endsWith(".ses")).toList();
        }
    }
}
