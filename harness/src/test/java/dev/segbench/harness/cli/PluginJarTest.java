package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.api.results.Results;
import dev.segbench.api.results.ResultsJson;
import dev.segbench.api.results.Run;
import dev.segbench.harness.CliResult;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backend compiled and jarred at test time is found in a plugin folder and used by compare. */
class PluginJarTest {

    @TempDir
    Path tmp;

    private static final String SOURCE = """
            package plug;

            import dev.segbench.api.*;
            import java.lang.foreign.Arena;
            import java.util.List;
            import java.util.Set;

            /** Predicts background everywhere. */
            public final class PluggedBackend implements Backend {
                public String id() { return "plugged"; }
                public String description() { return "backend from a plugin jar"; }
                public Availability availability() { return Availability.available("plugged-7", List.of("nowhere"), Set.of()); }
                public Set<Precision> precisions() { return Set.of(Precision.FP32); }
                public InferenceSession open(ModelSource model, SessionOptions options) {
                    int stride = model.info().outputStride();
                    return new InferenceSession() {
                        public ModelArtifact artifact() { return null; }
                        public InferenceResult run(HostTensor input) {
                            Arena arena = Arena.ofConfined();
                            long h = (input.dim(2) + stride - 1) / stride, w = (input.dim(3) + stride - 1) / stride;
                            HostTensor out = HostTensor.allocate(arena, DType.FLOAT32, input.dim(0), 21, h, w);
                            for (long i = 0; i < input.dim(0) * h * w; i++) {
                                long b = i / (h * w);
                                out.setFloat(b * 21 * h * w + i % (h * w), 1f);
                            }
                            return new InferenceResult() {
                                public HostTensor output() { return out; }
                                public void close() { arena.close(); }
                            };
                        }
                        public void close() { }
                    };
                }
            }
            """;

    private Path buildPluginJar() throws Exception {
        Path src = tmp.resolve("src/plug/PluggedBackend.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK");
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.toString());
        assertEquals(0, rc, "plugin source compiles");
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path jar = plugins.resolve("plugged.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/dev.segbench.api.Backend"));
            out.write("plug.PluggedBackend\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = new ArrayList<>(walk.filter(Files::isRegularFile).toList());
            }
            for (Path f : files) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                try (OutputStream ignored = OutputStream.nullOutputStream()) {
                    out.write(Files.readAllBytes(f));
                }
                out.closeEntry();
            }
        }
        return plugins;
    }

    @Test
    void pluginBackendIsListedAndUsed() throws Exception {
        Path plugins = buildPluginJar();
        CliResult without = CliResult.run("backends");
        assertTrue(without.out().lines().noneMatch(l -> l.startsWith("plugged")), without.out());

        CliResult list = CliResult.run("--plugins", plugins.toString(), "backends");
        assertEquals(0, list.code(), list.toString());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("plugged") && l.contains("yes") && l.contains("plugged-7")),
                list.out());

        Path out = tmp.resolve("out");
        List<String> args = new ArrayList<>(List.of("compare", "--plugins", plugins.toString(), "--backends", "plugged,fake",
                "--models", "tiny", "--precisions", "fp32", "--dataset", "fake:3", "--out", out.toString()));
        args.addAll(List.of(CompareEndToEndTest.FAST));
        args.addAll(List.of("--reference", "fake:fp32"));
        ClassLoader contextBefore = Thread.currentThread().getContextClassLoader();
        CliResult r = CliResult.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertSame(contextBefore, Thread.currentThread().getContextClassLoader(), "the plugin loader outlived the command");
        Results res = ResultsJson.read(out);
        Run plugged = res.runs().stream().filter(x -> x.backend().equals("plugged")).findFirst().orElseThrow();
        assertEquals(Run.OK, plugged.status(), plugged.reason());
        assertEquals(3, plugged.dataset().images());
        // Background everywhere: its IoU is background's share of the labelled pixels, and agreement with fake is below 1.
        assertTrue(plugged.accuracy().miou() < 1.0);
        assertEquals("plugged-7", res.environment().backendVersions().get("plugged"));
        assertNotNull(plugged.agreement());
    }
}
