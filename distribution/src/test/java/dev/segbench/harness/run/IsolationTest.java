package dev.segbench.harness.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.segbench.results.Results;
import dev.segbench.results.ResultsJson;
import dev.segbench.results.Run;
import dev.segbench.harness.CliResult;
import dev.segbench.harness.PluginJar;
import dev.segbench.harness.Real;
import dev.segbench.harness.cli.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backends that crash, hang or end their process, from a plugin jar built at test time, compared beside the real
 * cpu backend on the fixture checkpoint and the VOC sample: each costs only its own run.
 */
class IsolationTest {

    @TempDir
    Path tmp;

    private static final String SOURCE = """
            package bad;

            import dev.segbench.api.*;
            import java.lang.foreign.*;
            import java.lang.invoke.MethodHandle;
            import java.util.ArrayList;
            import java.util.List;
            import java.util.Set;

            /** Backends that misbehave in run(), i.e. in the accuracy pass. */
            public final class BadBackends {
                private BadBackends() { }

                public abstract static class Base implements Backend {
                    public String description() { return "misbehaving test backend"; }
                    public Availability availability() { return Availability.available("bad-1", List.of("nowhere"), Set.of()); }
                    public Set<Precision> precisions() { return Set.of(Precision.FP32); }
                    abstract void misbehave() throws Throwable;
                    public InferenceSession open(ModelSource model, SessionOptions options) {
                        return new InferenceSession() {
                            public ModelArtifact artifact() { return null; }
                            public InferenceResult run(HostTensor input) {
                                try {
                                    misbehave();
                                } catch (Throwable t) {
                                    throw new IllegalStateException(t);
                                }
                                throw new IllegalStateException("still here");
                            }
                            public void close() { }
                        };
                    }
                }

                /** libc abort() through FFM: SIGABRT, which the JVM does not handle. */
                public static final class Abort extends Base {
                    public String id() { return "abort"; }
                    void misbehave() throws Throwable {
                        Linker linker = Linker.nativeLinker();
                        MethodHandle abort = linker.downcallHandle(linker.defaultLookup().find("abort").orElseThrow(),
                                FunctionDescriptor.ofVoid());
                        abort.invokeExact();
                    }
                }

                /** Reads address 0 through FFM: SIGSEGV, a JVM crash with an hs_err report. */
                public static final class NullRead extends Base {
                    public String id() { return "null-read"; }
                    void misbehave() {
                        System.err.println("about to read address 0");
                        MemorySegment.NULL.reinterpret(8).get(ValueLayout.JAVA_LONG, 0);
                    }
                }

                /** Never returns. */
                public static final class Hang extends Base {
                    public String id() { return "hang"; }
                    void misbehave() throws InterruptedException {
                        while (true) {
                            Thread.sleep(60_000);
                        }
                    }
                }

                /** Fills the Java heap. */
                public static final class HeapFill extends Base {
                    public String id() { return "heap-fill"; }
                    static final List<long[]> HOG = new ArrayList<>();
                    void misbehave() {
                        while (true) {
                            HOG.add(new long[1 << 20]);
                        }
                    }
                }

                /** Ends its JVM, successfully, in the middle of the accuracy pass. */
                public static final class Exit extends Base {
                    public String id() { return "exit"; }
                    void misbehave() {
                        System.exit(0);
                    }
                }
            }
            """;

    private List<String> args(Path out, String backends, Path plugins) {
        Path ref = Real.reference();
        List<String> a = new ArrayList<>(List.of("compare", "--backends", backends, "--models", "arch0", "--precisions", "fp32",
                "--dataset", "voc:" + Real.shared().resolve("data/voc2012-sample/VOCdevkit"),
                "--weights", "arch0=" + ref.resolve("arch0-seed1.pth"),
                "--warmup", "0.1", "--min-duration", "0.1", "--min-iterations", "3", "--batch-sizes", "1", "--perf-size", "64x64",
                "--gallery", "1", "--progress", "never", "--stall-timeout", "10s", "--child-jvm-options=-Xmx512m",
                "--out", out.toString()));
        if (plugins != null) {
            a.addAll(List.of("--plugins", plugins.toString()));
        }
        return a;
    }

