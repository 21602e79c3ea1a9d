package dev.segbench.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.segbench.harness.CliProcess;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.fakes.PluginJars;
import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend's declared environment ({@code Backend.childEnvironment()}) reaches its run's process, the user's own value
 * wins, and an {@code --in-process} run says it did not get it. The test backend writes what its process has of the
 * variable, read there with System.getenv, to a file named by a session property; results.json's environment facts
 * must say the same.
 */
class ChildEnvironmentTest {

    private static final String VAR = "SEGBENCH_TEST_CHILD_ENV";
    private static final String FACT = "env." + VAR;

    private static final String SOURCE = """
            package envplug;

            import dev.segbench.api.*;
            import java.lang.foreign.Arena;
            import java.util.List;
            import java.util.Map;
            import java.util.Set;

            /** Declares VAR=from-backend; open() writes what its process has of VAR to env-echo.file. */
            public final class EnvEchoBackend implements Backend {
                public String id() { return "env-echo"; }
                public String description() { return "test backend that reports its process's environment"; }
                public Availability availability() { return Availability.available("env-echo-1", List.of("nowhere"), Set.of()); }
                public Set<Precision> precisions() { return Set.of(Precision.FP32); }
                public List<String> propertyKeys() { return List.of("env-echo.file"); }
                public Map<String, String> childEnvironment() { return Map.of("VAR", "from-backend"); }
                public InferenceSession open(ModelSource model, SessionOptions options) throws BackendException {
                    String seen = System.getenv("VAR");
                    try {
                        java.nio.file.Files.writeString(java.nio.file.Path.of(options.property("env-echo.file", "")),
                                seen == null ? "unset" : seen);
                    } catch (java.io.IOException e) {
                        throw new BackendException(BackendException.Code.DEVICE_ERROR, e.getMessage(), e);
                    }
                    int stride = model.info().outputStride();
                    return new InferenceSession() {
                        public ModelArtifact artifact() { return null; }
                        public InferenceResult run(HostTensor input) {
                            Arena arena = Arena.ofConfined();
                            long h = (input.dim(2) + stride - 1) / stride, w = (input.dim(3) + stride - 1) / stride;
                            HostTensor out = HostTensor.allocate(arena, DType.FLOAT32, input.dim(0), 21, h, w);
                            return new InferenceResult() {
                                public HostTensor output() { return out; }
                                public void close() { arena.close(); }
                            };
                        }
                        public void close() { }
                    };
                }
            }
            """.replace("\"VAR\"", "\"" + VAR + "\"");

    @TempDir
    Path tmp;

    private List<String> args(Path plugins, Path out, Path echo, String... more) {
        List<String> a = new ArrayList<>(List.of("compare", "--plugins", plugins.toString(), "--backends", "env-echo",
                "--models", "tiny", "--precisions", "fp32", "--dataset", "fake:2", "--reference", "env-echo:fp32",
                "--property", "env-echo.file=" + echo, "--warmup", "0.01", "--min-duration", "0.01",
                "--min-iterations", "1", "--batch-sizes", "1", "--perf-size", "40x56", "--gallery", "0",
                "--progress", "never", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    private Path plugins() throws Exception {
        assertNull(System.getenv(VAR), VAR + " must not be set where the tests run");
        return PluginJars.backendJar(tmp, "env-echo", "envplug.EnvEchoBackend", SOURCE);
    }

    private static String fact(Path out) throws Exception {
        Results res = ResultsJson.read(out);
        Run run = res.runs().getFirst();
        assertEquals(Run.OK, run.status(), run.reason());
        return res.environment().backendFacts().get("env-echo").get(FACT);
    }

    @Test
    void theRunsProcessGetsTheVariableItsBackendDeclares() throws Exception {
        Path plugins = plugins();
        Path out = tmp.resolve("out");
        Path echo = tmp.resolve("echo.txt");
        CliResult r = CliResult.run(args(plugins, out, echo).toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertEquals("from-backend", Files.readString(echo), "what the run's process read");
        assertEquals("from-backend (backend)", fact(out));
    }

    @Test
    void aValueInTheUsersEnvironmentWins() throws Exception {
        Path plugins = plugins();
        Path out = tmp.resolve("out");
        Path echo = tmp.resolve("echo.txt");
        CliProcess segbench = CliProcess.start(tmp.resolve("process"), Map.of(VAR, "from-user"), List.of(),
                args(plugins, out, echo).toArray(String[]::new));
        assertEquals(0, segbench.await(300), segbench.toString());
        assertEquals("from-user", Files.readString(echo), "what the run's process read");
        assertEquals("from-user (environment)", fact(out));
    }

    @Test
    void anInProcessRunSaysItDidNotGetTheVariable() throws Exception {
        Path plugins = plugins();
        Path out = tmp.resolve("out");
        Path echo = tmp.resolve("echo.txt");
        CliResult r = CliResult.run(args(plugins, out, echo, "--in-process").toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        assertEquals("unset", Files.readString(echo), "segbench's own process cannot change its environment");
        assertEquals("unset (not applied: --in-process; the backend asks for from-backend)", fact(out));
    }
}
