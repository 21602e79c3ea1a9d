package dev.segbench.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.PluginJar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        return PluginJar.build(tmp, "plugged", Map.of("plug/PluggedBackend.java", SOURCE), List.of("plug.PluggedBackend"));
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