    @Test
    void crashesHangsAndExitsCostOnlyTheirOwnRuns() throws Exception {
        Real.cpu(Real.plugins());
        Path plugins = PluginJar.build(tmp, "bad", Map.of("bad/BadBackends.java", SOURCE), List.of("bad.BadBackends$Abort",
                "bad.BadBackends$NullRead", "bad.BadBackends$Hang", "bad.BadBackends$HeapFill", "bad.BadBackends$Exit"));
        Path alone = tmp.resolve("alone");
        CliResult base = CliResult.run(args(alone, "cpu", null).toArray(String[]::new));
        assertEquals(0, base.code(), base.toString());

        Path out = tmp.resolve("beside");
        CliResult r = CliResult.run(args(out, "cpu,abort,null-read,hang,heap-fill,exit", plugins).toArray(String[]::new));
        assertEquals(Cli.SOME_RUNS_FAILED, r.code(), r.toString());
        Results res = ResultsJson.read(out);
        assertEquals(6, res.runs().size(), res.runs().toString());

        // the cpu run is what it is without them
        Run cpu = run(res, "cpu");
        Run cpuAlone = run(ResultsJson.read(alone), "cpu");
        assertEquals(Run.OK, cpu.status(), cpu.reason());
        assertEquals(5, cpu.dataset().images());
        assertArrayEquals(cpuAlone.accuracy().confusionMatrix(), cpu.accuracy().confusionMatrix());
        assertEquals(cpuAlone.accuracy().miou(), cpu.accuracy().miou());

        String abort = failed(res, "abort");
        assertTrue(abort.startsWith("child JVM killed by SIGABRT (exit 134); no hs_err file"), abort);

        String nullRead = failed(res, "null-read");
        assertTrue(nullRead.startsWith("child JVM crashed: SIGSEGV (0xb)"), nullRead);
        assertTrue(nullRead.contains("(the JVM then ended with SIGABRT, exit 134)"), nullRead);
        assertTrue(nullRead.contains("last stderr line: about to read address 0"), nullRead);
        Matcher hsErr = Pattern.compile("hs_err kept at (\\S+\\.log);").matcher(nullRead);
        assertTrue(hsErr.find(), nullRead);
        Path report = Path.of(hsErr.group(1));
        assertTrue(report.startsWith(out.resolve("logs")), report.toString());
        assertTrue(Files.readString(report).contains("SIGSEGV"), "the hs_err file is kept");

        String hang = failed(res, "hang");
        assertTrue(hang.startsWith("child JVM made no progress for 10 s in 'accuracy arch0/hang/fp32' (--stall-timeout); killed"), hang);

        String heap = failed(res, "heap-fill");
        assertTrue(heap.startsWith("child JVM ran out of Java heap (java.lang.OutOfMemoryError, exit 3)"), heap);

        String exit = failed(res, "exit");
        assertTrue(exit.startsWith("child JVM exited with status 0 before writing its result"), exit);

        for (String bad : List.of("abort", "null-read", "hang", "heap-fill", "exit")) {
            assertTrue(Files.isRegularFile(out.resolve("runs/arch0." + bad + ".fp32.json")), bad + " has its failed record");
            assertTrue(Files.isRegularFile(out.resolve("logs/arch0." + bad + ".fp32.log")), bad + " has its log");
        }
        assertFalse(Files.exists(out.resolve(Runner.WORK_FOLDER)), "children's work files are gone");
        assertTrue(r.err().contains("5 run(s) failed"), r.err());
        assertNotNull(ResultsJson.read(out).runs().getFirst().resources().peakRssBytes(), "peak RSS of the cpu run's child");
    }

    private static Run run(Results res, String backend) {
        return res.runs().stream().filter(x -> x.backend().equals(backend)).findFirst().orElseThrow();
    }

    private static String failed(Results res, String backend) {
        Run r = run(res, backend);
        assertEquals(Run.FAILED, r.status(), backend + ": " + r.reason());
        assertEquals(1, r.reason().lines().count(), r.reason());
        return r.reason();
    }
}
